/**
 * Prediction against reality (issue 4/7): `reelflow calibrate` measures this machine, then
 * `reelflow simulate --calibration` predicts each measured run's makespan; the command's
 * uncalibrated prediction (the reference machine) is recorded beside it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Calibration, ExecutorName, Graph, GraphNode } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { resolveParams, simulateGraph } from '@reelflow/semantics';
import type { GraphDoc } from './encode.js';
import { run, runOk } from './proc.js';
import { reelflowArgv } from './reelflow.js';

/** What `reelflow calibrate --json` prints (its last line). */
interface CalibrationReport {
  readonly cores: number;
  readonly calibration: Calibration;
  readonly measurements: Record<string, number>;
}

export interface MachineCalibration {
  /** Per executor: the task overhead differs (a container against a process). */
  readonly local: Calibration;
  readonly swarm: Calibration;
  /** The files `reelflow calibrate` wrote, per executor measured. */
  readonly files: Partial<Record<ExecutorName, string>>;
  readonly cores: number;
  /** How each figure was measured (the local calibration's), for RESULTS.md. */
  readonly notes: Record<string, number>;
}

async function cliCalibrate(file: string, executor: ExecutorName): Promise<CalibrationReport> {
  // prettier-ignore
  const r = await runOk(reelflowArgv([], 'calibrate', '--executor', executor, '--out', file, '--json'));
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as CalibrationReport;
}

/**
 * `reelflow calibrate` for the local executor and, when the matrix has it, for swarm: a
 * process start, a stream copy, the library's encode one per core side by side on a 20 s
 * 720p clip, and an empty task's start-up through the executor (heavy and light).
 */
export async function calibrate(
  workDir: string,
  executors: readonly ExecutorName[],
): Promise<MachineCalibration> {
  const dir = join(workDir, 'calibration');
  await mkdir(dir, { recursive: true });
  const files: Partial<Record<ExecutorName, string>> = { local: join(dir, 'local.json') };
  const local = await cliCalibrate(files.local!, 'local');
  let swarm = local;
  if (executors.includes('swarm')) {
    files.swarm = join(dir, 'swarm.json');
    swarm = await cliCalibrate(files.swarm, 'swarm');
  }
  return {
    cores: local.cores,
    local: local.calibration,
    swarm: swarm.calibration,
    files,
    notes: {
      processStartSeconds: local.measurements.processStartSeconds!,
      copySeconds: local.measurements.copySeconds!,
      encodeSeconds: local.measurements.encodeSeconds!,
      clipSeconds: local.measurements.clipSeconds!,
    },
  };
}

/** A prediction with a calibration object (for the per-repetition rescaled calibration). */
export function predictMakespan(
  doc: GraphDoc,
  durationSeconds: number,
  cores: number,
  calibration: Calibration,
): number {
  return simulateGraph(doc as unknown as Graph, library, {
    workers: 1,
    cores,
    calibration,
    durationSeconds,
  }).makespanSeconds;
}

/**
 * `reelflow simulate --json` on one worker with `cores` cores: with `calibrationFile` the
 * calibrated prediction, without it the command as shipped (reference calibration).
 */
export async function cliPrediction(
  graphPath: string,
  durationSeconds: number,
  cores: number,
  calibrationFile?: string,
): Promise<number | undefined> {
  // prettier-ignore
  const r = await run(reelflowArgv(
    [], 'simulate', graphPath,
    '--workers', '1', '--cores', String(cores), '--duration', String(durationSeconds), '--json',
    ...(calibrationFile === undefined ? [] : ['--calibration', calibrationFile]),
  ));
  if (r.code !== 0) return undefined;
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    makespanSeconds?: number;
  };
  return report.makespanSeconds;
}

/** Signed error of a prediction in percent of the measured value. */
export const errorPercent = (predicted: number, measured: number): number =>
  ((predicted - measured) / measured) * 100;

/**
 * The calibration rescaled so the cost model reproduces a measured plain encode of the whole
 * clip (`plainSeconds`, one process on `cores` cores). Taken from the encode that ran right
 * beside a Reelflow run, it sees the same machine load, which a calibration minutes earlier
 * on a busy machine does not. It also carries x264's threading losses (one process on every
 * core does less per core than one single-threaded encode per core, as tasks run), so it
 * predicts somewhat long.
 */
export function calibrationFromPlain(
  doc: GraphDoc,
  durationSeconds: number,
  cores: number,
  base: Calibration,
  plainSeconds: number,
  processStartSeconds: number,
): Calibration {
  const node = doc.nodes.find((n) => n.type === 'encode');
  const def = library.get('encode');
  if (!node || !def) return base;
  const params = resolveParams(def, node as unknown as GraphNode);
  const media = { durationSeconds, width: 1280, height: 720 };
  const modelled = (def.estimateSeconds(params, media, base) - base.taskOverheadSeconds) / cores;
  if (!(modelled > 0)) return base;
  const factor = Math.max(0, plainSeconds - processStartSeconds) / modelled;
  return { ...base, encodeSecondsPerSecond: base.encodeSecondsPerSecond * factor };
}
