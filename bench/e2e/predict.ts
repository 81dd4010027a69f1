/**
 * Prediction against reality (issue 4/7): calibrate the cost model on this machine with
 * short plain-ffmpeg measurements, then predict each measured run's makespan with the same
 * simulator `reelflow simulate` uses.
 *
 * `reelflow simulate` has no option that takes a calibration, so the calibrated prediction
 * calls `simulateGraph` (what the command runs) with it; the command's own, uncalibrated
 * prediction is recorded beside it.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Calibration, Graph, GraphNode } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { resolveParams, simulateGraph } from '@reelflow/semantics';
import { ensureClip } from './clips.js';
import type { GraphDoc } from './encode.js';
import { run, runOk } from './proc.js';
import { reelflowArgv } from './reelflow.js';
import { median } from './stats.js';

/** The calibration clip: 20 s of 720p, the cost model's reference resolution. */
const CALIBRATION_CLIP = { durationSeconds: 20, width: 1280, height: 720 };
const SAMPLES = 3;

export interface MachineCalibration {
  /** Per executor: the task overhead differs (a container against a process). */
  readonly local: Calibration;
  readonly swarm: Calibration;
  readonly cores: number;
  /** How each figure was measured, for RESULTS.md. */
  readonly notes: Record<string, number>;
}

const ffmpeg = (...args: string[]) => [
  'ffmpeg',
  '-hide_banner',
  '-nostdin',
  '-y',
  '-loglevel',
  'error',
  ...args,
];

async function medianSeconds(argv: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) times.push((await runOk(argv)).seconds);
  return median(times);
}

/**
 * Measure this machine: a process start (the smallest ffmpeg task), a stream copy and a
 * 720p H.264 veryfast encode of the calibration clip using every core. The cost model
 * counts encode work per core (a task holding k cores takes a k-th), so the encode's wall
 * time is multiplied back by the cores it used. `swarmOverheadSeconds` is the measured
 * Swarm task overhead (service create to complete), when it was measured.
 */
export async function calibrate(
  workDir: string,
  swarmOverheadSeconds?: number,
): Promise<MachineCalibration> {
  const clip = await ensureClip(join(workDir, 'clips'), CALIBRATION_CLIP);
  const cores = availableParallelism();
  const d = CALIBRATION_CLIP.durationSeconds;
  const start = await medianSeconds(
    ffmpeg('-f', 'lavfi', '-i', 'nullsrc=d=0.04', '-f', 'null', '-'),
  );
  const copy = await medianSeconds(
    ffmpeg(
      '-i',
      clip,
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      'mpegts',
      join(workDir, 'calibration-copy.ts'),
    ),
  );
  // prettier-ignore
  const encode = await medianSeconds(ffmpeg(
    '-i', clip, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', join(workDir, 'calibration-encode.ts'),
  ));
  const base = {
    encodeSecondsPerSecond: (Math.max(0, encode - start) * cores) / d,
    copySecondsPerSecond: Math.max(0, copy - start) / d,
  };
  return {
    cores,
    local: { ...base, taskOverheadSeconds: start },
    // Swarm runs the copies (split, transfers, merge, stream) as processes beside the run
    // directory: they start like a local process, only the encodes pay Swarm's start-up.
    swarm: {
      ...base,
      taskOverheadSeconds: swarmOverheadSeconds ?? start,
      lightTaskOverheadSeconds: start,
    },
    notes: { processStartSeconds: start, copySeconds: copy, encodeSeconds: encode, clipSeconds: d },
  };
}

/** The calibrated prediction: one worker with this machine's cores, the clip's length. */
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

/** `reelflow simulate --json` as shipped (reference calibration), for comparison. */
export async function cliPrediction(
  graphPath: string,
  durationSeconds: number,
  cores: number,
): Promise<number | undefined> {
  // prettier-ignore
  const r = await run(reelflowArgv(
    [], 'simulate', graphPath,
    '--workers', '1', '--cores', String(cores), '--duration', String(durationSeconds), '--json',
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
 * on a busy machine does not; what error remains is the model's own.
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
