import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Case } from './matrix.js';

/** The repository root (bench/e2e/../..). */
export const REPO = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const EXAMPLE_GRAPH = join(REPO, 'examples/transcode-720p.reelflow.json');

/**
 * One plain ffmpeg process doing what the graph's encode node does to every chunk, on the
 * whole clip: the same scale, encoder, preset, CRF, pixel format, audio codec/bitrate and
 * keyframe cadence (a closed GOP forced every `keyframeSeconds`, the encode node's
 * `keyframeSeconds`). The chunk-only options of the encode node (timestamp passthrough and
 * offsets) are left out, since a single encode has no joins. With the same cadence the two
 * encodes differ only where chunking changes something: x264's look-ahead and rate control
 * stop at each chunk's end.
 */
export function plainArgv(
  input: string,
  c: Case,
  crf: number,
  out: string,
  keyframeSeconds: number,
): string[] {
  // prettier-ignore
  return [
    'ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-i', input,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-vf', `scale=-2:${c.clip.height}`,
    '-c:v', 'libx264', '-preset', c.preset, '-crf', String(crf), '-pix_fmt', 'yuv420p',
    '-flags', '+cgop',
    '-force_key_frames', `expr:if(eq(n,0),1,gte(t-prev_forced_t,${keyframeSeconds}))`,
    '-c:a', 'aac', '-b:a', '128k',
    '-f', 'mp4', out,
  ];
}

/** The keyframe cadence of the graph's encode node (its schema default, 2 s, when unset). */
export function keyframeSecondsOf(doc: GraphDoc): number {
  const encode = doc.nodes.find((n) => n.type === 'encode');
  const value = encode?.params.keyframeSeconds;
  return typeof value === 'number' ? value : 2;
}

export interface GraphDoc {
  id: string;
  name: string;
  nodes: Array<{ id: string; type: string; params: Record<string, unknown> }>;
  [key: string]: unknown;
}

/** What a benchmark changes in the example graph. */
export interface GraphChanges {
  readonly preset: string;
  readonly crf: number;
  readonly height: number;
  /** The split's segment length; the example's 10 s when not given. */
  readonly segmentSeconds?: number;
}

/**
 * The contract's example graph with the given preset, CRF and output height on its encode
 * node(s); everything else (10 s segments unless changed, shared transfers, mp4 merge, HLS
 * stream) as shipped.
 */
export async function exampleGraph(changes: GraphChanges): Promise<GraphDoc> {
  const doc = JSON.parse(await readFile(EXAMPLE_GRAPH, 'utf8')) as GraphDoc;
  const { preset, crf, height, segmentSeconds } = changes;
  const paramsOf = (n: GraphDoc['nodes'][number]) =>
    n.type === 'encode'
      ? { ...n.params, preset, crf, height }
      : n.type === 'split' && segmentSeconds !== undefined
        ? { ...n.params, segmentSeconds }
        : n.params;
  return {
    ...doc,
    id: `bench-${height}p-${preset}-crf${crf}`,
    name: `${doc.name} (bench: ${height}p ${preset} crf ${crf})`,
    nodes: doc.nodes.map((n) => ({ ...n, params: paramsOf(n) })),
  };
}

/** The graph of a matrix case. */
export const caseGraph = (c: Case, crf: number): Promise<GraphDoc> =>
  exampleGraph({ preset: c.preset, crf, height: c.clip.height });

/** Write a graph under `dir` (named by its id) and return its path. */
export async function writeGraph(dir: string, doc: GraphDoc): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${doc.id}.reelflow.json`);
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`);
  return path;
}

/** Segment length of the graph's split node (for chunk counts and join positions). */
export function splitSeconds(doc: GraphDoc): number {
  const split = doc.nodes.find((n) => n.type === 'split');
  const s = split?.params.segmentSeconds;
  return typeof s === 'number' ? s : 10;
}
