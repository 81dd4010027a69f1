import { z } from 'zod';
import type {
  Calibration,
  CompileContext,
  MediaInfo,
  NodeTypeDef,
  ReviewContext,
  ReviewResult,
  TaskSpec,
} from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import {
  FFMPEG_HEAD,
  PROGRESS_ARGS,
  filterValue,
  seconds,
  writeArgs,
  decodeEstimate,
} from '../../ffmpeg.js';
import { escapePattern, locate, outputDir, viaOf, workDir } from '../../paths.js';

const params = z.strictObject({
  intervalSeconds: z
    .number()
    .min(0.5)
    .max(600)
    .default(10)
    .describe('One thumbnail every this many seconds (0.5–600).'),
  columns: z.number().int().min(1).max(20).default(5).describe('Thumbnails per sprite row (1–20).'),
  rows: z.number().int().min(1).max(20).default(5).describe('Rows per sprite sheet (1–20).'),
  width: z
    .number()
    .int()
    .min(16)
    .max(1280)
    .multipleOf(2)
    .default(160)
    .describe('Width of one thumbnail in pixels (16–1280, even).'),
  height: z
    .number()
    .int()
    .min(0)
    .max(720)
    .multipleOf(2)
    .default(0)
    .describe('Height of one thumbnail (even, up to 720); 0 keeps the video’s aspect ratio.'),
  posterSeconds: z
    .number()
    .min(0)
    .max(86400)
    .optional()
    .describe('When the poster frame is taken, in seconds; default a third into the video.'),
  ...taskParams({ cpus: 1, memoryMb: 512 }),
});
export type ThumbnailsParams = z.infer<typeof params>;

/** The files a thumbnails node publishes, relative to the run directory. */
export const thumbnailFiles = (nodeId: string) => ({
  poster: `${outputDir(nodeId)}/poster.jpg`,
  track: `${outputDir(nodeId)}/thumbnails.vtt`,
  sprites: `${outputDir(nodeId)}/sprites`,
  /** One `frame:N pts:P pts_time:T` line per thumbnail (ffmpeg's metadata filter). */
  frames: `${workDir(nodeId)}/frames.txt`,
});

/** Sprite sheet `n` (0-based) as the image2 muxer numbers it, relative to the track. */
const spriteName = (n: number): string => `sprites/sprite_${String(n + 1).padStart(3, '0')}.jpg`;

/**
 * The size of one thumbnail: the width asked for, and the height asked for or from the video's
 * aspect ratio (16:9 when unknown; the frame is then letterboxed into the tile).
 */
function thumbSize(ctx: CompileContext<ThumbnailsParams>): { width: number; height: number } {
  const { width, height } = ctx.params;
  if (height > 0) return { width, height };
  const input = onlyInput(ctx);
  const w = input.width ?? ctx.source?.width;
  const h = input.height ?? ctx.source?.height;
  const aspect = w && h ? h / w : 9 / 16;
  return { width, height: Math.max(2, 2 * Math.round((width * aspect) / 2)) };
}

/** The video's duration: its token's, else the run's input. */
const durationOf = (ctx: CompileContext<ThumbnailsParams>): number | undefined =>
  onlyInput(ctx).durationSeconds ?? ctx.source?.durationSeconds;

/**
 * One ffmpeg: the first frame of every interval, tagged and logged (so the track lists exactly
 * the thumbnails made), scaled and tiled into sprite sheets; the poster from a second, seeked
 * input of the same file.
 */
function compile(ctx: CompileContext<ThumbnailsParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const p = ctx.params;
  const files = thumbnailFiles(ctx.node.id);
  const { width, height } = thumbSize(ctx);
  const k = seconds(p.intervalSeconds);
  const duration = durationOf(ctx);
  const wanted = p.posterSeconds ?? (duration === undefined ? 0 : duration / 3);
  const poster = duration === undefined ? wanted : Math.min(wanted, Math.max(0, duration - 0.5));
  const from = locate(ctx.storage, input.path, via);
  const graph = [
    `[0:v]select='isnan(prev_selected_t)+gt(floor(t/${k}),floor(prev_selected_t/${k}))'`,
    'metadata=mode=add:key=reelflow.thumb:value=1',
    `metadata=mode=print:file=${filterValue(locate(ctx.storage, files.frames, via))}`,
    // Every tile exactly width x height, so the track's #xywh= fragments hold whatever the source.
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    `tile=${p.columns}x${p.rows}[sheets]`,
  ].join(',');
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-i', from,
    '-ss', seconds(poster), '-i', from,
    '-filter_complex', graph,
    ...PROGRESS_ARGS,
    // One file per sheet as the tile filter makes them (image2 would repeat them to a frame rate).
    '-map', '[sheets]', '-fps_mode', 'passthrough', '-q:v', '5', '-f', 'image2', ...writeArgs(via),
    `${escapePattern(locate(ctx.storage, files.sprites, via))}/sprite_%03d.jpg`,
    '-map', '1:v:0', '-frames:v', '1', '-q:v', '3', '-update', '1', ...writeArgs(via),
    locate(ctx.storage, files.poster, via),
  ];
  return [
    task(ctx, {
      argv,
      outputs: [
        { kind: 'file', path: files.poster, dataType: 'video' },
        { kind: 'dir', dir: files.sprites, suffix: '.jpg', dataType: 'video' },
        { kind: 'file', path: files.frames, dataType: 'video' },
      ],
      reports: [files.frames],
      durationSeconds: duration,
    }),
  ];
}

/** The times (seconds) of the thumbnails in a metadata print log, in order. */
export function parseFrameTimes(log: string): number[] {
  return [...log.matchAll(/^frame:\d+\s+pts:\S+\s+pts_time:(\S+)/gm)]
    .map((m) => Number(m[1]))
    .filter((t) => Number.isFinite(t));
}

/** `HH:MM:SS.mmm`, as WebVTT writes a time. */
export function vttTime(totalSeconds: number): string {
  const ms = Math.round(totalSeconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Where the thumbnail cues sit: which sheet and which tile of it. */
export interface TrackLayout {
  readonly intervalSeconds: number;
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
  /** The end of the last cue (the video's duration); default one interval after its start. */
  readonly durationSeconds?: number;
}

/**
 * The WebVTT thumbnail track (JW Player / Video.js style): one cue per thumbnail, from the start
 * of its interval to the next one's, pointing at its tile with a `#xywh=` fragment.
 */
export function thumbnailTrack(times: readonly number[], layout: TrackLayout): string {
  const perSheet = layout.columns * layout.rows;
  const starts = times.map(
    (t) => Math.floor(t / layout.intervalSeconds + 1e-9) * layout.intervalSeconds,
  );
  const cues = starts.map((start, i) => {
    const last = i === starts.length - 1;
    const end = last
      ? Math.max(start + 0.001, layout.durationSeconds ?? start + layout.intervalSeconds)
      : starts[i + 1]!;
    const tile = i % perSheet;
    const x = (tile % layout.columns) * layout.width;
    const y = Math.floor(tile / layout.columns) * layout.height;
    const where = `${spriteName(Math.floor(i / perSheet))}#xywh=${x},${y},${layout.width},${layout.height}`;
    return `${vttTime(start)} --> ${vttTime(end)}\n${where}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}

/** After the task: write the track from the thumbnails really made. */
function review(ctx: ReviewContext<ThumbnailsParams>): ReviewResult {
  const files = thumbnailFiles(ctx.node.id);
  const times = parseFrameTimes(ctx.reports[files.frames] ?? '');
  if (times.length === 0) return { fail: 'no thumbnail was taken (is the video empty?)' };
  const { width, height } = thumbSize(ctx);
  const { intervalSeconds, columns, rows } = ctx.params;
  const content = thumbnailTrack(times, {
    intervalSeconds,
    columns,
    rows,
    width,
    height,
    durationSeconds: durationOf(ctx),
  });
  return { files: [{ path: files.track, content }] };
}

/** A decode of the whole video (frames are dropped before scaling): a tenth of a fast encode. */
function estimateSeconds(_p: ThumbnailsParams, media: MediaInfo, calibration: Calibration): number {
  return decodeEstimate(0.1, media, calibration);
}

/**
 * A poster JPEG and a WebVTT thumbnail track over sprite sheets, for scrubbing previews in
 * JW Player or Video.js, published under the node's output folder.
 */
export const thumbnails: NodeTypeDef<ThumbnailsParams> = {
  type: 'thumbnails',
  title: 'Thumbnails',
  description: 'A poster image and a WebVTT thumbnail track with sprite sheets.',
  ports: [{ name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true }],
  params,
  firing: 'sink',
  compile,
  review,
  estimateSeconds,
  cores: () => 1,
};
