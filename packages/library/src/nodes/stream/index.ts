import { z } from 'zod';
import type {
  CompileContext,
  MasterPlaylistRequest,
  NodeTypeDef,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';
import { LABEL_TASK, task, taskParams } from '../../common.js';
import { copyEstimate, FFMPEG_HEAD, PROGRESS_ARGS, writeArgs } from '../../ffmpeg.js';
import { chunkFormatForCodec } from '../../formats.js';
import { escapePattern, locate, outputDir, viaOf, type Via } from '../../paths.js';

const params = z.strictObject({
  format: z
    .enum(['hls', 'dash'])
    .default('hls')
    .describe(
      'hls (index.m3u8; master.m3u8 over one variant per video input) or dash (manifest.mpd).',
    ),
  segmentSeconds: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(4)
    .describe('Target playback segment length in seconds (1–60); segments cut on keyframes.'),
  cmaf: z
    .boolean()
    .default(false)
    .describe(
      'Write fragmented MP4 segments once and both manifests over them: manifest.mpd and master.m3u8 with one media playlist per rendition.',
    ),
  ...taskParams({ cpus: 0.25, memoryMb: 256 }),
});
export type StreamParams = z.infer<typeof params>;

/** The master playlist of a ladder, beside the variants. */
export const MASTER_PLAYLIST = 'master.m3u8';

/** The playlist or manifest a single-input stream node writes, relative to the run directory. */
export function streamEntry(nodeId: string, format: StreamParams['format']): string {
  return `${outputDir(nodeId)}/${format === 'hls' ? 'index.m3u8' : 'manifest.mpd'}`;
}

/** Folder of one HLS rendition of a ladder: `v0`, `v1`, … in input order, and `audio`. */
export const variantDir = (nodeId: string, name: string): string => `${outputDir(nodeId)}/${name}`;

/** HLS: MPEG-TS segments for codecs TS carries, fragmented MP4 for VP9/AV1. */
function hlsArgs(
  dirLocation: string,
  segmentSeconds: number,
  codec: string | undefined,
  via: Via,
): string[] {
  const fmp4 = chunkFormatForCodec(codec).ext !== 'ts';
  // prettier-ignore
  return [
    '-f', 'hls',
    '-hls_time', String(segmentSeconds),
    '-hls_playlist_type', 'vod',
    ...(fmp4 ? ['-hls_segment_type', 'fmp4'] : []),
    ...(via === 'http' ? ['-method', 'PUT'] : []),
    '-hls_segment_filename', `${escapePattern(dirLocation)}/segment_%05d.${fmp4 ? 'm4s' : 'ts'}`,
  ];
}

/** One HLS media playlist by stream copy: `maps` pick the streams of the single input. */
function hlsTask(
  ctx: CompileContext<StreamParams>,
  input: Token,
  maps: readonly string[],
  dir: string,
  codec: string | undefined,
  extra: Partial<Pick<TaskSpec, 'key' | 'master'>> = {},
): TaskSpec {
  const via = viaOf(input);
  const playlist = `${dir}/index.m3u8`;
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-i', locate(ctx.storage, input.path, via),
    ...maps.flatMap((m) => ['-map', m]), '-c', 'copy',
    ...PROGRESS_ARGS,
    ...hlsArgs(locate(ctx.storage, dir, via), ctx.params.segmentSeconds, codec, via),
    locate(ctx.storage, playlist, via),
  ];
  // A sink: its files are published outputs, not tokens, so no `via` is declared.
  const spec = task(ctx, {
    argv,
    inputs: [input],
    outputs: [{ kind: 'file', path: playlist, dataType: input.dataType }],
    durationSeconds: input.durationSeconds,
  });
  return { ...spec, ...extra, labels: { ...spec.labels, [LABEL_TASK]: extra.key ?? spec.key } };
}

/**
 * One ffmpeg dash muxer over every input: a Representation per video input in one video
 * AdaptationSet, and the audio (the audio input's, else the first video's if it has any) in
 * another. With `cmaf` it also writes an HLS media playlist per stream over the same fMP4
 * segments (`media_<n>.m3u8`), and the runtime writes `master.m3u8` over them.
 */
function dashTask(
  ctx: CompileContext<StreamParams>,
  videos: readonly Token[],
  audio: Token | undefined,
): TaskSpec {
  const first = videos[0]!;
  const via = viaOf(first);
  const dir = outputDir(ctx.node.id);
  const manifest = `${dir}/manifest.mpd`;
  const inputs = audio ? [...videos, audio] : [...videos];
  const ladder = videos.length > 1 || audio !== undefined || ctx.params.cmaf;
  const maps = ladder
    ? [...videos.map((_, i) => `${i}:v:0`), audio ? `${videos.length}:a:0` : '0:a:0?']
    : ['0:v:0', '0:a:0?'];
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    ...inputs.flatMap((t) => ['-i', locate(ctx.storage, t.path, via)]),
    ...maps.flatMap((m) => ['-map', m]), '-c', 'copy',
    ...PROGRESS_ARGS,
    '-f', 'dash', '-seg_duration', String(ctx.params.segmentSeconds),
    ...(ladder ? ['-adaptation_sets', 'id=0,streams=v id=1,streams=a'] : []),
    ...(ctx.params.cmaf ? ['-hls_playlist', '1'] : []),
    ...writeArgs(via),
    locate(ctx.storage, manifest, via),
  ];
  // The dash muxer numbers its streams in map order: videos first, then the audio.
  const master: MasterPlaylistRequest | undefined = ctx.params.cmaf
    ? {
        path: `${dir}/${MASTER_PLAYLIST}`,
        variants: videos.map((_, i) => `${dir}/media_${i}.m3u8`),
        audio: `${dir}/media_${videos.length}.m3u8`,
        ...(audio ? {} : { audioOptional: true }),
      }
    : undefined;
  const spec = task(ctx, {
    argv,
    inputs,
    outputs: [{ kind: 'file', path: manifest, dataType: 'video' }],
    durationSeconds: first.durationSeconds,
  });
  return master ? { ...spec, master } : spec;
}

/**
 * HLS of several renditions: one stream-copy task per video input writing `v<i>/index.m3u8`
 * (video only when an audio input is connected, else with its own audio as today), one for
 * the audio input (`audio/index.m3u8`), and `master.m3u8`, which the runtime writes once the
 * segments exist, over what it measures.
 */
function hlsLadder(
  ctx: CompileContext<StreamParams>,
  videos: readonly Token[],
  audio: Token | undefined,
): TaskSpec[] {
  const dir = outputDir(ctx.node.id);
  const key = (name: string) => `${ctx.node.id}:${ctx.index}/${name}`;
  const variants = videos.map((_, i) => `v${i}`);
  const master: MasterPlaylistRequest = {
    path: `${dir}/${MASTER_PLAYLIST}`,
    variants: variants.map((v) => `${variantDir(ctx.node.id, v)}/index.m3u8`),
    ...(audio ? { audio: `${variantDir(ctx.node.id, 'audio')}/index.m3u8` } : {}),
  };
  const specs = videos.map((video, i) =>
    hlsTask(
      ctx,
      video,
      audio ? ['0:v:0'] : ['0:v:0', '0:a:0?'],
      variantDir(ctx.node.id, variants[i]!),
      video.codec,
      { key: key(variants[i]!), ...(i === 0 ? { master } : {}) },
    ),
  );
  if (audio) {
    specs.push(
      hlsTask(ctx, audio, ['0:a:0'], variantDir(ctx.node.id, 'audio'), undefined, {
        key: key('audio'),
      }),
    );
  }
  return specs;
}

function compile(ctx: CompileContext<StreamParams>): TaskSpec[] {
  const videos = ctx.inputs.filter((t) => t.dataType === 'video');
  const audios = ctx.inputs.filter((t) => t.dataType === 'audio');
  if (
    videos.length === 0 ||
    audios.length > 1 ||
    videos.length + audios.length !== ctx.inputs.length
  ) {
    throw new Error(
      `Stream ${JSON.stringify(ctx.node.id)} takes one or more videos and at most one audio track, got ${ctx.inputs.map((t) => t.dataType).join(', ') || 'nothing'}.`,
    );
  }
  const audio = audios[0];
  const { format, cmaf } = ctx.params;
  if (format === 'dash' || cmaf) return [dashTask(ctx, videos, audio)];
  if (videos.length > 1 || audio) return hlsLadder(ctx, videos, audio);
  const input = videos[0]!;
  return [hlsTask(ctx, input, ['0:v:0', '0:a:0?'], outputDir(ctx.node.id), input.codec)];
}

/**
 * Packages videos for playback as HLS or DASH, without re-encoding: one video as today, or
 * a ladder (one rendition per video input, a master playlist / one MPD over them).
 */
export const stream: NodeTypeDef<StreamParams> = {
  type: 'stream',
  title: 'Stream',
  description:
    'Packages the video for playback (HLS or DASH segments) and serves it; several video inputs make an adaptive-bitrate ladder with a master playlist.',
  ports: [
    {
      name: 'in',
      direction: 'in',
      dataType: 'video',
      multiplicity: 'many',
      required: true,
      description: 'One video per rendition; several make a ladder (master.m3u8).',
    },
    {
      name: 'audio',
      direction: 'in',
      dataType: 'audio',
      multiplicity: 'one',
      required: false,
      description: 'One audio track shared by every rendition (EXT-X-MEDIA TYPE=AUDIO).',
    },
  ],
  params,
  firing: 'gather',
  compile,
  estimateSeconds: (_p, media, calibration) => copyEstimate(media, calibration),
  cores: () => 1,
  light: true,
};
