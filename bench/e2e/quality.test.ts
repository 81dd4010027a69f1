import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipArgv } from './clips.js';
import { runOk } from './proc.js';
import { compare, joinFrames, sizeRatio } from './quality.js';

// Real ffmpeg on a tiny generated clip: the comparison must tell identical from degraded.
let dir: string;
let clip: string;
let blurry: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-bench-quality-'));
  clip = join(dir, 'clip.mp4');
  blurry = join(dir, 'blurry.mp4');
  await runOk(clipArgv({ durationSeconds: 4, width: 320, height: 180 }, clip));
  // prettier-ignore
  await runOk(['ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-i', clip,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '45', '-an', blurry]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compare', () => {
  it('finds a video identical to itself, joins included', async () => {
    const q = await compare(clip, clip, 180, joinFrames(4, 2, 25));
    expect(q.psnr).toBe(Infinity);
    expect(q.ssim).toBe(1);
    expect(q.frames).toBe(100);
    expect(q.psnrAtJoinsMin).toBe(Infinity);
  });
  it('measures a heavily compressed copy as clearly worse and smaller', async () => {
    const q = await compare(blurry, clip, 180, joinFrames(4, 2, 25));
    expect(q.psnr).toBeLessThan(35);
    expect(q.ssim).toBeLessThan(0.98);
    expect(q.psnrAtJoinsMin).toBeLessThan(40);
    expect(await sizeRatio(blurry, clip)).toBeLessThan(1);
  });
});
