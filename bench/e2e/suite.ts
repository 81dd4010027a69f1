/**
 * The end-to-end, quality, prediction and scheduling benchmarks of issue 7, run in one
 * session so every ratio compares measurements taken side by side.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIP_FPS, ensureClip } from './clips.js';
import {
  caseGraph,
  keyframeSecondsOf,
  plainArgv,
  REPO,
  splitSeconds,
  writeGraph,
  type GraphDoc,
} from './encode.js';
import { atLeast, atMost, figureOf, type Figure, type Target } from './figures.js';
import { caseLabel, type Case, type ExecutorName, type Matrix } from './matrix.js';
import {
  calibrate,
  calibrationFromPlain,
  cliPrediction,
  errorPercent,
  predictMakespan,
  type MachineCalibration,
} from './predict.js';
import { runOk } from './proc.js';
import { profileRun, type ProfileSummary } from './profile.js';
import { compare, joinFrames, sizeRatio, type Quality } from './quality.js';
import { nodeTypesOf, reelflowRun, type ReelflowRun } from './reelflow.js';
import {
  statusLatency,
  swarmOverhead,
  type LatencyResult,
  type OverheadResult,
} from './scheduling.js';
import { median, round } from './stats.js';
import { ladderFigures, runLadder, type LadderResult } from './ladder.js';

/** The parts of the suite; all by default. */
export const SECTIONS = ['scheduling', 'e2e', 'latency', 'ladder'] as const;
export type Section = (typeof SECTIONS)[number];

export interface SuiteOptions {
  readonly matrix: Matrix;
  /** Scratch space (bench/.work): clips are cached here, runs are deleted after each case. */
  readonly workDir: string;
  readonly sections: ReadonlySet<Section>;
  /** Profile one run per executor when an end-to-end figure misses its target. */
  readonly profile: boolean;
  /** Keep every run's files (outputs, run directories) for inspection. */
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

/** One executor's run in one repetition. */
export interface RunRecord {
  readonly wallSeconds: number;
  /** The run inside the runtime (first `running` to its end), from its event log. */
  readonly runSeconds?: number;
  /** Per node type: busy wall seconds (union of its tasks) over the run's seconds. */
  readonly shares?: Record<string, number>;
  readonly nonEncodeShare?: number;
  readonly tasks?: Record<string, number>;
}

export interface RepRecord {
  readonly order: string[];
  readonly plainSeconds?: number;
  readonly runs: Partial<Record<ExecutorName, RunRecord>>;
}

export interface CaseResult {
  readonly label: string;
  readonly case: Case;
  readonly chunks: number;
  readonly reps: RepRecord[];
  /** Run wall over plain wall of the same repetition, per executor. */
  readonly ratios: Partial<Record<ExecutorName, number[]>>;
  readonly quality: Partial<
    Record<ExecutorName, { vsPlain: Quality; vsSource: Quality; sizeRatio: number }>
  > & {
    plainVsSource?: Quality;
  };
  /** Measured just before the case's runs, so it sees the same machine load as they do. */
  readonly calibration: MachineCalibration;
  readonly prediction: Partial<
    Record<
      ExecutorName,
      {
        predictedSeconds: number;
        measuredSeconds: number;
        errorPercent: number;
        /** Per repetition: the error when calibrated by that repetition's plain encode. */
        adjacentErrorPercents: number[];
        cliPredictedSeconds?: number;
        cliErrorPercent?: number;
      }
    >
  >;
  readonly errors: string[];
}

export interface SuiteResults {
  /**
   * Set when the predictions were computed again from the recorded calibrations and run
   * times (`--repredict`), after the cost model changed: when, and why it was allowed.
   */
  readonly repredicted?: string;
  readonly matrix: Matrix;
  readonly overhead?: OverheadResult[];
  readonly latency: LatencyResult[];
  readonly cases: CaseResult[];
  /** Issue 13's ABR ladder against one plain split=4 ffmpeg (section `ladder`). */
  readonly ladder?: LadderResult;
  readonly profiles: ProfileSummary[];
  readonly figures: Figure[];
  readonly errors: string[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-');

/** `items` rotated left by `by`: alternation that moves each contender through each slot. */
export const rotate = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length]!);

function runRecord(r: ReelflowRun): RunRecord {
  const t = r.timings;
  if (!t) return { wallSeconds: r.wallSeconds };
  const shares = Object.fromEntries(
    Object.entries(t.byType).map(([type, v]) => [type, v.busySeconds / t.runSeconds]),
  );
  const tasks = Object.fromEntries(Object.entries(t.byType).map(([type, v]) => [type, v.tasks]));
  return {
    wallSeconds: r.wallSeconds,
    runSeconds: t.runSeconds,
    shares,
    nonEncodeShare: t.nonEncodeShare,
    tasks,
  };
}

/** Everything measured for one case: alternated runs, then quality and prediction. */
async function runCase(c: Case, opts: SuiteOptions): Promise<CaseResult> {
  const { matrix, workDir, log } = opts;
  const label = caseLabel(c);
  log(`  ${label}: reelflow calibrate (process start, stream copy, encodes, task start-up)`);
  const calibration = await calibrate(workDir, matrix.executors);
  const clip = await ensureClip(join(workDir, 'clips'), c.clip);
  const doc: GraphDoc = await caseGraph(c, matrix.crf);
  const graphPath = await writeGraph(join(workDir, 'graphs'), doc);
  const nodeTypes = await nodeTypesOf(graphPath);
  const caseDir = join(workDir, 'runs', slug(label));
  await rm(caseDir, { recursive: true, force: true });
  const errors: string[] = [];
  const reps: RepRecord[] = [];
  const firstVideo: Partial<Record<ExecutorName, string>> = {};
  const plainOf = (rep: number) => join(caseDir, String(rep), 'plain.mp4');

  for (let rep = 0; rep < matrix.reps; rep++) {
    const order = rotate(['plain', ...matrix.executors] as const, rep);
    const record: { plainSeconds?: number; runs: RepRecord['runs'] } = { runs: {} };
    for (const who of order) {
      try {
        if (who === 'plain') {
          await mkdir(join(caseDir, String(rep)), { recursive: true });
          record.plainSeconds = (
            await runOk(plainArgv(clip, c, matrix.crf, plainOf(rep), keyframeSecondsOf(doc)))
          ).seconds;
          log(`  ${label} rep ${rep + 1}: plain ffmpeg ${record.plainSeconds.toFixed(2)} s`);
        } else {
          const r = await reelflowRun(
            graphPath,
            nodeTypes,
            clip,
            who,
            join(caseDir, String(rep), who),
          );
          record.runs[who] = runRecord(r);
          if (rep === 0 && r.video) firstVideo[who] = r.video;
          log(
            `  ${label} rep ${rep + 1}: reelflow ${who} ${r.wallSeconds.toFixed(2)} s (run ${r.timings?.runSeconds.toFixed(2) ?? '?'} s)`,
          );
        }
      } catch (err) {
        errors.push(`${label} rep ${rep + 1} ${who}: ${message(err)}`);
        log(`  ${label} rep ${rep + 1}: ${who} FAILED: ${message(err)}`);
      }
    }
    reps.push({ order: [...order], ...record });
  }

  const ratios: CaseResult['ratios'] = {};
  for (const e of matrix.executors) {
    ratios[e] = reps.flatMap((r) =>
      r.plainSeconds && r.runs[e] ? [r.runs[e]!.wallSeconds / r.plainSeconds] : [],
    );
  }
  const chunks = Math.ceil(c.clip.durationSeconds / splitSeconds(doc) - 1e-9);
  const quality = await measureQuality(c, clip, plainOf(0), firstVideo, splitSeconds(doc), errors);
  const prediction = await predict(c, doc, graphPath, reps, matrix.executors, calibration);
  if (!opts.keep) await rm(caseDir, { recursive: true, force: true });
  return { label, case: c, chunks, reps, ratios, quality, calibration, prediction, errors };
}

/** PSNR/SSIM of the first repetition's chunked outputs against the plain output and the source. */
async function measureQuality(
  c: Case,
  clip: string,
  plain: string,
  videos: Partial<Record<ExecutorName, string>>,
  segmentSeconds: number,
  errors: string[],
): Promise<CaseResult['quality']> {
  const quality: CaseResult['quality'] = {};
  const joins = joinFrames(c.clip.durationSeconds, segmentSeconds, CLIP_FPS);
  try {
    quality.plainVsSource = await compare(plain, clip, c.clip.height, joins);
    for (const [e, video] of Object.entries(videos) as Array<[ExecutorName, string]>) {
      quality[e] = {
        vsPlain: await compare(video, plain, c.clip.height, joins),
        vsSource: await compare(video, clip, c.clip.height, joins),
        sizeRatio: await sizeRatio(video, plain),
      };
    }
  } catch (err) {
    errors.push(`${caseLabel(c)} quality: ${message(err)}`);
  }
  return quality;
}

/**
 * Calibrated and uncalibrated predictions against the median measured run, and per
 * repetition a prediction calibrated by that repetition's plain encode.
 */
async function predict(
  c: Case,
  doc: GraphDoc,
  graphPath: string,
  reps: readonly RepRecord[],
  executors: readonly ExecutorName[],
  calibration: MachineCalibration,
): Promise<CaseResult['prediction']> {
  const { cores } = calibration;
  const duration = c.clip.durationSeconds;
  const cli = await cliPrediction(graphPath, duration, cores);
  const out: CaseResult['prediction'] = {};
  for (const e of executors) {
    const measured = reps.flatMap((r) => (r.runs[e]?.runSeconds ? [r.runs[e]!.runSeconds!] : []));
    if (measured.length === 0) continue;
    const measuredSeconds = median(measured);
    const file = calibration.files[e];
    const predictedSeconds =
      file === undefined ? undefined : await cliPrediction(graphPath, duration, cores, file);
    if (predictedSeconds === undefined) continue;
    const adjacentErrorPercents = reps.flatMap((r) => {
      const runSeconds = r.runs[e]?.runSeconds;
      if (!runSeconds || !r.plainSeconds) return [];
      const start = calibration.notes.processStartSeconds!;
      const local = calibrationFromPlain(
        doc,
        duration,
        cores,
        calibration[e],
        r.plainSeconds,
        start,
      );
      return [round(errorPercent(predictMakespan(doc, duration, cores, local), runSeconds), 1)];
    });
    out[e] = {
      predictedSeconds: round(predictedSeconds),
      measuredSeconds: round(measuredSeconds),
      errorPercent: round(errorPercent(predictedSeconds, measuredSeconds), 1),
      adjacentErrorPercents,
      ...(cli === undefined
        ? {}
        : {
            cliPredictedSeconds: round(cli),
            cliErrorPercent: round(errorPercent(cli, measuredSeconds), 1),
          }),
    };
  }
  return out;
}

/** Issue 7's targets for the wall-time ratio: by clip length and executor. */
export function ratioTarget(durationSeconds: number, executor: ExecutorName): Target | undefined {
  if (durationSeconds === 60) return atMost(executor === 'local' ? 1.1 : 1.15);
  if (durationSeconds === 300) return atMost(1.05);
  return undefined;
}

const pct = (v: number) => v * 100;

/** The table rows of the end-to-end, quality and prediction benchmarks. */
export function caseFigures(cases: readonly CaseResult[], matrix: Matrix): Figure[] {
  const figures: Figure[] = [];
  const durations = [...new Set(cases.map((c) => c.case.clip.durationSeconds))];
  const runs = (e: ExecutorName) =>
    cases.flatMap((c) => c.reps.flatMap((r) => (r.runs[e] ? [r.runs[e]!] : [])));
  for (const d of durations) {
    for (const e of matrix.executors) {
      const values = cases
        .filter((c) => c.case.clip.durationSeconds === d)
        .flatMap((c) => c.ratios[e] ?? []);
      figures.push(
        figureOf(
          {
            group: 'end to end',
            name: `Run wall / plain ffmpeg, ${e}, ${d} s clips`,
            unit: '×',
            target: ratioTarget(d, e),
          },
          values,
        ),
      );
    }
  }
  for (const e of matrix.executors) {
    const share = (type: string) =>
      runs(e).flatMap((r) => (r.shares?.[type] === undefined ? [] : [pct(r.shares[type]!)]));
    const g = { group: 'end to end', unit: '% of run', digits: 1 };
    figures.push(
      figureOf(
        { ...g, name: `Wall time with no encode running (split, transfers, merge, stream), ${e}` },
        runs(e).flatMap((r) => (r.nonEncodeShare === undefined ? [] : [pct(r.nonEncodeShare)])),
      ),
    );
    figures.push(figureOf({ ...g, name: `Split share of the run, ${e}` }, share('split')));
    figures.push(
      figureOf(
        { ...g, name: `Transfer share of the run (overlaps encodes), ${e}` },
        share('transfer'),
      ),
    );
    figures.push(figureOf({ ...g, name: `Merge share of the run, ${e}` }, share('merge')));
    figures.push(
      figureOf({ ...g, name: `Stream (HLS packaging) share of the run, ${e}` }, share('stream')),
    );
    figures.push(
      figureOf(
        {
          group: 'end to end',
          name: `CLI time outside the run (start-up, probe, shut-down), ${e}`,
          unit: 's',
        },
        runs(e).flatMap((r) => (r.runSeconds === undefined ? [] : [r.wallSeconds - r.runSeconds])),
      ),
    );
  }
  const q = (f: (c: CaseResult, e: ExecutorName) => number | undefined) =>
    cases.flatMap((c) =>
      matrix.executors.flatMap((e) =>
        c.quality[e] ? [f(c, e)].filter((v): v is number => v !== undefined) : [],
      ),
    );
  const gq = { group: 'quality', unit: 'dB', digits: 2 };
  figures.push(
    figureOf(
      { ...gq, name: 'PSNR, chunked output against plain output (same CRF)', target: atLeast(45) },
      q((c, e) => c.quality[e]!.vsPlain.psnr),
    ),
  );
  figures.push(
    figureOf(
      {
        ...gq,
        name: `PSNR at the joins (lowest frame within ±2 of a join), chunked against plain`,
      },
      q((c, e) => c.quality[e]!.vsPlain.psnrAtJoinsMin),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'SSIM, chunked output against plain output', unit: '', digits: 4 },
      q((c, e) => c.quality[e]!.vsPlain.ssim),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'PSNR, chunked output against source' },
      q((c, e) => c.quality[e]!.vsSource.psnr),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'PSNR at the joins, chunked output against source' },
      q((c, e) => c.quality[e]!.vsSource.psnrAtJoinsMin),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'PSNR, plain output against source (for comparison)' },
      cases.flatMap((c) => (c.quality.plainVsSource ? [c.quality.plainVsSource.psnr] : [])),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'SSIM, chunked output against source', unit: '', digits: 4 },
      q((c, e) => c.quality[e]!.vsSource.ssim),
    ),
  );
  figures.push(
    figureOf(
      { ...gq, name: 'Size, chunked output / plain output', unit: '×' },
      q((c, e) => c.quality[e]!.sizeRatio),
    ),
  );
  for (const e of matrix.executors) {
    const p = cases.flatMap((c) => (c.prediction[e] ? [c.prediction[e]!] : []));
    figures.push(
      figureOf(
        {
          group: 'prediction',
          name: `Prediction error |predicted − measured| / measured, calibrated, ${e}`,
          unit: '%',
          digits: 1,
          target: atMost(15),
        },
        p.map((x) => Math.abs(x.errorPercent)),
      ),
    );
    figures.push(
      figureOf(
        {
          group: 'prediction',
          name: `Prediction error, calibrated by the plain encode of the same repetition, ${e}`,
          unit: '%',
          digits: 1,
        },
        p.flatMap((x) => x.adjacentErrorPercents.map(Math.abs)),
      ),
    );
    figures.push(
      figureOf(
        {
          group: 'prediction',
          name: `Prediction error, \`reelflow simulate\` uncalibrated, ${e}`,
          unit: '%',
          digits: 1,
        },
        p.flatMap((x) => (x.cliErrorPercent === undefined ? [] : [Math.abs(x.cliErrorPercent)])),
      ),
    );
  }
  return figures;
}

/** Issue 5/7's targets for the Swarm task overhead by concurrency. */
const OVERHEAD_TARGETS: Record<number, Target> = { 1: atMost(0.6), 50: atMost(1.5) };

export function schedulingFigures(
  overhead: readonly OverheadResult[] | undefined,
  latency: readonly LatencyResult[],
): Figure[] {
  const figures: Figure[] = [];
  for (const n of [1, 10, 50]) {
    const o = overhead?.find((x) => x.concurrent === n);
    const input = {
      group: 'scheduling',
      name: `Swarm task overhead, create → complete of an empty task, ${n} concurrent`,
      unit: 's',
      target: OVERHEAD_TARGETS[n],
    };
    figures.push(
      o
        ? {
            ...input,
            ...summaryRound(o.seconds, 3),
            met: OVERHEAD_TARGETS[n] ? o.seconds.median <= OVERHEAD_TARGETS[n]!.value : undefined,
            ...(o.engineFloor
              ? {
                  note: `plain containers, same command, ${n} at once, no Swarm: median ${o.engineFloor.median.toFixed(2)} s`,
                }
              : {}),
          }
        : { ...input, note: 'not measured' },
    );
    if (o?.engineFloor)
      figures.push({
        group: 'scheduling',
        name: `Docker engine floor, create → exit of a plain container (no Swarm), ${n} concurrent`,
        unit: 's',
        ...summaryRound(o.engineFloor, 3),
      });
  }
  const lat = (kind: ExecutorName, from: 'fromEngineMs' | 'fromExecutorMs') =>
    latency.find((l) => l.executor === kind)?.[from];
  const rows: Array<[string, ExecutorName, 'fromEngineMs' | 'fromExecutorMs', boolean]> = [
    [
      'Status latency, swarm: container start/die (Docker event) → socket.io task:state',
      'swarm',
      'fromEngineMs',
      true,
    ],
    [
      'Status latency, swarm: executor event → socket.io task:state',
      'swarm',
      'fromExecutorMs',
      false,
    ],
    [
      'Status latency, local: process start/exit → socket.io task:state',
      'local',
      'fromExecutorMs',
      true,
    ],
  ];
  for (const [name, kind, from, targeted] of rows) {
    const s = lat(kind, from);
    const target = targeted ? atMost(300, 'p95') : undefined;
    const input = { group: 'scheduling', name, unit: 'ms', ...(target ? { target } : {}) };
    figures.push(
      s && s.n > 0
        ? {
            ...input,
            ...summaryRound(s, 1),
            p95: round(s.p95, 1),
            n: s.n,
            ...(target ? { met: s.p95 <= target.value } : {}),
          }
        : { ...input, note: 'not measured' },
    );
  }
  return figures;
}

function summaryRound(s: { median: number; min: number; max: number; n: number }, digits: number) {
  return {
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    n: s.n,
  };
}

/** Run the suite's sections in an order that feeds each the figures it needs. */
export async function runSuite(opts: SuiteOptions): Promise<SuiteResults> {
  const { matrix, workDir, sections, log } = opts;
  const errors: string[] = [];
  const quick = matrix.name === 'quick';
  const measureOverhead = async (attempt: string): Promise<OverheadResult[] | undefined> => {
    log(`scheduling: swarm task overhead (1, 10, 50 concurrent)${attempt}`);
    try {
      return await swarmOverhead(workDir, [1, 10, 50], (n) =>
        n === 1 ? (quick ? 5 : 11) : n === 10 ? (quick ? 1 : 3) : 1,
      );
    } catch (err) {
      errors.push(`swarm overhead${attempt}: ${message(err)}`);
      return undefined;
    }
  };
  const wantOverhead = sections.has('scheduling') && matrix.executors.includes('swarm');
  let overhead = wantOverhead ? await measureOverhead('') : undefined;
  const cases: CaseResult[] = [];
  if (sections.has('e2e')) {
    for (const c of matrix.cases) {
      log(`end to end: ${caseLabel(c)}`);
      cases.push(await runCase(c, opts));
    }
  }
  // The engine may have been away for a moment (other users of this machine restart it).
  if (wantOverhead && !overhead) overhead = await measureOverhead(' (second attempt)');
  const latency: LatencyResult[] = [];
  if (sections.has('latency')) {
    const clip = await ensureClip(join(workDir, 'clips'), {
      durationSeconds: 40,
      width: 640,
      height: 360,
    });
    for (const kind of matrix.executors) {
      log(`scheduling: status latency through the runtime (${kind})`);
      try {
        latency.push(await statusLatency(workDir, kind, clip));
      } catch (err) {
        errors.push(`status latency (${kind}): ${message(err)}`);
      }
    }
  }
  let ladder: LadderResult | undefined;
  if (sections.has('ladder')) {
    log('ladder: ABR example against one plain ffmpeg (split=4), 60 s 1080p');
    ladder = await runLadder({
      workDir,
      executors: matrix.executors,
      reps: matrix.reps,
      keep: opts.keep,
      log,
    });
    errors.push(...ladder.errors);
  }
  const figures = [
    ...caseFigures(cases, matrix),
    ...schedulingFigures(overhead, latency),
    ...(ladder ? ladderFigures(ladder, matrix.executors) : []),
  ];
  const profiles = opts.profile ? await profileMisses(figures, cases, opts, errors) : [];
  return {
    matrix,
    overhead,
    latency,
    cases,
    ...(ladder ? { ladder } : {}),
    profiles,
    figures,
    errors: [...errors, ...cases.flatMap((c) => c.errors)],
  };
}

/** Profile one run per executor whose wall-time ratio missed its target (first case of the matrix). */
async function profileMisses(
  figures: readonly Figure[],
  cases: readonly CaseResult[],
  opts: SuiteOptions,
  errors: string[],
): Promise<ProfileSummary[]> {
  const first = cases[0];
  if (!first) return [];
  const missed = opts.matrix.executors.filter((e) =>
    figures.some((f) => f.group === 'end to end' && f.name.includes(`, ${e}, `) && f.met === false),
  );
  const out: ProfileSummary[] = [];
  for (const e of missed) {
    opts.log(`profile: one ${caseLabel(first.case)} run with ${e} under node --cpu-prof`);
    try {
      const clip = await ensureClip(join(opts.workDir, 'clips'), first.case.clip);
      const graphPath = await writeGraph(
        join(opts.workDir, 'graphs'),
        await caseGraph(first.case, opts.matrix.crf),
      );
      out.push(await profileRun(graphPath, clip, e, join(opts.workDir, 'profile', e), REPO));
    } catch (err) {
      errors.push(`profile (${e}): ${message(err)}`);
    }
  }
  return out;
}

/**
 * The predictions of a recorded session computed again with the current cost model: each
 * case's recorded calibration is written to a file and `reelflow simulate --calibration` run
 * on its graph; the measured run times stay as recorded. Prediction is a pure function of
 * the graph, the calibration and the clip's length, so nothing is measured again.
 */
export async function repredict(suite: SuiteResults, workDir: string): Promise<SuiteResults> {
  const dir = join(workDir, 'repredict');
  await mkdir(dir, { recursive: true });
  const cases: CaseResult[] = [];
  for (const c of suite.cases) {
    const doc = await caseGraph(c.case, suite.matrix.crf);
    const graphPath = await writeGraph(join(dir, 'graphs'), doc);
    const files: MachineCalibration['files'] = {};
    for (const e of suite.matrix.executors) {
      files[e] = join(dir, `${slug(c.label)}-${e}.json`);
      await writeFile(files[e]!, JSON.stringify({ calibration: c.calibration[e] }));
    }
    const calibration = { ...c.calibration, files };
    const prediction = await predict(
      c.case,
      doc,
      graphPath,
      c.reps,
      suite.matrix.executors,
      calibration,
    );
    cases.push({ ...c, prediction });
  }
  return {
    ...suite,
    cases,
    figures: withPredictions(suite.figures, caseFigures(cases, suite.matrix)),
    repredicted: new Date().toISOString(),
  };
}

/** `figures` with each prediction figure replaced by its namesake in `fresh`. */
export function withPredictions(figures: readonly Figure[], fresh: readonly Figure[]): Figure[] {
  return figures.map((f) =>
    f.group === 'prediction' ? (fresh.find((x) => x.name === f.name) ?? f) : f,
  );
}
