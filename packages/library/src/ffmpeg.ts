import type { Calibration, MediaInfo } from '@reelflow/fbp-model';
import type { Via } from './paths.js';

/** The start of every ffmpeg command: quiet banner, never read stdin, overwrite (retries rerun). */
export const FFMPEG_HEAD: readonly string[] = ['ffmpeg', '-hide_banner', '-nostdin', '-y'];

/**
 * A byte copy between two files of the run volume (coreutils `cp`, in the task image too);
 * `--` ends the options, though both paths are absolute paths the library made.
 */
export const COPY_HEAD: readonly string[] = ['cp', '--'];

/** Machine-readable progress on stdout (`out_time_us=...`), which the runtime turns into a fraction. */
export const PROGRESS_ARGS: readonly string[] = ['-progress', 'pipe:1', '-nostats'];

/** Output options that depend on where the output goes: HTTP outputs are uploaded with PUT. */
export const writeArgs = (via: Via): readonly string[] =>
  via === 'http' ? ['-method', 'PUT'] : [];

/** A number of seconds as ffmpeg reads it; only finite numbers ever reach argv. */
export function seconds(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`Invalid number of seconds: ${value}`);
  return String(Number(value.toFixed(6)));
}

/** Seconds of a stream-copy task over `media` (split, transfer, merge, stream). */
export function copyEstimate(media: MediaInfo, calibration: Calibration): number {
  const overhead = calibration.lightTaskOverheadSeconds ?? calibration.taskOverheadSeconds;
  return overhead + media.durationSeconds * calibration.copySecondsPerSecond;
}

/**
 * Seconds of a task that decodes `media` without encoding it (a quality measure, a check, the
 * thumbnails): `share` of a veryfast encode of the same pixels, plus a task's start.
 */
export function decodeEstimate(share: number, media: MediaInfo, calibration: Calibration): number {
  const pixels = ((media.width ?? 1280) * (media.height ?? 720)) / (1280 * 720);
  return (
    calibration.taskOverheadSeconds +
    share * media.durationSeconds * calibration.encodeSecondsPerSecond * pixels
  );
}

/**
 * A value inside a filter option (a file path in a filtergraph), escaped for both levels ffmpeg
 * parses: first the option value (`\ ' :`), then the filtergraph (`\ ' [ ] , ;`).
 */
export function filterValue(text: string): string {
  const option = text.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/**
 * The `FFREPORT` environment value that makes ffmpeg/ffprobe copy their log (at `level`, 32 =
 * info) into `file`, a local path. `%` is doubled (the name is a template) and `\ ' :` escaped
 * (the value is a `key=value:key=value` list).
 */
export function reportEnv(file: string, level = 32): Readonly<Record<string, string>> {
  const name = file.replace(/%/g, '%%').replace(/[\\':]/g, (c) => `\\${c}`);
  return { FFREPORT: `file=${name}:level=${level}` };
}

/**
 * min(input, wanted) as an ffmpeg expression without a comma, which would end the filter in
 * a filter graph unless escaped: min(a, b) = (a + b - |a - b|) / 2. Never upscaling, in the
 * scale node and in an encode's own size, is this one expression.
 */
export const atMost = (input: 'iw' | 'ih', wanted: number): string =>
  `(${input}+${wanted}-abs(${input}-${wanted}))/2`;
