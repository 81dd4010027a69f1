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
