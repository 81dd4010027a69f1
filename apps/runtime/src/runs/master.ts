import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Graph, MasterPlaylistRequest, NodeLibrary } from '@reelflow/fbp-model';
import {
  codecString,
  frameRate,
  ladderEncodes,
  masterPlaylist,
  measureBandwidth,
  parseMediaPlaylist,
  selectRungs,
  type MasterAudio,
  type MasterVariant,
  type ProbedStream,
  type RungOutcome,
} from '@reelflow/library';
import { writeFileAtomically } from './atomic-write.js';
import { resolveInside } from './rundir.js';

/** One rendition as measured on disk: its segments' bit rates and its first stream's facts. */
interface Measured {
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly stream: ProbedStream;
  /** RFC 6381 names of every stream in the rendition (a variant's muxed audio too). */
  readonly codecs: readonly (string | undefined)[];
  readonly unknown: readonly string[];
}

/** ffprobe's streams of a media playlist, with the codec extradata (for avc1 strings). */
function probeStreams(path: string): Promise<ProbedStream[]> {
  return new Promise((done, fail) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_data', path],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          return fail(
            new Error(`ffprobe cannot read ${path}: ${String(stderr || err.message).trim()}`),
          );
        try {
          done(
            ((JSON.parse(stdout) as { streams?: ProbedStream[] }).streams ?? []) as ProbedStream[],
          );
        } catch {
          fail(new Error(`ffprobe gave no JSON for ${path}`));
        }
      },
    );
  });
}

/** Measure one rendition: every segment's size and duration, and a probe of its playlist. */
async function measure(
  runDir: string,
  playlist: string,
  kind: 'video' | 'audio',
): Promise<Measured> {
  const abs = resolveInside(runDir, playlist);
  if (!abs) throw new Error(`playlist ${playlist} is outside the run directory`);
  const parsed = parseMediaPlaylist(await readFile(abs, 'utf8'));
  const segments = [];
  for (const s of parsed.segments) {
    const file = resolveInside(runDir, relative(runDir, join(dirname(abs), s.uri)));
    if (!file) throw new Error(`segment ${s.uri} of ${playlist} is outside the run directory`);
    segments.push({ duration: s.duration, bytes: (await stat(file)).size });
  }
  const { peak, average } = measureBandwidth(segments);
  const streams = (await probeStreams(abs)).filter(
    (s) => s.codec_type === 'video' || s.codec_type === 'audio',
  );
  const stream = streams.find((s) => s.codec_type === kind);
  if (!stream) throw new Error(`${playlist} has no ${kind} stream`);
  // The main stream first, then what is muxed with it (a variant's own audio).
  const ordered = [stream, ...streams.filter((s) => s !== stream)];
  const codecs = ordered.map(codecString);
  const unknown = ordered.filter((_, i) => !codecs[i]).map((s) => s.codec_name ?? 'unknown');
  return { bandwidth: peak, averageBandwidth: average, stream, codecs, unknown };
}

const exists = (path: string | undefined) =>
  path === undefined
    ? Promise.resolve(false)
    : stat(path).then(
        () => true,
        () => false,
      );

/**
 * Write a ladder's master playlist from what its renditions are on disk (issue 13): bit rates
 * measured over the segments, codecs, sizes and frame rates read by ffprobe, the text made by
 * the library's `masterPlaylist`. Rungs capped at the source by `upscale: never` are left out
 * (`selectRungs`). Returns the notes a person should read (left-out rungs, unknown codecs).
 */
export async function writeMasterPlaylist(
  runDir: string,
  request: MasterPlaylistRequest,
  graph: Graph,
  nodeId: string,
  library: NodeLibrary,
): Promise<string[]> {
  const target = resolveInside(runDir, request.path);
  if (!target) throw new Error(`master playlist ${request.path} is outside the run directory`);
  const base = dirname(request.path);
  const notes: string[] = [];
  const measured = [];
  for (const v of request.variants) measured.push(await measure(runDir, v, 'video'));
  const audioPath = request.audio && resolveInside(runDir, request.audio);
  const withAudio =
    request.audio !== undefined && (!request.audioOptional || (await exists(audioPath)));
  const audioMeasured = withAudio ? await measure(runDir, request.audio!, 'audio') : undefined;

  const encodeDef = library.get('encode');
  const encodes = ladderEncodes(graph, nodeId);
  const rungs: RungOutcome[] = measured.map((m, i) => {
    const encode = encodes[i];
    const parsed = encode && encodeDef?.params.safeParse(encode.params);
    const p = parsed?.success
      ? (parsed.data as { width?: number; height?: number; upscale?: 'never' | 'allow' })
      : undefined;
    return {
      name: relative(base, request.variants[i]!),
      ...(encode && p
        ? {
            requested: {
              encode: encode.id,
              width: p.width,
              height: p.height,
              upscale: p.upscale ?? 'never',
            },
          }
        : {}),
      width: m.stream.width,
      height: m.stream.height,
    };
  });
  const { keep, notes: left } = selectRungs(rungs);
  notes.push(...left);

  const unknown = [...measured, ...(audioMeasured ? [audioMeasured] : [])].flatMap(
    (m) => m.unknown,
  );
  if (unknown.length > 0)
    notes.push(
      `CODECS left out of ${request.path}: no RFC 6381 name known for ${[...new Set(unknown)].join(', ')}`,
    );
  // A partial CODECS list would mislead a player; none at all lets it probe.
  const names = (m: Measured): string[] => (unknown.length === 0 ? (m.codecs as string[]) : []);
  const variants: MasterVariant[] = measured.flatMap((m, i) =>
    keep[i]
      ? [
          {
            uri: relative(base, request.variants[i]!),
            bandwidth: m.bandwidth,
            averageBandwidth: m.averageBandwidth,
            codecs: names(m),
            width: m.stream.width,
            height: m.stream.height,
            frameRate: frameRate(m.stream),
          },
        ]
      : [],
  );
  const audio: MasterAudio | undefined = audioMeasured && {
    uri: relative(base, request.audio!),
    groupId: 'audio',
    name: 'audio',
    codecs: names(audioMeasured),
    bandwidth: audioMeasured.bandwidth,
    averageBandwidth: audioMeasured.averageBandwidth,
  };
  await writeFileAtomically(target, masterPlaylist(variants, audio));
  return notes;
}
