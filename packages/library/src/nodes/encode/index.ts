import { z } from 'zod';
import type {
  Calibration,
  CompileContext,
  MediaInfo,
  NodeTypeDef,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { atMost, FFMPEG_HEAD, PROGRESS_ARGS, seconds, writeArgs } from '../../ffmpeg.js';
import { filterCostFactor, filteredMedia, tokenFilters, videoGraph } from '../../filtergraph.js';
import { MKV, TS, type ChunkFormat } from '../../formats.js';
import { locate, pad5, viaOf, workDir, type Via } from '../../paths.js';

export const CODECS = ['h264', 'h265', 'vp9', 'av1'] as const;
export type Codec = (typeof CODECS)[number];

/** x264's preset names, slowest last; mapped onto each encoder's own speed scale below. */
export const PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type Preset = (typeof PRESETS)[number];

/** Highest CRF each encoder accepts: 51 for x264/x265, 63 for VP9 and SVT-AV1. */
const MAX_CRF: Record<Codec, number> = { h264: 51, h265: 51, vp9: 63, av1: 63 };

const evenSize = (max: number, what: string) =>
  z
    .number()
    .int()
    .min(16)
    .max(max)
    .multipleOf(2, 'must be even (4:2:0 video)')
    .optional()
    .describe(
      `Output ${what} in pixels (16–${max}, even). Leave empty to keep it, or to follow the other side's aspect.`,
    );

const params = z
  .strictObject({
    codec: z
      .enum(CODECS)
      .default('h264')
      .describe('Video codec: h264 (libx264), h265 (libx265), vp9 (libvpx-vp9), av1 (SVT-AV1).'),
    preset: z
      .enum(PRESETS)
      .default('veryfast')
      .describe('Speed/quality trade-off, ultrafast to veryslow; mapped to each encoder.'),
    crf: z
      .number()
      .int()
      .min(0)
      .max(63)
      .default(23)
      .describe(
        'Constant quality, lower is better: 0–51 for h264/h265, 0–63 for vp9/av1. Ignored when bitrateKbps is set.',
      ),
    bitrateKbps: z
      .number()
      .int()
      .min(50)
      .max(200000)
      .optional()
      .describe('Target video bitrate in kbit/s (50–200000); replaces crf when set.'),
    width: evenSize(7680, 'width'),
    height: evenSize(4320, 'height'),
    upscale: z
      .enum(['never', 'allow'])
      .default('never')
      .describe(
        'never: a width/height above the source is capped at the source size (a ladder rung above it is left out of the master playlist); allow: scale up.',
      ),
    keyframeSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(2)
      .describe(
        'Seconds between keyframes inside a chunk (1–60): the finest cut a stream node can make into HLS/DASH segments.',
      ),
    implementation: z
      .enum(['software', 'hardware'])
      .default('software')
      .describe(
        'software encoders, or VAAPI hardware encoders (needs /dev/dri on the worker; no AV1).',
      ),
    // Half a core lets two chunks share each core, so a core never idles while the next
    // chunk's container starts (~0.4 s on Swarm): the other encode has it meanwhile. More
    // sharing costs throughput (six x264 processes on two cores ran 6–9 % slower than two or
    // three); less leaves a core idle at every container start. The decoder and encoder run
    // as many threads as the task's cores (see `threadCount`).
    ...taskParams({ cpus: 0.5, memoryMb: 1024 }),
  })
  .superRefine((p, ctx) => {
    if (p.crf > MAX_CRF[p.codec]) {
      ctx.addIssue({
        code: 'custom',
        path: ['crf'],
        message: `crf for ${p.codec} must be 0–${MAX_CRF[p.codec]}`,
      });
    }
    if (p.implementation === 'hardware' && p.codec === 'av1') {
      ctx.addIssue({
        code: 'custom',
        path: ['implementation'],
        message: 'no hardware AV1 encoder is available; use software',
      });
    }
  });
export type EncodeParams = z.infer<typeof params>;

/** Software encoder names. */
const SOFTWARE: Record<Codec, string> = {
  h264: 'libx264',
  h265: 'libx265',
  vp9: 'libvpx-vp9',
  av1: 'libsvtav1',
};
/** VAAPI encoder names (AV1 is rejected by the schema). */
const HARDWARE: Record<Exclude<Codec, 'av1'>, string> = {
  h264: 'h264_vaapi',
  h265: 'hevc_vaapi',
  vp9: 'vp9_vaapi',
};
/** The VAAPI render node a hardware encode opens (and needs on its worker: `devices`). */
export const VAAPI_DEVICE = '/dev/dri/renderD128';

/** Where each codec's chunks go: H.264/H.265 in MPEG-TS (HLS-ready), VP9/AV1 in Matroska. */
export const encodedChunkFormat = (codec: Codec): ChunkFormat =>
  codec === 'h264' || codec === 'h265' ? TS : MKV;

/** The encoder's own speed option for a preset name. */
function speedArgs(codec: Codec, preset: Preset): string[] {
  const rank = PRESETS.indexOf(preset);
  switch (codec) {
    case 'h264':
    case 'h265':
      return ['-preset', preset];
    case 'vp9': {
      const cpuUsed = 8 - rank; // ultrafast 8 … veryslow 0
      return [
        '-deadline',
        cpuUsed >= 6 ? 'realtime' : 'good',
        '-cpu-used',
        String(cpuUsed),
        '-row-mt',
        '1',
      ];
    }
    case 'av1':
      return ['-preset', String([12, 11, 10, 9, 8, 6, 4, 3, 2][rank])];
  }
}

/** Rate control: a bitrate when given, else constant quality in each encoder's idiom. */
function rateArgs(p: EncodeParams): string[] {
  if (p.bitrateKbps !== undefined) return ['-b:v', `${p.bitrateKbps}k`];
  if (p.implementation === 'hardware') return ['-qp', String(Math.min(p.crf, 51))];
  // libvpx-vp9 only does constant quality when the bitrate cap is 0.
  return p.codec === 'vp9' ? ['-crf', String(p.crf), '-b:v', '0'] : ['-crf', String(p.crf)];
}

/**
 * The scale filter, built only from validated integers; -2 keeps the aspect with an even size.
 * With `upscale: never` each side is capped at the source's (`atMost`), so a 320x180 source
 * stays 320x180 in a 720p rung.
 */
function scaleFilter(p: EncodeParams): string | undefined {
  if (p.width === undefined && p.height === undefined) return undefined;
  const side = (size: number | undefined, source: 'iw' | 'ih'): string =>
    size === undefined ? '-2' : p.upscale === 'allow' ? String(size) : atMost(source, size);
  return `scale=${side(p.width, 'iw')}:${side(p.height, 'ih')}`;
}

/** The encode's own filters, after those of the chunk's filter nodes: its scale, then the VAAPI upload. */
function ownFilters(p: EncodeParams): string[] {
  const scale = scaleFilter(p);
  return [
    ...(scale === undefined ? [] : [scale]),
    ...(p.implementation === 'hardware' ? ['format=nv12', 'hwupload'] : []),
  ];
}

/** `filter`: the -vf or -filter_complex arguments of the whole graph (see videoGraph). */
function videoArgs(p: EncodeParams, filter: readonly string[]): string[] {
  if (p.implementation === 'hardware') {
    return [...filter, '-c:v', HARDWARE[p.codec as Exclude<Codec, 'av1'>], ...rateArgs(p)];
  }
  // prettier-ignore
  return [
    ...filter,
    '-c:v', SOFTWARE[p.codec],
    ...speedArgs(p.codec, p.preset),
    ...rateArgs(p),
    // 4:2:0 8-bit plays everywhere; a 10-bit or 4:4:4 source would otherwise stay so.
    '-pix_fmt', 'yuv420p',
  ];
}

/**
 * Keep chunks joinable: a closed GOP opening on a keyframe, timestamps passed through untouched
 * (no frame duplicated or dropped at the edges), audio starting with the video, and the source
 * position as timestamp offset so encoded chunks can also be listed directly as HLS segments.
 */
function joinArgs(p: EncodeParams, input: Token): string[] {
  // A keyframe opens every chunk, then one each keyframeSeconds so streams can cut finer segments.
  const keyframes = `expr:if(eq(n,0),1,gte(t-prev_forced_t,${p.keyframeSeconds}))`;
  // prettier-ignore
  return [
    '-flags', '+cgop',
    '-force_key_frames', keyframes,
    '-fps_mode', 'passthrough',
    '-enc_time_base:v', '-1',
    // Never shift a chunk to make its first B-frame DTS non-negative: it would move off the source timeline.
    '-avoid_negative_ts', 'disabled',
    ...(input.startSeconds === undefined ? [] : ['-output_ts_offset', seconds(input.startSeconds)]),
  ];
}

/** AAC for the MPEG-TS/MP4 codecs, Opus for the WebM ones; padded to start with the video. */
function audioArgs(codec: Codec): string[] {
  const encoder = codec === 'h264' || codec === 'h265' ? 'aac' : 'libopus';
  return ['-af', 'aresample=async=1:first_pts=0', '-c:a', encoder, '-b:a', '128k'];
}

/**
 * Threads for the decoder and the encoder: the cores the task is given (its CPU reservation,
 * rounded, at least one), as the cost model counts them. Parallelism comes from encoding
 * chunks side by side, and single-threaded x264 wastes no work on frame-thread waits: six
 * 10 s 720p chunks, two at a time, took 6.5 s with one thread each against 7.1 s with the
 * codecs' own thread counts (and 7.0 s for one plain encode of the whole clip).
 */
export const threadCount = (p: Pick<EncodeParams, 'cpus'>): number =>
  Math.max(1, Math.round(p.cpus));

/** Where one firing's encoded chunk goes, relative to the run directory. */
function chunkPath(ctx: CompileContext<EncodeParams>): string {
  const format = encodedChunkFormat(ctx.params.codec);
  return `${workDir(ctx.node.id)}/chunk_${pad5(ctx.index)}.${format.ext}`;
}

/** Everything after the video input's filtering for one output: codec, timing, audio, muxer. */
function outputArgs(
  ctx: CompileContext<EncodeParams>,
  input: Token,
  via: Via,
  progress: boolean,
): string[] {
  const p = ctx.params;
  // prettier-ignore
  return [
    '-threads', String(threadCount(p)),
    ...joinArgs(p, input),
    ...audioArgs(p.codec),
    // A global option: one task reports progress once, whatever its number of outputs.
    ...(progress ? PROGRESS_ARGS : []),
    '-f', encodedChunkFormat(p.codec).muxer,
    ...writeArgs(via),
    locate(ctx.storage, chunkPath(ctx), via),
  ];
}

function compile(ctx: CompileContext<EncodeParams>): TaskSpec[] {
  const p = ctx.params;
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const path = chunkPath(ctx);
  // Filter nodes upstream left their steps on the token: they run here, in one filter graph.
  const graph = videoGraph(tokenFilters(input), ownFilters(p), (file) =>
    locate(ctx.storage, file, via),
  );
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    ...(p.implementation === 'hardware' ? ['-vaapi_device', VAAPI_DEVICE] : []),
    '-threads', String(threadCount(p)),
    '-i', locate(ctx.storage, input.path, via),
    ...graph.inputs,
    '-map', graph.map, '-map', '0:a:0?',
    ...videoArgs(p, graph.filter),
    ...outputArgs(ctx, input, via, true),
  ];
  return [
    task(ctx, {
      argv,
      via,
      outputs: [{ kind: 'file', path, dataType: 'chunk' }],
      durationSeconds: input.durationSeconds,
    }),
  ];
}

/**
 * Sibling encodes of one chunk as one task, as a person writes a ladder in one ffmpeg
 * command: decode once, `split` the frames, scale and encode each rung to its own output.
 * Hardware encodes are not fused (their frames live on the GPU): each keeps its own task.
 */
function compileFused(ctxs: readonly CompileContext<EncodeParams>[]): TaskSpec[] {
  const software = ctxs.filter((c) => c.params.implementation === 'software');
  // A chunk carrying filter nodes' steps is encoded per rung, each with its whole filter graph.
  const filtered = ctxs.some((c) => tokenFilters(onlyInput(c)).length > 0);
  if (software.length < 2 || filtered) return ctxs.flatMap((c) => compile(c));
  const lead = software[0]!;
  const input = onlyInput(lead);
  const via = viaOf(input);
  const branches = software.map((_, i) => `[s${i}]`).join('');
  const chains = software.map((c, i) => `[s${i}]${scaleFilter(c.params) ?? 'null'}[v${i}]`);
  const graph = [`[0:v]split=${software.length}${branches}`, ...chains].join(';');
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-threads', String(threadCount(lead.params)),
    '-i', locate(lead.storage, input.path, via),
    '-filter_complex', graph,
    ...software.flatMap((c, i) => [
      '-map', `[v${i}]`, '-map', '0:a:0?',
      '-c:v', SOFTWARE[c.params.codec], ...speedArgs(c.params.codec, c.params.preset), ...rateArgs(c.params),
      '-pix_fmt', 'yuv420p',
      ...outputArgs(c, input, via, i === 0),
    ]),
  ];
  const spec = task(lead, {
    argv,
    via,
    outputs: software.map((c) => ({
      kind: 'file' as const,
      path: chunkPath(c),
      dataType: 'chunk' as const,
    })),
    durationSeconds: input.durationSeconds,
  });
  const sum = (f: (c: CompileContext<EncodeParams>) => number) =>
    software.reduce((total, c) => total + f(c), 0);
  const fused: TaskSpec = {
    ...spec,
    resources: {
      cpus: sum((c) => c.params.cpus),
      memoryBytes: sum((c) => c.params.memoryMb) * 1024 * 1024,
    },
  };
  const hardware = ctxs.filter((c) => c.params.implementation !== 'software');
  // Outputs stay in the order of the nodes: the software ones first in their order is only
  // right when no hardware node comes before one; otherwise run each on its own.
  const ordered = ctxs.every(
    (c, i) => i < software.length === (c.params.implementation === 'software'),
  );
  return ordered
    ? [fused, ...hardware.flatMap((c) => compile(c))]
    : ctxs.flatMap((c) => compile(c));
}

/**
 * Relative cost of a preset against veryfast: single-threaded x264 (as tasks run) on a 10 s
 * 720p test clip, the whole task with decoding, medians on a 2-core AMD EPYC (2026-11-22):
 * 0.75, 1.55, 2.2, 3.3, 4.0, 4.2, 7.0, 11.3 and 18.1 s from ultrafast to veryslow.
 */
const PRESET_COST: Record<Preset, number> = {
  ultrafast: 0.35,
  superfast: 0.7,
  veryfast: 1,
  faster: 1.5,
  fast: 1.8,
  medium: 1.95,
  slow: 3.2,
  slower: 5.1,
  veryslow: 8.2,
};
/** Relative cost of a codec against H.264 at the same preset. */
const CODEC_COST: Record<Codec, number> = { h264: 1, h265: 4, vp9: 3, av1: 3 };
const REFERENCE_PIXELS = 1280 * 720;

/** Output pixels per frame: the requested size, else the source's (aspect kept), else 720p. */
function outputPixels(p: EncodeParams, media: MediaInfo): number {
  const aspect =
    media.width !== undefined && media.height !== undefined ? media.width / media.height : 16 / 9;
  const width = p.width ?? (p.height !== undefined ? p.height * aspect : (media.width ?? 1280));
  const height = p.height ?? (p.width !== undefined ? p.width / aspect : (media.height ?? 720));
  return width * height;
}

function estimateSeconds(p: EncodeParams, media: MediaInfo, calibration: Calibration): number {
  const hardware = p.implementation === 'hardware' ? 0.25 : 1;
  const work =
    media.durationSeconds *
    calibration.encodeSecondsPerSecond *
    // The encoder sees the frames as the fused filters left them (scaled, cropped, padded).
    (outputPixels(p, filteredMedia(media)) / REFERENCE_PIXELS) *
    PRESET_COST[p.preset] *
    CODEC_COST[p.codec] *
    hardware *
    // Filters fused into this encode (filter nodes upstream) add their share.
    (1 + filterCostFactor(media));
  return calibration.taskOverheadSeconds + work;
}

/**
 * Decoding one second of source, against the reference work (one second of 720p H.264
 * veryfast) per reference-sized frame: a single-threaded 1080p H.264 decode took 1.2 s of CPU
 * for 10 s of video where the 720p veryfast encode of it took 4.4 s (2026-12-04, the 2-core
 * EPYC), i.e. 0.27 of the encode for 2.25 reference frames.
 */
const DECODE_COST = 0.12;

/** Seconds of decoding the chunk once (what every rung but one saves when fused). */
function decodeSeconds(media: MediaInfo, calibration: Calibration): number {
  const pixels =
    media.width !== undefined && media.height !== undefined
      ? media.width * media.height
      : REFERENCE_PIXELS;
  return (
    media.durationSeconds *
    calibration.encodeSecondsPerSecond *
    DECODE_COST *
    (pixels / REFERENCE_PIXELS)
  );
}

/** A fused task: every rung's estimate, one task overhead and one decode instead of one each. */
function estimateFusedSeconds(
  ps: readonly EncodeParams[],
  media: MediaInfo,
  calibration: Calibration,
): number {
  const apart = ps.map((p) => estimateSeconds(p, media, calibration));
  const saved =
    (ps.length - 1) * (calibration.taskOverheadSeconds + decodeSeconds(media, calibration));
  return Math.max(...apart, apart.reduce((a, b) => a + b, 0) - saved);
}

/** Encodes one chunk; chunks stay joinable by stream copy (closed GOPs, continuous timestamps). */
export const encode: NodeTypeDef<EncodeParams> = {
  type: 'encode',
  title: 'Encode',
  description:
    'Encodes one chunk (h264/h265/vp9/av1, preset, crf or bitrate, size, software or hardware).',
  ports: [
    { name: 'in', direction: 'in', dataType: 'chunk', multiplicity: 'one', required: true },
    { name: 'out', direction: 'out', dataType: 'chunk', multiplicity: 'one' },
  ],
  params,
  firing: 'map',
  compile,
  estimateSeconds,
  cores: threadCount,
  devices: (p) => (p.implementation === 'hardware' ? [VAAPI_DEVICE] : []),
  fusion: {
    compile: compileFused,
    estimateSeconds: estimateFusedSeconds,
    cores: (ps) => ps.reduce((sum, p) => sum + threadCount(p), 0),
  },
};
