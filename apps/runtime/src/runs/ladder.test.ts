/**
 * Adaptive-bitrate ladders end to end on the local executor (issue 13): the example ladder on
 * a generated 6 s 1080p clip with audio, its master playlist checked against ffprobe of the
 * segments, rungs cut at the same times, DASH (and CMAF) read by ffprobe's own demuxers, and a
 * small source that must not be scaled up. Real ffmpeg and ffprobe; nothing is mocked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store/store.js';
import { runCommand, type RunSummary } from './cli-run.js';
import { openTestExecutor } from './test-executors.js';

const run = promisify(execFile);
const example = JSON.parse(
  readFileSync(new URL('../../../../examples/abr-ladder.reelflow.json', import.meta.url), 'utf8'),
) as {
  nodes: { id: string; type: string; params: Record<string, unknown> }[];
  edges: unknown[];
};

let dir: string;
let hd: string;
let tiny: string;

/** A clip with a 440 Hz AAC track, keyframes every second, as a camera or an upload has. */
async function clip(path: string, size: string, seconds: number): Promise<void> {
  // prettier-ignore
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25',
    '-c:a', 'aac', '-b:a', '96k', '-shortest', path,
  ]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-ladder-'));
  hd = join(dir, 'hd.mp4');
  tiny = join(dir, 'tiny.mp4');
  await Promise.all([clip(hd, '1920x1080', 6), clip(tiny, '320x180', 4)]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The example with short chunks and segments, fast presets, and the stream's params changed. */
function ladderGraph(stream: Record<string, unknown> = {}, keep?: readonly string[]) {
  const nodes = example.nodes
    .filter((n) => !keep || keep.includes(n.id) || !['encode', 'merge'].includes(n.type))
    .map((n) => {
      if (n.type === 'split') return { ...n, params: { ...n.params, segmentSeconds: 2 } };
      if (n.type === 'encode') return { ...n, params: { ...n.params, preset: 'ultrafast' } };
      if (n.type === 'stream')
        return { ...n, params: { ...n.params, segmentSeconds: 2, ...stream } };
      return n;
    });
  const ids = new Set(nodes.map((n) => n.id));
  const edges = (example.edges as { from: { node: string }; to: { node: string } }[]).filter(
    (e) => ids.has(e.from.node) && ids.has(e.to.node),
  );
  return { ...example, id: 'ladder-test', nodes, edges };
}

/** Run a graph on the local executor; the run's outputs folder and its log folder. */
async function runLadder(name: string, graph: unknown, input: string) {
  const graphPath = join(dir, `${name}.reelflow.json`);
  writeFileSync(graphPath, JSON.stringify(graph));
  let stdout = '';
  let stderr = '';
  const dataDir = join(dir, `data-${name}`);
  const code = await runCommand(
    { graphPath, input, json: true, dataDir },
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false },
    {
      handleSignals: false,
      openExecutor: async () => ({ executor: await openTestExecutor('local') }),
    },
  );
  expect(stderr.split('\n').filter((l) => /failed|error/i.test(l))).toEqual([]);
  expect(code).toBe(0);
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as RunSummary;
  const root = join(dataDir, 'runs', summary.runId);
  // The tasks handed to the executor, from the run's event log.
  const store = new Store(join(dataDir, 'reelflow.db'));
  const launched = store
    .listEvents(summary.runId)
    .filter((e) => e.type === 'task:launch')
    .map((e) => (e.payload as { key: string }).key);
  store.close();
  return { summary, launched, outputs: join(root, 'outputs', 'out'), logs: join(root, 'logs') };
}

interface Stream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
}

async function ffprobe(path: string, entries: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-of',
    'json',
    '-show_entries',
    entries,
    path,
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}
const streamsOf = async (path: string) =>
  ((await ffprobe(path, 'stream=codec_type,codec_name,profile,level,width,height,avg_frame_rate'))
    .streams ?? []) as Stream[];

/** `#EXT-X-STREAM-INF` entries of a master playlist: attributes and URI. */
function variantsOf(master: string): { attrs: Record<string, string>; uri: string }[] {
  const lines = master.split('\n');
  return lines.flatMap((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return [];
    const attrs: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g))
      attrs[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    return [{ attrs, uri: lines[i + 1]! }];
  });
}

/** Segment URIs and EXTINF durations of a media playlist. */
function segmentsOf(playlist: string): { uri: string; extinf: string }[] {
  const lines = playlist.split('\n');
  return lines.flatMap((line, i) =>
    line.startsWith('#EXTINF:')
      ? [{ extinf: line, uri: lines.slice(i + 1).find((l) => l && !l.startsWith('#'))! }]
      : [],
  );
}

const PROFILE_IDC: Record<string, string> = {
  High: '64',
  Main: '4d',
  'Constrained Baseline': '42',
};

describe('an HLS ladder from examples/abr-ladder.reelflow.json', () => {
  let outputs: string;
  let master: string;
  let launched: string[];
  let summary: RunSummary;

  beforeAll(async () => {
    ({ outputs, launched, summary } = await runLadder('hls', ladderGraph(), hd));
    master = readFileSync(join(outputs, 'master.m3u8'), 'utf8');
  }, 300_000);

  it('decodes each chunk once: one task per chunk encodes all four rungs', () => {
    // 6 s in 2 s chunks: three fused encode tasks, not twelve; each rung still ran 3 firings.
    // Chunks launch in the order the split's tokens arrive, which a busy machine can shuffle.
    expect(launched.filter((k) => k.startsWith('enc')).sort()).toEqual([
      'enc1080:0',
      'enc1080:1',
      'enc1080:2',
    ]);
    for (const rung of ['enc1080', 'enc720', 'enc480', 'enc360'])
      expect(summary.nodes[rung]).toEqual({ state: 'done', tasks: 3 });
  });

  it('lists the four renditions by bandwidth, each as ffprobe reads it', async () => {
    const variants = variantsOf(master);
    expect(variants.map((v) => v.attrs.RESOLUTION)).toEqual([
      '640x360',
      '854x480',
      '1280x720',
      '1920x1080',
    ]);
    const bandwidths = variants.map((v) => Number(v.attrs.BANDWIDTH));
    expect([...bandwidths].sort((a, b) => a - b)).toEqual(bandwidths);
    // ffprobe's HLS demuxer reads the master and every variant it lists.
    const all = await streamsOf(join(outputs, 'master.m3u8'));
    expect(
      all
        .filter((s) => s.codec_type === 'video')
        .map((s) => s.height)
        .sort(),
    ).toEqual(expect.arrayContaining([360, 480, 720, 1080]));
    for (const v of variants) {
      const streams = await streamsOf(join(outputs, v.uri));
      const video = streams.find((s) => s.codec_type === 'video')!;
      const audio = streams.find((s) => s.codec_type === 'audio')!;
      expect(v.attrs.RESOLUTION).toBe(`${video.width}x${video.height}`);
      const [num, den] = video.avg_frame_rate!.split('/').map(Number);
      expect(Number(v.attrs['FRAME-RATE'])).toBeCloseTo(num! / den!, 3);
      // CODECS from the output: profile and level as ffprobe names them, audio muxed in.
      const level = video.level!.toString(16).padStart(2, '0');
      expect(v.attrs.CODECS).toMatch(
        new RegExp(`^avc1\\.${PROFILE_IDC[video.profile!]}[0-9a-f]{2}${level},mp4a\\.40\\.2$`),
      );
      expect(audio.profile).toBe('LC');
    }
  });

  it('measures BANDWIDTH and AVERAGE-BANDWIDTH over the segments', async () => {
    for (const v of variantsOf(master)) {
      const playlist = join(outputs, v.uri);
      const rates: number[] = [];
      let bits = 0;
      let seconds = 0;
      for (const s of segmentsOf(readFileSync(playlist, 'utf8'))) {
        const file = join(dirname(playlist), s.uri);
        const probed = (await ffprobe(file, 'format=duration')) as { format: { duration: string } };
        const duration = Number(probed.format.duration);
        const size = statSync(file).size * 8;
        rates.push(size / duration);
        bits += size;
        seconds += duration;
      }
      const average = Number(v.attrs['AVERAGE-BANDWIDTH']);
      const peak = Number(v.attrs.BANDWIDTH);
      expect(peak).toBeGreaterThanOrEqual(average);
      expect(Math.abs(average - bits / seconds) / average).toBeLessThan(0.05);
      expect(Math.abs(peak - Math.max(...rates)) / peak).toBeLessThan(0.1);
    }
  });

  it('cuts every rendition at the same times', async () => {
    const lists = variantsOf(master).map((v) => {
      const path = join(outputs, v.uri);
      return { path, segments: segmentsOf(readFileSync(path, 'utf8')) };
    });
    expect(lists[0]!.segments.length).toBeGreaterThanOrEqual(3);
    for (const l of lists) {
      expect(l.segments.length).toBe(lists[0]!.segments.length);
      expect(l.segments.map((s) => s.extinf)).toEqual(lists[0]!.segments.map((s) => s.extinf));
    }
    // The segments themselves start at the same presentation time in every rendition.
    const starts = await Promise.all(
      lists.map((l) =>
        Promise.all(
          l.segments.map(async (s) => {
            const f = (await ffprobe(join(dirname(l.path), s.uri), 'stream=start_time')) as {
              streams: { start_time: string }[];
            };
            return Math.min(...f.streams.map((x) => Number(x.start_time)));
          }),
        ),
      ),
    );
    for (const s of starts) s.forEach((t, i) => expect(t).toBeCloseTo(starts[0]![i]!, 2));
  });
});

describe('DASH and CMAF ladders', () => {
  it('writes one MPD with a Representation per rendition, and with cmaf the HLS master too', async () => {
    const graph = ladderGraph({ format: 'dash', cmaf: true }, ['enc480', 'm480', 'enc360', 'm360']);
    const { outputs } = await runLadder('dash', graph, hd);
    const mpd = readFileSync(join(outputs, 'manifest.mpd'), 'utf8');
    expect(mpd.match(/<AdaptationSet /g)).toHaveLength(2);
    expect(mpd.match(/<Representation /g)).toHaveLength(3);
    // ffprobe's dash demuxer reads the manifest: two video renditions and the audio.
    const streams = await streamsOf(join(outputs, 'manifest.mpd'));
    expect(streams.filter((s) => s.codec_type === 'video').map((s) => s.height)).toEqual([
      480, 360,
    ]);
    expect(streams.filter((s) => s.codec_type === 'audio')).toHaveLength(1);
    // The same fMP4 segments through HLS: the audio once, as a group both variants share.
    const master = readFileSync(join(outputs, 'master.m3u8'), 'utf8');
    expect(master).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",.*URI="media_2.m3u8"/);
    const variants = variantsOf(master);
    expect(variants.map((v) => [v.uri, v.attrs.RESOLUTION, v.attrs.AUDIO])).toEqual([
      ['media_1.m3u8', '640x360', 'audio'],
      ['media_0.m3u8', '854x480', 'audio'],
    ]);
    for (const v of variants) expect(v.attrs.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    const hls = await streamsOf(join(outputs, 'master.m3u8'));
    expect(hls.filter((s) => s.codec_type === 'video')).toHaveLength(2);
    expect(readdirSync(outputs).filter((f) => f.endsWith('.ts'))).toEqual([]);
  }, 300_000);
});

describe('upscale: never', () => {
  it('gives no rendition above a 320x180 source, and says which rungs it left out', async () => {
    const { outputs, logs } = await runLadder('tiny', ladderGraph(), tiny);
    const variants = variantsOf(readFileSync(join(outputs, 'master.m3u8'), 'utf8'));
    expect(variants.map((v) => v.attrs.RESOLUTION)).toEqual(['320x180']);
    for (const rung of ['v0', 'v1', 'v2', 'v3']) {
      const video = (await streamsOf(join(outputs, rung, 'index.m3u8'))).find(
        (s) => s.codec_type === 'video',
      )!;
      expect(video.height).toBeLessThanOrEqual(180);
    }
    const log = readFileSync(join(logs, 'out.log'), 'utf8');
    expect(log).toContain(
      'v0/index.m3u8 left out of the master playlist: encode enc1080 asked for 1080 px high, above the source (320x180), and has upscale: never',
    );
    expect(log.match(/left out of the master playlist/g)).toHaveLength(3);
  }, 300_000);
});
