import { library } from '@reelflow/library';
import { parseConstraints, validateDocument } from '@reelflow/semantics';
import { parse } from '../args.js';
import { formatDiagnostic } from '../format.js';
import { readJson, readText, type CliIO } from '../io.js';

/** `reelflow validate GRAPH [--constraints FILE.ocl]... [--json]` */
export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    'validate',
    argv,
    { constraints: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    ['graph'],
  );
  const path = positionals[0]!;
  const doc = await readJson(path);
  const constraintFiles = values.constraints ?? [];
  const constraints = await Promise.all(
    constraintFiles.map(async (file) => parseConstraints(await readText(file), { source: file })),
  );
  const result = validateDocument(doc, library, { mode: 'all', constraints });
  if (values.json) {
    io.stdout(`${JSON.stringify({ valid: result.valid, diagnostics: result.diagnostics })}\n`);
  } else {
    for (const d of result.diagnostics) io.stdout(`${path}: ${formatDiagnostic(d)}\n`);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    io.stdout(
      result.valid
        ? `${path}: valid${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`
        : `${path}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} other\n`,
    );
  }
  return result.valid ? 0 : 1;
}
