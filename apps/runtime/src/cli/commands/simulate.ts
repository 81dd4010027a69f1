import { library } from '@reelflow/library';
import { simulateGraph, validateDocument } from '@reelflow/semantics';
import type { Graph } from '@reelflow/fbp-model';
import { intOption, parse } from '../args.js';
import { formatDiagnostic } from '../format.js';
import { readJson, UsageError, type CliIO } from '../io.js';
import { readCalibration } from './calibrate.js';

/**
 * `reelflow simulate GRAPH [--chunks N] [--workers K] [--cores C] [--duration S]
 * [--calibration FILE] [--json]`
 */
export async function simulateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    'simulate',
    argv,
    {
      chunks: { type: 'string' },
      workers: { type: 'string' },
      cores: { type: 'string' },
      duration: { type: 'string' },
      calibration: { type: 'string' },
      json: { type: 'boolean' },
    },
    ['graph'],
  );
  const chunks =
    values.chunks === undefined ? undefined : intOption('chunks', values.chunks, 0, 1, 100_000);
  const workers = intOption('workers', values.workers, 1, 1, 10_000);
  const cores = intOption('cores', values.cores, 2, 1, 1_024);
  const durationSeconds = values.duration === undefined ? undefined : Number(values.duration);
  if (durationSeconds !== undefined && !(Number.isFinite(durationSeconds) && durationSeconds > 0)) {
    throw new UsageError(
      `--duration must be a positive number of seconds, got '${values.duration}'`,
    );
  }
  // Without a file the cost model describes a reference machine, not this one.
  const calibration =
    values.calibration === undefined ? undefined : await readCalibration(values.calibration);
  const path = positionals[0]!;
  const doc = await readJson(path);
  const validation = validateDocument(doc, library, { mode: 'all' });
  if (!validation.valid) {
    if (values.json) {
      io.stdout(`${JSON.stringify({ valid: false, diagnostics: validation.diagnostics })}\n`);
    } else {
      io.stderr(`${path} is not valid; fix these before simulating:\n`);
      for (const d of validation.diagnostics) io.stderr(`  ${formatDiagnostic(d)}\n`);
    }
    return 1;
  }
  const report = simulateGraph(doc as Graph, library, {
    chunks,
    workers,
    cores,
    durationSeconds,
    calibration,
  });
  if (values.json) {
    io.stdout(`${JSON.stringify(report)}\n`);
  } else {
    for (const t of report.trace) {
      io.stdout(
        `${String(t.step).padStart(6)}  ${t.node.padEnd(16)} consumed ${t.consumed}  produced ${t.produced}\n`,
      );
    }
    io.stdout('\nfirings:\n');
    for (const [node, count] of Object.entries(report.firings))
      io.stdout(`  ${node.padEnd(16)} ${count}\n`);
    io.stdout(
      report.deadlock
        ? '\ndeadlock: tokens are stuck and no node can fire\n'
        : `\npredicted makespan: ${report.makespanSeconds.toFixed(1)} s on ${workers} worker(s) × ${cores} core(s)${calibration ? ` (calibration: ${values.calibration})` : ' (reference machine; `reelflow calibrate` measures this one)'}\n`,
    );
  }
  return report.deadlock ? 1 : 0;
}
