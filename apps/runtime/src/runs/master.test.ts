/**
 * The stream node's audio input on real files: the library compiles a ladder with an audio
 * track (an AAC .m4a made here, as the audio node will make one), ffmpeg runs each task, and
 * the runtime writes the master playlist over what is on disk.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Token } from '@reelflow/fbp-model';
import { library, stream } from '@reelflow/library';
import { writeMasterPlaylist } from './master.js';

const run = promisify(execFile);
let dir: string;

/** Tokens of the run directory's files, as merges and the audio node hand them over. */
const token = (path: string, dataType: Token['dataType'], height?: number): Token => ({
  id: path,
  dataType,
  path,
  via: 'shared',
  durationSeconds: 4,
  ...(height === undefined ? {} : { height }),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-master-'));
  mkdirSync(join(dir, 'work'), { recursive: true });
  const video = (height: number) =>
    // prettier-ignore
    run('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${(height * 16) / 9}x${height}:rate=25:duration=4`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', join(dir, `work/v${height}.mp4`),
    ]);
  // prettier-ignore
  const audio = run('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
    '-c:a', 'aac', '-b:a', '96k', join(dir, 'work/audio.m4a'),
  ]);
  await Promise.all([video(360), video(180), audio]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compile the stream node's firing and run every task it makes with the real ffmpeg. */
async function runStream(params: Record<string, unknown>, inputs: Token[]) {
  const specs = stream.compile({
    runId: 'r',
    node: { id: 'out', type: 'stream', params },
    params: stream.params.parse(params),
    inputs,
    index: 0,
    storage: { root: dir },
    image: 'unused',
  });
  for (const spec of specs) {
    for (const out of spec.outputs)
      if (out.kind === 'file') mkdirSync(dirname(join(dir, out.path)), { recursive: true });
    await run(spec.argv[0]!, spec.argv.slice(1));
  }
  return specs;
}

const graph: Graph = {
  schemaVersion: 1,
  id: 'g',
  name: 'g',
  nodes: [{ id: 'out', type: 'stream', params: {} }],
  edges: [],
};

describe('a ladder with an audio input', () => {
  it('carries the audio once, as a group every video-only variant shares', async () => {
    const specs = await runStream({ segmentSeconds: 2 }, [
      token('work/v360.mp4', 'video'),
      token('work/v180.mp4', 'video'),
      token('work/audio.m4a', 'audio'),
    ]);
    const notes = await writeMasterPlaylist(dir, specs[0]!.master!, graph, 'out', library);
    expect(notes).toEqual([]);
    const master = readFileSync(join(dir, 'outputs/out/master.m3u8'), 'utf8');
    expect(master).toContain(
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"',
    );
    const inf = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    expect(inf).toHaveLength(2);
    expect(inf[0]).toMatch(/RESOLUTION=320x180,.*AUDIO="audio"$/);
    expect(inf[1]).toMatch(/RESOLUTION=640x360,.*AUDIO="audio"$/);
    for (const line of inf) expect(line).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    // The variants carry video only; the audio rendition audio only.
    const probe = async (path: string) =>
      (
        JSON.parse(
          (
            await run('ffprobe', [
              '-v',
              'error',
              '-of',
              'json',
              '-show_entries',
              'stream=codec_type',
              join(dir, path),
            ])
          ).stdout,
        ) as { streams: { codec_type: string }[] }
      ).streams.map((s) => s.codec_type);
    expect(await probe('outputs/out/v0/index.m3u8')).toEqual(['video']);
    expect(await probe('outputs/out/audio/index.m3u8')).toEqual(['audio']);
    expect((await probe('outputs/out/master.m3u8')).sort()).toEqual(['audio', 'video', 'video']);
  }, 60_000);

  it('leaves the audio group out when a CMAF ladder has no audio at all', async () => {
    const specs = await runStream({ cmaf: true, segmentSeconds: 2 }, [
      token('work/v360.mp4', 'video'),
      token('work/v180.mp4', 'video'),
    ]);
    await writeMasterPlaylist(dir, specs[0]!.master!, graph, 'out', library);
    const master = readFileSync(join(dir, 'outputs/out/master.m3u8'), 'utf8');
    expect(master).not.toContain('TYPE=AUDIO');
    expect(master.match(/#EXT-X-STREAM-INF:.*CODECS="avc1\.[0-9a-f]{6}",/g)).toHaveLength(2);
  }, 60_000);
});
