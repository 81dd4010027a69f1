/**
 * Which end-to-end cases a benchmark session runs. The full matrix is what issue 7 asks
 * for; on a 2-core machine it takes hours, so `--quick` runs one small pair and every
 * dimension can be narrowed through the environment.
 */

export type ExecutorName = 'swarm' | 'local';

/** A generated test clip. */
export interface ClipSpec {
  readonly durationSeconds: number;
  readonly width: number;
  readonly height: number;
}

/** One pair of the matrix: a clip and an H.264 preset, run plainly and through Reelflow. */
export interface Case {
  readonly clip: ClipSpec;
  readonly preset: string;
}

export interface Matrix {
  readonly name: 'quick' | 'full' | 'custom';
  readonly cases: readonly Case[];
  readonly executors: readonly ExecutorName[];
  /** Alternated repetitions of each case (plain, then each executor, order rotated). */
  readonly reps: number;
  /** CRF of both the plain encode and the graph's encode node. */
  readonly crf: number;
}

const FULL = {
  durations: [60, 300],
  sizes: ['1280x720', '1920x1080'],
  presets: ['veryfast', 'medium'],
  executors: ['swarm', 'local'] as ExecutorName[],
  reps: 3,
};
const QUICK = { ...FULL, durations: [60], sizes: ['1280x720'], presets: ['veryfast'], reps: 2 };

const list = (text: string | undefined): string[] | undefined =>
  text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseSize(size: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`bad size '${size}': write WIDTHxHEIGHT, e.g. 1280x720`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, got '${text}'`);
  return n;
}

/**
 * The matrix for `quick` or `full`, narrowed by BENCH_DURATIONS (seconds, comma-separated),
 * BENCH_SIZES (`1280x720,1920x1080`), BENCH_PRESETS, BENCH_EXECUTORS and BENCH_REPS.
 */
export function matrixFrom(quick: boolean, env: NodeJS.ProcessEnv = process.env): Matrix {
  const base = quick ? QUICK : FULL;
  const durations =
    list(env.BENCH_DURATIONS)?.map((d) => positiveInt('BENCH_DURATIONS', d)) ?? base.durations;
  const sizes = (list(env.BENCH_SIZES) ?? base.sizes).map(parseSize);
  const presets = list(env.BENCH_PRESETS) ?? base.presets;
  const executors = (list(env.BENCH_EXECUTORS) ?? base.executors).map((e) => {
    if (e !== 'swarm' && e !== 'local') throw new Error(`BENCH_EXECUTORS: unknown executor '${e}'`);
    return e;
  });
  const reps = env.BENCH_REPS ? positiveInt('BENCH_REPS', env.BENCH_REPS) : base.reps;
  const narrowed = [
    'BENCH_DURATIONS',
    'BENCH_SIZES',
    'BENCH_PRESETS',
    'BENCH_EXECUTORS',
    'BENCH_REPS',
  ].some((k) => env[k]);
  const cases = durations.flatMap((durationSeconds) =>
    sizes.flatMap((size) =>
      presets.map((preset) => ({ clip: { durationSeconds, ...size }, preset })),
    ),
  );
  return { name: narrowed ? 'custom' : quick ? 'quick' : 'full', cases, executors, reps, crf: 23 };
}

/** `60s 1280x720 veryfast`: how a case is named in tables. */
export const caseLabel = (c: Case): string =>
  `${c.clip.durationSeconds}s ${c.clip.width}x${c.clip.height} ${c.preset}`;

/** One line saying what a matrix holds, for RESULTS.md. */
export function describeMatrix(m: Matrix): string {
  const values = <T>(f: (c: Case) => T) => [...new Set(m.cases.map(f))].join(', ');
  return (
    `${m.name}: clips ${values((c) => `${c.clip.durationSeconds} s`)} × ` +
    `${values((c) => `${c.clip.width}x${c.clip.height}`)}, presets ${values((c) => c.preset)}, ` +
    `executors ${m.executors.join(', ')}, ${m.reps} alternated repetition(s) per pair, CRF ${m.crf}`
  );
}
