/**
 * Issue 13's ladder benchmark: the ABR example (`examples/abr-ladder.reelflow.json`, four
 * H.264 rungs over HLS, sibling encodes of a chunk fused into one decode-once task) run by
 * Reelflow locally and on Swarm, against one plain `ffmpeg` that decodes the clip once,
 * `split=4`s it and writes the same four HLS variants. Runs alternate (plain, local, swarm,
 * then rotated) and each ratio pairs a run with the plain command of its own repetition.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureClip } from './clips.js';
import { REPO, splitSeconds, type GraphDoc } from './encode.js';
import { atMost, figureOf, type Figure } from './figures.js';
import type { ClipSpec, ExecutorName } from './matrix.js';
import { runOk } from './proc.js';
import { nodeTypesOf, reelflowRun, type ReelflowRun } from './reelflow.js';
import { round } from './stats.js';

export const LADDER_GRAPH = join(REPO, 'examples/abr-ladder.reelflow.json');
/** The issue's clip: 60 s of 1080p. */
export const LADDER_CLIP: ClipSpec = { durationSeconds: 60, width: 1920, height: 1080 };
/** Issue 13's targets for the wall-time ratio against the plain command. */
export const LADDER_TARGETS: Record<ExecutorName, number> = { local: 1.05, swarm: 1.1 };

/** One rung of the ladder, read from the example's encode nodes. */
export interface Rung {
  readonly height: number;
  readonly bitrateKbps: number;
  readonly preset: string;
  readonly keyframeSeconds: number;
}

/** The ladder's rungs (encode nodes, in graph order) and the stream's segment length. */
export function ladderOf(doc: GraphDoc): { rungs: Rung[]; segmentSeconds: number } {
  const rungs = doc.nodes
    .filter((n) => n.type === 'encode')
    .map((n) => {
      const p = n.params;
      if (typeof p.height !== 'number' || typeof p.bitrateKbps !== 'number')
        throw new Error(`ladder graph: encode node '${n.id}' needs a height and a bitrateKbps`);
      return {
        height: p.height,
        bitrateKbps: p.bitrateKbps,
        preset: typeof p.preset === 'string' ? p.preset : 'medium',
        keyframeSeconds: typeof p.keyframeSeconds === 'number' ? p.keyframeSeconds : 2,
      };
    });
  if (rungs.length === 0) throw new Error('ladder graph: no encode node');
  const stream = doc.nodes.find((n) => n.type === 'stream');
  const s = stream?.params.segmentSeconds;
  return { rungs, segmentSeconds: typeof s === 'number' ? s : 6 };
}

/**
 * The plain command: one ffmpeg, one decode, `split=N`, each rung scaled and encoded as the
 * example's encode nodes do (libx264, its preset and bitrate, yuv420p, closed GOP, a forced
 * keyframe every `keyframeSeconds`, AAC 128k) and written as an HLS variant (`v0`, `v1`, …)
 * with the stream node's segment length, plus a master playlist.
 */
export function plainLadderArgv(
  input: string,
  rungs: readonly Rung[],
  segmentSeconds: number,
  outDir: string,
): string[] {
  const n = rungs.length;
  const labels = rungs.map((_, i) => `s${i}`);
  const filter = [
    `[0:v]split=${n}${labels.map((l) => `[${l}]`).join('')}`,
    ...rungs.map((r, i) => `[s${i}]scale=-2:${r.height}[v${i}]`),
  ].join(';');
  // prettier-ignore
  return [
    'ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-i', input,
    '-filter_complex', filter,
    ...rungs.flatMap((r, i) => [
      '-map', `[v${i}]`, '-map', '0:a:0?',
      `-c:v:${i}`, 'libx264', `-preset:v:${i}`, r.preset, `-b:v:${i}`, `${r.bitrateKbps}k`,
      `-force_key_frames:v:${i}`, `expr:gte(t,n_forced*${r.keyframeSeconds})`,
    ]),
    '-pix_fmt', 'yuv420p', '-flags', '+cgop',
    '-c:a', 'aac', '-b:a', '128k',
    '-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod',
    '-var_stream_map', rungs.map((_, i) => `v:${i},a:${i}`).join(' '),
    '-master_pl_name', 'master.m3u8',
    '-hls_segment_filename', join(outDir, 'v%v', 'segment_%05d.ts'),
    join(outDir, 'v%v', 'index.m3u8'),
  ];
}

/** One Reelflow run of the ladder: wall, run and per-type task seconds. */
export interface LadderRun {
  readonly wallSeconds: number;
  readonly runSeconds?: number;
  /** 1-minute load average just before the run started. */
  readonly loadBefore: number;
  /** Per node type: tasks, summed task seconds, busy (union) seconds. */
  readonly byType?: Record<string, { tasks: number; taskSeconds: number; busySeconds: number }>;
  readonly nonEncodeShare?: number;
}

export interface LadderRep {
  readonly order: string[];
  readonly plainSeconds?: number;
  readonly plainLoadBefore?: number;
  readonly runs: Partial<Record<ExecutorName, LadderRun>>;
}

export interface LadderResult {
  readonly graph: string;
  readonly clip: ClipSpec;
  readonly chunks: number;
  readonly rungs: Rung[];
  readonly segmentSeconds: number;
  readonly plainArgv: string[];
  readonly reps: LadderRep[];
  readonly ratios: Partial<Record<ExecutorName, number[]>>;
  readonly errors: string[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const rotate = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length]!);

function ladderRun(r: ReelflowRun, loadBefore: number): LadderRun {
  const t = r.timings;
  return {
    wallSeconds: round(r.wallSeconds),
    loadBefore: round(loadBefore, 2),
    ...(t
      ? {
          runSeconds: round(t.runSeconds),
          byType: Object.fromEntries(
            Object.entries(t.byType).map(([k, v]) => [
              k,
              {
                tasks: v.tasks,
                taskSeconds: round(v.taskSeconds),
                busySeconds: round(v.busySeconds),
              },
            ]),
          ),
          nonEncodeShare: round(t.nonEncodeShare),
        }
      : {}),
  };
}

export interface LadderOptions {
  readonly workDir: string;
  readonly executors: readonly ExecutorName[];
  /** At least 2. */
  readonly reps: number;
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

/** The alternated runs of the ladder benchmark. */
export async function runLadder(opts: LadderOptions): Promise<LadderResult> {
  const { workDir, executors, log } = opts;
  const reps = Math.max(2, opts.reps);
  const doc = JSON.parse(await readFile(LADDER_GRAPH, 'utf8')) as GraphDoc;
  const { rungs, segmentSeconds } = ladderOf(doc);
  const nodeTypes = await nodeTypesOf(LADDER_GRAPH);
  const clip = await ensureClip(join(workDir, 'clips'), LADDER_CLIP);
  const dir = join(workDir, 'runs', 'ladder');
  await rm(dir, { recursive: true, force: true });
  const errors: string[] = [];
  const records: LadderRep[] = [];
  const argvOf = (rep: number) =>
    plainLadderArgv(clip, rungs, segmentSeconds, join(dir, String(rep), 'plain'));
  for (let rep = 0; rep < reps; rep++) {
    const order = rotate(['plain', ...executors] as const, rep);
    const record: { plainSeconds?: number; plainLoadBefore?: number; runs: LadderRep['runs'] } = {
      runs: {},
    };
    for (const who of order) {
      const loadBefore = loadavg()[0]!;
      try {
        if (who === 'plain') {
          const out = join(dir, String(rep), 'plain');
          for (let i = 0; i < rungs.length; i++)
            await mkdir(join(out, `v${i}`), { recursive: true });
          record.plainSeconds = round((await runOk(argvOf(rep))).seconds);
          record.plainLoadBefore = round(loadBefore, 2);
          log(
            `  ladder rep ${rep + 1}: plain ffmpeg ${record.plainSeconds.toFixed(2)} s (load ${loadBefore.toFixed(2)})`,
          );
        } else {
          const r = await reelflowRun(
            LADDER_GRAPH,
            nodeTypes,
            clip,
            who,
            join(dir, String(rep), who),
          );
          record.runs[who] = ladderRun(r, loadBefore);
          const enc = r.timings?.byType.encode;
          log(
            `  ladder rep ${rep + 1}: reelflow ${who} ${r.wallSeconds.toFixed(2)} s (run ${r.timings?.runSeconds.toFixed(2) ?? '?'} s, ${enc?.tasks ?? '?'} encode tasks, load ${loadBefore.toFixed(2)})`,
          );
        }
      } catch (err) {
        errors.push(`ladder rep ${rep + 1} ${who}: ${message(err)}`);
        log(`  ladder rep ${rep + 1}: ${who} FAILED: ${message(err)}`);
      }
    }
    records.push({ order: [...order], ...record });
  }
  if (!opts.keep) await rm(dir, { recursive: true, force: true });
  const ratios: LadderResult['ratios'] = {};
  for (const e of executors) {
    ratios[e] = records.flatMap((r) =>
      r.plainSeconds && r.runs[e] ? [round(r.runs[e]!.wallSeconds / r.plainSeconds)] : [],
    );
  }
  return {
    graph: 'examples/abr-ladder.reelflow.json',
    clip: LADDER_CLIP,
    chunks: Math.ceil(LADDER_CLIP.durationSeconds / splitSeconds(doc) - 1e-9),
    rungs,
    segmentSeconds,
    plainArgv: argvOf(0).map((a) => a.replace(`${REPO}/`, '')),
    reps: records,
    ratios,
    errors,
  };
}

/** The ladder's rows of the results table. */
export function ladderFigures(l: LadderResult, executors: readonly ExecutorName[]): Figure[] {
  const g = { group: 'ladder (issue 13)' };
  const clip = `${l.clip.durationSeconds} s ${l.clip.height}p`;
  const loads = l.reps.flatMap((r) => [
    ...(r.plainLoadBefore === undefined ? [] : [r.plainLoadBefore]),
    ...Object.values(r.runs).map((x) => x!.loadBefore),
  ]);
  const figures: Figure[] = [];
  for (const e of executors) {
    figures.push(
      figureOf(
        {
          ...g,
          name: `ABR ladder run wall / plain ffmpeg ladder (split=4), ${e}, ${clip}`,
          unit: '×',
          target: atMost(LADDER_TARGETS[e]),
          note: 'per repetition: the run over the plain command of the same repetition',
        },
        l.ratios[e] ?? [],
      ),
    );
  }
  const s = { ...g, unit: 's', digits: 2 };
  figures.push(
    figureOf(
      { ...s, name: `ABR ladder wall, plain ffmpeg (one decode, split=4), ${clip}` },
      l.reps.flatMap((r) => (r.plainSeconds === undefined ? [] : [r.plainSeconds])),
    ),
  );
  for (const e of executors) {
    const runs = l.reps.flatMap((r) => (r.runs[e] ? [r.runs[e]!] : []));
    figures.push(
      figureOf(
        { ...s, name: `ABR ladder wall, reelflow ${e}, ${clip}` },
        runs.map((r) => r.wallSeconds),
      ),
    );
    figures.push(
      figureOf(
        { ...s, name: `ABR ladder, fused encode task seconds (decode once, 4 rungs), ${e}` },
        runs.flatMap((r) => {
          const enc = r.byType?.encode;
          return enc && enc.tasks > 0 ? [enc.taskSeconds / enc.tasks] : [];
        }),
      ),
    );
    figures.push(
      figureOf(
        { ...s, name: `ABR ladder, time with no encode running (split, merges, HLS), ${e}` },
        runs.flatMap((r) =>
          r.runSeconds === undefined || r.nonEncodeShare === undefined
            ? []
            : [r.runSeconds * r.nonEncodeShare],
        ),
      ),
    );
  }
  figures.push(
    figureOf(
      { ...g, name: 'Load average (1 min) just before each ladder run', unit: '', digits: 2 },
      loads,
    ),
  );
  return figures;
}
