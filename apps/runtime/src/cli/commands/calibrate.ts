import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { calibrationSchema, type Calibration } from '@reelflow/fbp-model';
import { measureCalibration } from '../../calibration/measure.js';
import { writeFileAtomically } from '../../runs/atomic-write.js';
import { openExecutor } from '../../runs/cli-run.js';
import { intOption, parse } from '../args.js';
import { readJson, UsageError, type CliIO } from '../io.js';
import { executorOptions } from './run.js';

/** Where `reelflow calibrate` writes when not told otherwise. */
export const DEFAULT_CALIBRATION_FILE = join('.reelflow', 'calibration.json');

/** Refuse an --out that cannot be a file before minutes of measuring, not after. */
async function checkOut(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (info?.isDirectory()) throw new UsageError(`cannot write ${out}: is a directory`);
  const parent = await stat(dirname(out)).catch(() => undefined);
  if (parent && !parent.isDirectory())
    throw new UsageError(`cannot write ${out}: ${dirname(out)} is not a directory`);
}

/**
 * `reelflow calibrate [--executor swarm|local] [--light-tasks runtime|cluster] [--seconds S]
 * [--out FILE] [--json]`: measure this machine for the cost model and write the calibration
 * that `reelflow simulate --calibration FILE` takes.
 */
export async function calibrateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    'calibrate',
    argv,
    {
      executor: { type: 'string' },
      'light-tasks': { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    },
    [],
  );
  const { executor: name, lightTasks } = executorOptions(values);
  const clipSeconds = intOption('seconds', values.seconds, 20, 2, 600);
  const out = resolve(values.out ?? DEFAULT_CALIBRATION_FILE);
  await checkOut(out);
  const say = values.json ? io.stderr : io.stdout;

  let opened;
  try {
    opened = await openExecutor(name, { lightTasks });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (opened.why) say(`${opened.why}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'reelflow-calibrate-'));
  try {
    const report = await measureCalibration({
      executor: opened.executor,
      dir,
      clipSeconds,
      onStep: (what) => say(`calibrate: ${what}\n`),
    });
    try {
      await writeFileAtomically(out, `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      throw new UsageError(`cannot write ${out}: ${(err as Error).message}`);
    }
    const c = report.calibration;
    say(
      [
        `encode: ${c.encodeSecondsPerSecond} s per second of 720p video per core (H.264 veryfast)`,
        `copy: ${c.copySecondsPerSecond} s per second of video`,
        `task start-up: ${c.taskOverheadSeconds} s (${report.executor}), ${c.lightTaskOverheadSeconds} s for stream copies`,
        `wrote ${out}; use it with: reelflow simulate GRAPH --calibration ${out}`,
        '',
      ].join('\n'),
    );
    if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await opened.executor.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The calibration in a file `reelflow calibrate` wrote (or a bare calibration object); a
 * UsageError naming the file and the field when it is not one.
 */
export async function readCalibration(path: string): Promise<Calibration> {
  const value = await readJson(path);
  const candidate =
    value !== null && typeof value === 'object' && 'calibration' in value
      ? (value as { calibration: unknown }).calibration
      : value;
  const parsed = calibrationSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new UsageError(`${path} is not a calibration: ${where}${issue.message}`);
}
