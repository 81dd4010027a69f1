import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipArgv } from './clips.js';
import type { GraphDoc } from './encode.js';
import { LADDER_GRAPH, ladderOf, plainLadderArgv } from './ladder.js';
import { run, runOk } from './proc.js';

// Real ffmpeg on a tiny generated clip: the plain command must write what the graph writes.
let dir: string;
let clip: string;
const doc = JSON.parse(readFileSync(LADDER_GRAPH, 'utf8')) as GraphDoc;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-bench-ladder-'));
  clip = join(dir, 'clip.mp4');
  await runOk(clipArgv({ durationSeconds: 5, width: 640, height: 360 }, clip));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ladderOf', () => {
  it("reads the example's rungs and segment length", () => {
    const { rungs, segmentSeconds } = ladderOf(doc);
    expect(rungs.map((r) => [r.height, r.bitrateKbps, r.preset, r.keyframeSeconds])).toEqual([
      [1080, 5000, 'veryfast', 2],
      [720, 2800, 'veryfast', 2],
      [480, 1400, 'veryfast', 2],
      [360, 800, 'veryfast', 2],
    ]);
    expect(segmentSeconds).toBe(4);
  });

  it('names an encode node without a bitrate', () => {
    const bad = { ...doc, nodes: [{ id: 'e', type: 'encode', params: { height: 360 } }] };
    expect(() => ladderOf(bad)).toThrow(/encode node 'e'.*bitrateKbps/);
  });
});

describe('plainLadderArgv', () => {
  it('writes four HLS variants from one decode, a keyframe every 2 s', async () => {
    const { rungs } = ladderOf(doc);
    const small = rungs.map((r) => ({ ...r, height: Math.round(r.height / 3 / 2) * 2 }));
    const out = join(dir, 'plain');
    for (let i = 0; i < small.length; i++) mkdirSync(join(out, `v${i}`), { recursive: true });
    const argv = plainLadderArgv(clip, small, 2, out);
    expect(argv.filter((a) => a === '-i')).toHaveLength(1);
    await runOk(argv);
    const master = readFileSync(join(out, 'master.m3u8'), 'utf8');
    expect(master.match(/^v\d\/index\.m3u8$/gm)).toEqual([
      'v0/index.m3u8',
      'v1/index.m3u8',
      'v2/index.m3u8',
      'v3/index.m3u8',
    ]);
    expect(master).toContain('RESOLUTION=640x360');
    // prettier-ignore
    const keys = await run(['ffprobe', '-v', 'error', '-select_streams', 'v', '-skip_frame', 'nokey',
      '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', join(out, 'v3', 'segment_00000.ts')]);
    const times = keys.stdout.trim().split('\n').map(Number);
    expect(times.length).toBe(1);
    const playlist = readFileSync(join(out, 'v3', 'index.m3u8'), 'utf8');
    expect(playlist.match(/#EXTINF/g)).toHaveLength(3);
  });
});
