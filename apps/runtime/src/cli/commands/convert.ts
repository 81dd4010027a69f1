import { writeFile } from 'node:fs/promises';
import {
  diagnostic,
  fbpJsonProblem,
  findNonFinite,
  fromFbpJson,
  loadGraph,
  serializeGraph,
  toDot,
  toFbpJson,
  type Diagnostic,
} from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import fbp, { type FbpSyntaxError } from 'fbp';
import { enumOption, parse } from '../args.js';
import { formatDiagnostic, oneLine } from '../format.js';
import { parseJsonText, readJson, readText, UsageError, type CliIO } from '../io.js';

async function emit(io: CliIO, text: string, out: string | undefined): Promise<void> {
  if (out === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(out, text);
  } catch (err) {
    throw new UsageError(`cannot write ${out}: ${oneLine((err as Error).message)}`);
  }
}

/** Each problem as one line that names the file, as `validate` prints them; exit 1. */
function reportInvalid(io: CliIO, path: string, diagnostics: Diagnostic[]): number {
  for (const d of diagnostics) io.stderr(`${path}: ${formatDiagnostic(d)}\n`);
  return 1;
}

/**
 * A number JSON cannot write (`1e999` in a file reads as Infinity, and would be written as
 * `null`): refused as `validate` refuses it, with its JSON path. Undefined when there is none.
 */
function nonFinite(doc: unknown): Diagnostic[] | undefined {
  const where = findNonFinite(doc);
  if (where === undefined) return undefined;
  const id = typeof (doc as { id?: unknown }).id === 'string' ? (doc as { id: string }).id : '';
  const message = `${where}: not a finite number (JSON has no Infinity or NaN; it would be written as null)`;
  return [diagnostic('schema', 'error', message, { kind: 'graph', id }, where)];
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
  const bad = nonFinite(loaded.graph);
  if (bad) return reportInvalid(io, path, bad);
  const text =
    format === 'dot'
      ? toDot(loaded.graph)
      : `${JSON.stringify(toFbpJson(loaded.graph), null, 2)}\n`;
  await emit(io, text, values.out);
  return 0;
}

/** Parse a .fbp file with the flowbased parser; an error is one line with line:column. */
export function parseFbpText(text: string, path: string): Record<string, unknown> {
  try {
    return fbp.parse(text, { caseSensitive: false });
  } catch (err) {
    const at = (err as FbpSyntaxError).location?.start;
    const where = at ? `${path}:${at.line}:${at.column}` : path;
    throw new UsageError(`${where}: not a valid .fbp graph: ${oneLine((err as Error).message)}`);
  }
}

/**
 * `reelflow import FILE [--out GRAPH]`: FBP JSON, or the .fbp language (by the file's
 * extension), to a Reelflow graph document. A file that is not an FBP graph exits 2.
 */
export async function importCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('import', argv, { out: { type: 'string', short: 'o' } }, [
    'file',
  ]);
  const path = positionals[0]!;
  const text = await readText(path);
  const doc = /\.fbp$/i.test(path) ? parseFbpText(text, path) : parseJsonText(text, path);
  const problem = fbpJsonProblem(doc);
  if (problem !== undefined) throw new UsageError(`${path}: ${problem}`);
  const bad = nonFinite(doc);
  if (bad) return reportInvalid(io, path, bad);
  const loaded = fromFbpJson(doc, { library });
  if (!loaded.graph) return reportInvalid(io, path, loaded.diagnostics);
  await emit(io, serializeGraph(loaded.graph), values.out);
  return 0;
}
