import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClipSpec } from './matrix.js';
import { runOk } from './proc.js';

/** Frames per second of the generated clips; keyframes every 2 s. */
export const CLIP_FPS = 25;
export const KEYFRAME_SECONDS = 2;

export const clipName = (c: ClipSpec): string =>
  `clip-${c.durationSeconds}s-${c.width}x${c.height}.mp4`;

/**
 * The argv that generates a clip: ffmpeg's `testsrc2` pattern (moving, detailed enough to
 * cost an encoder real work) with a sine tone, H.264 at high quality (CRF 18, ultrafast so
 * generation stays short) with a keyframe every 2 s and no scene-cut keyframes, so the
 * split can cut every 2 s exactly.
 */
export function clipArgv(c: ClipSpec, out: string): string[] {
  const gop = String(CLIP_FPS * KEYFRAME_SECONDS);
  // prettier-ignore
  return [
    'ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${c.width}x${c.height}:rate=${CLIP_FPS}:duration=${c.durationSeconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${c.durationSeconds}`,
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart',
    out,
  ];
}

/**
 * The clip's path under `dir`, generated on first use. Written under a temporary name and
 * renamed, so an interrupted session never leaves a truncated clip in the cache.
 */
export async function ensureClip(dir: string, c: ClipSpec): Promise<string> {
  const path = join(dir, clipName(c));
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const partial = `${path}.partial.mp4`;
  process.stderr.write(`bench: generating ${clipName(c)}\n`);
  await runOk(clipArgv(c, partial));
  await rename(partial, path);
  return path;
}
