import { execFile, execFileSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTypeDef, StorageView, TaskSpec, Token } from '@reelflow/fbp-model';
import {
  compileNode,
  encode,
  hlsPlaylist,
  merge,
  outputTokens,
  probe,
  quality,
  split,
  stream,
  transfer,
} from './index.js';

// Real ffmpeg end to end: the compiled argv of every node, run in order as the runtime would
// (write TaskSpec.files, make output folders, run argv, turn the files found into tokens).

const FPS = 25;
const run = promisify(execFile);
let root: string;
let storage: StorageView;
let server: Server;

const ffprobe = (args: string[]): string =>
  execFileSync('ffprobe', ['-v', 'error', ...args], { encoding: 'utf8' }).trim();

/** Every file under `dir`, relative to the run directory. */
function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [relative(root, full)];
  });
}

/** Uploads still being written, so a task's outputs are collected only once they are complete. */
const uploads = new Set<Promise<void>>();

/**
 * The runtime's file routes, reduced to GET (with byte ranges, which MP4 inputs need) and
 * PUT/POST (ffmpeg's segment and HLS muxers upload with POST whatever `-method` says).
 * ffmpeg closes an upload right after its last chunk without waiting for the answer, and Node
 * then drops whatever a paused request had not read yet: so the body is read eagerly (no `pipe`
 * backpressure), and the write is tracked until it is on disk.
 */
function fileServer(): Server {
  return createServer((req, res) => {
    const path = join(
      root,
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/files\//, '')),
    );
    if (req.method === 'PUT' || req.method === 'POST') {
      mkdirSync(dirname(path), { recursive: true });
      const file = createWriteStream(path);
      const done = new Promise<void>((resolve) => {
        req.on('data', (chunk: Buffer) => file.write(chunk));
        req.on('end', () => file.end(resolve));
      });
      uploads.add(done);
      void done.then(() => {
        uploads.delete(done);
        res.writeHead(201).end();
      });
    } else if (existsSync(path)) {
      sendFile(req.headers.range, path, res);
    } else res.writeHead(404).end();
  });
}

function sendFile(range: string | undefined, path: string, res: ServerResponse): void {
  const size = statSync(path).size;
  const match = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
  const start = match ? Number(match[1]) : 0;
  const end = match?.[2] ? Number(match[2]) : size - 1;
  const headers = { 'accept-ranges': 'bytes', 'content-length': Math.max(0, end - start + 1) };
  if (match) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
  else res.writeHead(200, headers);
  if (start <= end) createReadStream(path, { start, end }).pipe(res);
  else res.end();
}

/** stderr of every task run, in order. */
const logs: string[] = [];

/** What the runtime does for one task. Async, so the file server keeps answering meanwhile. */
async function runTask(spec: TaskSpec): Promise<Token[]> {
  for (const f of spec.files ?? []) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
  }
  for (const o of spec.outputs) {
    mkdirSync(join(root, o.kind === 'dir' ? o.dir : dirname(o.path)), { recursive: true });
  }
  const [program, ...args] = spec.argv;
  const { stderr } = await run(program!, args, { maxBuffer: 64 << 20 });
  logs.push(stderr);
  await Promise.all(uploads);
  const dirOutput = spec.outputs.find((o) => o.kind === 'dir');
  const list = dirOutput?.kind === 'dir' ? dirOutput.segmentList : undefined;
  const segmentList = list === undefined ? undefined : readFileSync(join(root, list), 'utf8');
  return outputTokens(spec, listFiles(join(root, 'work')), segmentList);
}

async function runNode<P>(
  def: NodeTypeDef<P>,
  nodeId: string,
  params: unknown,
  inputs: Token[],
  index = 0,
) {
  const tokens: Token[] = [];
  for (const spec of compileNode(def, params, { nodeId, inputs, index, storage }))
    tokens.push(...(await runTask(spec)));
  return tokens;
}

/** One firing per token, as the engine fires a map node (chunk index = firing index). */
async function mapAll<P>(def: NodeTypeDef<P>, nodeId: string, params: unknown, tokens: Token[]) {
  const out: Token[] = [];
  for (const [index, t] of tokens.entries())
    out.push(...(await runNode(def, nodeId, params, [t], index)));
  return out;
}

function videoFacts(path: string): { codec: string; frames: number; duration: number } {
  // prettier-ignore
  const json = ffprobe([
    '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=codec_name,nb_read_frames,duration:format=duration', '-of', 'json', path,
  ]);
  const { streams, format } = JSON.parse(json) as {
    streams: { codec_name: string; nb_read_frames: string; duration?: string }[];
    format: { duration: string };
  };
  const video = streams[0]!;
  // Matroska keeps no per-stream duration; the container's is the best there is.
  return {
    codec: video.codec_name,
    frames: Number(video.nb_read_frames),
    duration: Number(video.duration ?? format.duration),
  };
}

/** Differences between consecutive video presentation times of a file. */
function frameGaps(path: string): number[] {
  const pts = ffprobe([
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time',
    '-of',
    'csv=p=0',
    path,
  ])
    .split('\n')
    .map((line) => parseFloat(line)) // the HLS demuxer appends empty fields and lines
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  return pts.slice(1).map((t, i) => t - pts[i]!);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'reelflow-library-'));
  server = fileServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  storage = { root, httpBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}/files` };
  mkdirSync(join(root, 'input'));
  // 12 s, 640x360, a keyframe every 2 s, with audio: splits at 4 s give 3 chunks.
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${FPS}:duration=12`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(2 * FPS), '-keyint_min', String(2 * FPS),
    '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(root, 'input/source.mp4'),
  ]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  if (process.env.KEEP_RUN) console.log(root);
  else rmSync(root, { recursive: true, force: true });
});

const sourceToken: Token = {
  id: 'src',
  dataType: 'video',
  path: 'input/source.mp4',
  durationSeconds: 12,
  codec: 'h264',
};

describe('split → transfer(shared) → encode → transfer → merge → stream with real ffmpeg', () => {
  let chunks: Token[];
  let encoded: Token[];
  let merged: Token[];
  let qualityLogs: string[];

  beforeAll(async () => {
    chunks = await runNode(split, 'split', { segmentSeconds: 4 }, [sourceToken]);
    const moved = await mapAll(transfer, 'xfer', { strategy: 'shared' }, chunks);
    encoded = await mapAll(
      encode,
      'enc',
      { codec: 'h264', preset: 'veryfast', crf: 28, height: 240 },
      moved,
    );
    const measured = await mapAll(quality, 'q', { metrics: 'both' }, encoded);
    qualityLogs = logs.slice(-measured.length);
    const back = await mapAll(transfer, 'back', { strategy: 'shared' }, measured);
    // Reversed, to show the merge orders chunks by their index in the group.
    merged = await runNode(merge, 'merge', { container: 'mp4' }, [...back].reverse());
    await runNode(stream, 'out', { format: 'hls', segmentSeconds: 4 }, merged);
    await runNode(probe, 'probe', {}, merged);
  }, 120_000);

  it('measures each encoded chunk against its original and passes it on', () => {
    expect(qualityLogs).toHaveLength(3);
    for (const log of qualityLogs) {
      const psnr = Number(/PSNR .*average:([\d.]+)/.exec(log)?.[1]);
      const ssim = Number(/SSIM .*All:([\d.]+)/.exec(log)?.[1]);
      expect(psnr).toBeGreaterThan(20);
      expect(ssim).toBeGreaterThan(0.8);
    }
  });

  it('probes the joined video into a JSON report', () => {
    const report = JSON.parse(readFileSync(join(root, 'outputs/probe/probe.json'), 'utf8')) as {
      streams: { codec_type: string; codec_name: string }[];
    };
    expect(report.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual([
      'video:h264',
      'audio:aac',
    ]);
  });

  it('cuts the source into timed chunk tokens of one group', () => {
    expect(chunks.map((c) => c.path)).toEqual([0, 1, 2].map((i) => `work/split/chunk_0000${i}.ts`));
    expect(chunks.map((c) => c.group)).toEqual(
      [0, 1, 2].map((index) => ({ id: 'split#0', origin: 'split', index, count: 3 })),
    );
    expect(chunks.reduce((s, c) => s + c.durationSeconds!, 0)).toBeCloseTo(12, 1);
  });

  it('joins the encoded chunks into an H.264 video with every frame and the source duration', () => {
    expect(merged.map((t) => t.path)).toEqual(['work/merge/output.mp4']);
    const source = videoFacts(join(root, 'input/source.mp4'));
    const output = videoFacts(join(root, 'work/merge/output.mp4'));
    expect(output.codec).toBe('h264');
    expect(output.frames).toBe(source.frames);
    expect(Math.abs(output.duration - source.duration)).toBeLessThanOrEqual(1 / FPS);
    const height = ffprobe([
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=height',
      '-of',
      'csv=p=0',
      join(root, 'work/merge/output.mp4'),
    ]);
    expect(height).toBe('240');
  });

  it('keeps frames evenly spaced across the joins', () => {
    const gaps = frameGaps(join(root, 'work/merge/output.mp4'));
    expect(Math.max(...gaps)).toBeLessThan(1.1 / FPS);
    expect(Math.min(...gaps)).toBeGreaterThan(0.9 / FPS);
  });

  it('lists the encoded chunks directly as an incremental HLS playlist that plays every frame', () => {
    const segments = encoded.map((t) => ({
      uri: t.path.split('/').pop()!,
      duration: t.durationSeconds!,
    }));
    writeFileSync(join(root, 'work/enc/live.m3u8'), hlsPlaylist(segments, true));
    const live = videoFacts(join(root, 'work/enc/live.m3u8'));
    expect(live.frames).toBe(300);
    expect(Math.max(...frameGaps(join(root, 'work/enc/live.m3u8')))).toBeLessThan(1.1 / FPS);
  });

  it('writes an HLS playlist with its segments', () => {
    const playlist = readFileSync(join(root, 'outputs/out/index.m3u8'), 'utf8');
    const segments = playlist.split('\n').filter((l) => l.endsWith('.ts'));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    for (const s of segments)
      expect(statSync(join(root, 'outputs/out', s)).size).toBeGreaterThan(0);
    expect(playlist).toContain('#EXT-X-ENDLIST');
  });
});

describe('transfer(http): the encode pulls and pushes its chunk over HTTP', () => {
  let encoded: Token[];
  let merged: Token[];

  beforeAll(async () => {
    // Even the split reads the upload and writes its chunks and list over HTTP here.
    const chunks = await runNode(split, 'split-h', { segmentSeconds: 4 }, [
      { ...sourceToken, via: 'http' },
    ]);
    const moved = await mapAll(transfer, 'xfer-h', { strategy: 'http' }, chunks);
    encoded = await mapAll(
      encode,
      'enc-h',
      { codec: 'h264', preset: 'ultrafast', width: 320 },
      moved,
    );
    const back = await mapAll(transfer, 'back-h', { strategy: 'shared' }, encoded);
    merged = await runNode(merge, 'merge-h', { container: 'mkv' }, back);
    await runNode(stream, 'dash-h', { format: 'dash', segmentSeconds: 4 }, [
      { ...merged[0]!, via: 'http' },
    ]);
  }, 120_000);

  it('packages DASH over HTTP: a manifest and its segments', () => {
    const files = readdirSync(join(root, 'outputs/dash-h'));
    expect(files).toContain('manifest.mpd');
    expect(files.filter((f) => f.endsWith('.m4s')).length).toBeGreaterThanOrEqual(4);
  });

  it('marks the tokens http and the chunks arrive in the run directory through PUT', () => {
    expect(encoded.map((t) => t.via)).toEqual(['http', 'http', 'http']);
    for (const t of encoded) expect(statSync(join(root, t.path)).size).toBeGreaterThan(0);
  });

  it('still joins to every frame of the source', () => {
    const output = videoFacts(join(root, merged[0]!.path));
    expect(merged[0]!.path).toBe('work/merge-h/output.mkv');
    expect(output.frames).toBe(videoFacts(join(root, 'input/source.mp4')).frames);
  });
});

describe.each([
  { codec: 'vp9', container: 'webm', encoder: 'vp9' },
  { codec: 'av1', container: 'mkv', encoder: 'av1' },
])('$codec chunks in Matroska', ({ codec, container, encoder }) => {
  let merged: Token[];

  beforeAll(async () => {
    const chunks = await runNode(split, `split-${codec}`, { segmentSeconds: 4 }, [sourceToken]);
    const encoded = await mapAll(
      encode,
      `enc-${codec}`,
      { codec, preset: 'ultrafast', crf: 40, width: 160 },
      chunks,
    );
    merged = await runNode(merge, `merge-${codec}`, { container }, encoded);
  }, 120_000);

  it(`joins into ${container} with every frame, evenly spaced`, () => {
    const path = join(root, merged[0]!.path);
    const output = videoFacts(path);
    expect(output.codec).toBe(encoder);
    expect(output.frames).toBe(videoFacts(join(root, 'input/source.mp4')).frames);
    const gaps = frameGaps(path);
    expect(Math.max(...gaps)).toBeLessThan(1.1 / FPS);
    expect(Math.min(...gaps)).toBeGreaterThan(0.9 / FPS);
  });
});
