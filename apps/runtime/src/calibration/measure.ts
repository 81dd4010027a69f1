import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Calibration, ExecutorName, TaskSpec, Token } from '@reelflow/fbp-model';
import { encode } from '@reelflow/library';
import { DEFAULT_TASK_IMAGE } from '../executors/detect.js';
import type { Executor, ExecutorEvent } from '../executors/types.js';

/** What `reelflow calibrate` measured, and the calibration made of it. */
export interface CalibrationReport {
  readonly reelflowCalibration: 1;
  readonly measuredAt: string;
  readonly executor: ExecutorName;
  /** Cores of this machine: the encodes ran one per core, side by side. */
  readonly cores: number;
  readonly calibration: Calibration;
  /** Medians of `samples` measurements each, in seconds. */
  readonly measurements: {
    readonly clipSeconds: number;
    readonly samples: number;
    readonly processStartSeconds: number;
    readonly copySeconds: number;
    readonly encodeSeconds: number;
    readonly taskSeconds: number;
    readonly lightTaskSeconds: number;
  };
}

export interface MeasureOptions {
  /** The executor whose task start-up is measured (it runs one empty task at a time). */
  readonly executor: Executor;
  /** A scratch directory: the generated clip and the measurements' outputs go there. */
  readonly dir: string;
  /** Length of the generated 720p clip (default 20 s). */
  readonly clipSeconds?: number;
  /** The image tasks run (default: as runs do, REELFLOW_IMAGE or the local ffmpeg image). */
  readonly image?: string;
  /** Measurements per figure; the median is kept (default 3). */
  readonly samples?: number;
  /** Encodes side by side (default: this machine's cores). */
  readonly cores?: number;
  /** Told before each step, for progress. */
  readonly onStep?: (what: string) => void;
}

const CLIP = 'clip.mp4';
const FFMPEG = ['ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];

function exec(argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const last = String(stderr).trim().split('\n').at(-1) || err.message;
      reject(new Error(`${argv[0]} failed while calibrating: ${last}`));
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function medianOf(samples: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await timed(work));
  return median(times);
}

/** A 720p test clip (moving pattern and a tone, a keyframe every 2 s), as `reelflow` runs get. */
function clipArgv(seconds: number, out: string): string[] {
  // prettier-ignore
  return [
    ...FFMPEG,
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k', '-shortest', out,
  ];
}

/**
 * The argv of encode task `index` on the clip: the library's encode node with its defaults
 * (H.264 veryfast, CRF 23, its threads), compiled as a run would compile it.
 */
function encodeArgv(dir: string, clip: string, seconds: number, index: number): readonly string[] {
  const input: Token = {
    id: `calibration/${index}`,
    dataType: 'chunk',
    path: clip, // relative to `dir`, the storage root
    via: 'shared',
    durationSeconds: seconds,
  };
  const [spec] = encode.compile({
    runId: 'calibration',
    node: { id: 'encode', type: 'encode', params: {} },
    params: encode.params.parse({}),
    inputs: [input],
    index,
    storage: { root: dir },
    image: '',
  });
  return spec!.argv;
}

/** Seconds from launch() to the executor's `succeeded` of one empty task (`ffmpeg -version`). */
async function emptyTaskSeconds(
  executor: Executor,
  dir: string,
  image: string,
  light: boolean,
): Promise<number> {
  const runId = `calibrate-${randomUUID().slice(0, 8)}`;
  const spec: TaskSpec = {
    key: 'empty:0',
    nodeId: 'empty',
    index: 0,
    image,
    argv: ['ffmpeg', '-hide_banner', '-version'],
    mounts: [],
    resources: { cpus: 0.01, memoryBytes: 16 * 1024 * 1024 },
    placement: [],
    labels: {},
    outputs: [],
    inputs: [],
  };
  let stop: () => void = () => {};
  const finished = new Promise<ExecutorEvent>((resolve) => {
    stop = executor.onEvent((e) => {
      if (e.runId !== runId) return;
      if (e.type === 'succeeded' || e.type === 'failed' || e.type === 'cancelled') resolve(e);
    });
  });
  try {
    const started = performance.now();
    await executor.launch({ runId, spec, attempt: 0, runDir: dir, light });
    const end = await finished;
    if (end.type !== 'succeeded') {
      const why = end.type === 'failed' ? end.reason : 'it was cancelled';
      throw new Error(`an empty task on the ${executor.name} executor did not succeed: ${why}`);
    }
    return (performance.now() - started) / 1000;
  } finally {
    stop();
    await executor.cleanupRun(runId).catch(() => undefined);
  }
}

/**
 * Measure this machine for the cost model (`Calibration`): a process start, a stream copy of
 * a 720p clip, the library's encode on it one per core side by side (what a run's encode
 * tasks do), and how long an empty task takes through `executor`, as a heavy and as a light
 * task. Each figure is the median of `samples`.
 */
export async function measureCalibration(options: MeasureOptions): Promise<CalibrationReport> {
  const { executor, dir } = options;
  const seconds = options.clipSeconds ?? 20;
  const samples = options.samples ?? 3;
  const cores = options.cores ?? availableParallelism();
  const step = options.onStep ?? (() => {});
  await mkdir(join(dir, 'work', 'encode'), { recursive: true });

  step(`generating a ${seconds} s 1280x720 clip`);
  const clip = join(dir, CLIP);
  await exec(clipArgv(seconds, clip));

  step('timing a process start');
  const processStart = await medianOf(samples, () =>
    exec([...FFMPEG, '-f', 'lavfi', '-i', 'nullsrc=d=0.04', '-f', 'null', '-']),
  );
  step('timing a stream copy');
  const copy = await medianOf(samples, () =>
    exec([...FFMPEG, '-i', clip, '-map', '0', '-c', 'copy', '-f', 'mpegts', join(dir, 'copy.ts')]),
  );
  step(`timing ${cores} encode(s) side by side`);
  const argvs = Array.from({ length: cores }, (_, k) => encodeArgv(dir, CLIP, seconds, k));
  const encodeSeconds = await medianOf(samples, () => Promise.all(argvs.map(exec)));
  step(`timing an empty task on the ${executor.name} executor`);
  const image = options.image ?? process.env.REELFLOW_IMAGE ?? DEFAULT_TASK_IMAGE;
  const task = await medianOf(samples, () => emptyTaskSeconds(executor, dir, image, false));
  const lightTask = await medianOf(samples, () => emptyTaskSeconds(executor, dir, image, true));

  return {
    reelflowCalibration: 1,
    measuredAt: new Date().toISOString(),
    executor: executor.name,
    cores,
    calibration: {
      encodeSecondsPerSecond: round(Math.max(0.001, encodeSeconds - processStart) / seconds),
      copySecondsPerSecond: round(Math.max(0, copy - processStart) / seconds),
      taskOverheadSeconds: round(task),
      lightTaskOverheadSeconds: round(lightTask),
    },
    measurements: {
      clipSeconds: seconds,
      samples,
      processStartSeconds: round(processStart),
      copySeconds: round(copy),
      encodeSeconds: round(encodeSeconds),
      taskSeconds: round(task),
      lightTaskSeconds: round(lightTask),
    },
  };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
