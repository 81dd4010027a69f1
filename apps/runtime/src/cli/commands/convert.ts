import { writeFile } from 'node:fs/promises';
import {
  fromFbpJson,
  loadGraph,
  serializeGraph,
  toDot,
  toFbpJson,
  type Diagnostic,
} from '@reelflow/fbp-model';
import { enumOption, parse } from '../args.js';
import { formatDiagnostic } from '../format.js';
import { readJson, UsageError, type CliIO } from '../io.js';

async function emit(io: CliIO, text: string, out: string | undefined): Promise<void> {
  if (out === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(out, text);
  } catch (err) {
    throw new UsageError(`cannot write ${out}: ${(err as Error).message}`);
  }
}

function reportInvalid(io: CliIO, path: string, diagnostics: Diagnostic[]): number {
  io.stderr(`${path} is not a valid graph document:\n`);
  for (const d of diagnostics) io.stderr(`  ${formatDiagnostic(d)}\n`);
  return 1;
}

/** `reelflow export GRAPH --format fbp-json|dot [--out FILE]` */
export async function exportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    'export',
    argv,
    { format: { type: 'string' }, out: { type: 'string', short: 'o' } },
    ['graph'],
  );
  if (values.format === undefined) throw new UsageError('--format is required (fbp-json or dot)');
  const format = enumOption('format', values.format, ['fbp-json', 'dot'] as const, 'fbp-json');
  const path = positionals[0]!;
  const loaded = loadGraph(await readJson(path));
  if (!loaded.graph) return reportInvalid(io, path, loaded.diagnostics);
  const text =
    format === 'dot'
      ? toDot(loaded.graph)
      : `${JSON.stringify(toFbpJson(loaded.graph), null, 2)}\n`;
  await emit(io, text, values.out);
  return 0;
}

/** `reelflow import FILE [--out GRAPH]`: NoFlo FBP JSON to a Reelflow graph document. */
export async function importCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('import', argv, { out: { type: 'string', short: 'o' } }, [
    'file',
  ]);
  const path = positionals[0]!;
  const loaded = fromFbpJson(await readJson(path));
  if (!loaded.graph) return reportInvalid(io, path, loaded.diagnostics);
  await emit(io, serializeGraph(loaded.graph), values.out);
  return 0;
}
