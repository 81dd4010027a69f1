/**
 * Video filter nodes on real video with the local executor (issue 13 item 3): a 6 s clip in
 * 2 s chunks through source → split → scale → crop → watermark → encode → merge, uploaded
 * over HTTP with the watermark image, then ffprobe'd: the size the filters give, every frame
 * kept, the image visible where it was put; and chunked against whole-video scaling (PSNR).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../executors/types.js';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { multipart } from '../server/test-helpers.js';
import { probeMedia } from './media.js';
import { openTestExecutor } from './test-executors.js';

const run = promisify(execFile);
const FPS = 25;
const SIZE = { width: 640, height: 360 };
/** The watermark: a 64×48 pure white PNG, laid opaque in the top-left corner, 8 px in. */
const MARK = { width: 64, height: 48, margin: 8 };

let fixtures: string;
let clip: string;
let logo: string;
let clipFrames: number;
let executor: Executor;
let runtime: Runtime;
let dataDir: string;
let base: string;

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-filters-fx-'));
  clip = join(fixtures, 'clip.mp4');
  logo = join(fixtures, 'logo.png');
  // prettier-ignore
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${SIZE.width}x${SIZE.height}:rate=${FPS}:duration=6`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(2 * FPS), '-keyint_min', String(2 * FPS), '-sc_threshold', '0',
    '-c:a', 'aac', '-shortest', clip,
  ]);
  // prettier-ignore
  await run('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=white:s=${MARK.width}x${MARK.height}`,
    '-frames:v', '1', logo,
  ]);
  clipFrames = (await probeMedia(clip, { countFrames: true })).frames!;
  executor = await openTestExecutor('local');
  dataDir = mkdtempSync(join(tmpdir(), 'reelflow-filters-'));
  runtime = createRuntime({ dataDir, executor, port: 0, designerDir: false });
  await runtime.start();
  base = `http://127.0.0.1:${(runtime.httpServer.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await executor?.close();
  rmSync(fixtures, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function upload(path: string, name: string): Promise<{ uploadId: string; kind?: string }> {
  const res = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    body: multipart('file', name, readFileSync(path)),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { uploadId: string; kind?: string };
}

type Params = Record<string, unknown>;

/** source → split → filters… → encode → merge → probe, as a graph document. */
function graph(filters: Array<[string, string, Params]>, split: Params = { segmentSeconds: 2 }) {
  const nodes = [
    { id: 'src', type: 'source', params: {} },
    { id: 'split', type: 'split', params: split },
    ...filters.map(([id, type, params]) => ({ id, type, params })),
    { id: 'enc', type: 'encode', params: { preset: 'ultrafast', crf: 18 } },
    { id: 'merge', type: 'merge', params: { container: 'mp4' } },
    // A sink, as every graph needs one: a probe report of the merged video.
    { id: 'report', type: 'probe', params: {} },
  ];
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i + 1}`,
    from: { node: nodes[i]!.id, port: 'out' },
    to: { node: n.id, port: 'in' },
  }));
  return { schemaVersion: 1, id: 'filters', name: 'filters', nodes, edges };
}

/** Run a graph on an upload through the API; the merged output's path once it succeeded. */
async function runGraph(doc: unknown, input: string): Promise<{ runId: string; output: string }> {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ graph: doc, input, executor: 'local' }),
  });
  const body = (await res.json()) as { runId: string; diagnostics?: unknown };
  expect([res.status, body.diagnostics]).toEqual([202, undefined]);
  const { runId } = body;
  const state = await runtime.manager.waitFor(runId);
  const view = await runtime.manager.view(runId);
  expect([state, view?.reason]).toEqual(['succeeded', undefined]);
  return { runId, output: join(dataDir, 'runs', runId, 'outputs', 'merge', 'output.mp4') };
}

/** Luma statistics of a rectangle of frame `frame` of a video (signalstats). */
async function lumaOf(
  path: string,
  rect: { x: number; y: number; w: number; h: number },
  filters = '',
): Promise<{ min: number; avg: number }> {
  const crop = `crop=${rect.w}:${rect.h}:${rect.x}:${rect.y}`;
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-f', 'lavfi',
    '-i', `movie=${path}${filters === '' ? '' : `,${filters}`},${crop},signalstats`,
    '-show_entries', 'frame_tags=lavfi.signalstats.YMIN,lavfi.signalstats.YAVG',
    '-of', 'csv=p=0',
  ]);
  const rows = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number) as [number, number]);
  return {
    min: Math.min(...rows.map((r) => r[0])),
    avg: rows.reduce((s, r) => s + r[1], 0) / rows.length,
  };
}

describe('video filters fused into the encode, on real video', () => {
  it('scales, crops and watermarks every chunk: right size, every frame, the image visible', async () => {
    const video = await upload(clip, 'clip.mp4');
    const image = await upload(logo, 'logo.png');
    expect(image.kind).toBe('image');
    const doc = graph([
      ['scale', 'scale', { width: 1280, height: 720, upscale: 'allow' }],
      ['crop', 'crop', { width: 960, height: 540, x: 0, y: 0 }],
      ['wm', 'watermark', { image: image.uploadId, position: 'top-left', margin: MARK.margin }],
    ]);
    const { runId, output } = await runGraph(doc, video.uploadId);

    const facts = await probeMedia(output, { countFrames: true });
    expect([facts.width, facts.height]).toEqual([960, 540]);
    expect(facts.frames).toBe(clipFrames);

    // Fused: the filters ran inside the encode tasks, three chunks, and made no task of their own.
    const view = (await runtime.manager.view(runId))!;
    expect(view.nodes.enc!.tasks).toHaveLength(3);
    for (const id of ['scale', 'crop', 'wm']) {
      expect(view.nodes[id]!.state).toBe('done');
      expect(view.nodes[id]!.tasks).toEqual([]);
    }
    const runDir = join(dataDir, 'runs', runId);
    expect(existsSync(join(runDir, 'assets', image.uploadId))).toBe(true);
    expect(readdirSync(join(runDir, 'work')).sort()).toEqual(['enc', 'merge', 'split']);

    // The white image where it was put, on every frame; the same spot without it is not white.
    const spot = { x: MARK.margin, y: MARK.margin, w: MARK.width, h: MARK.height };
    const marked = await lumaOf(output, spot);
    expect(marked.min).toBeGreaterThanOrEqual(225);
    const plain = await lumaOf(clip, spot, 'scale=1280:720,crop=960:540:0:0');
    expect(plain.avg).toBeLessThan(200);
    // Beside it, the picture is the source's.
    const beside = { x: MARK.margin + MARK.width + 8, y: MARK.margin, w: 64, h: 48 };
    const there = await lumaOf(output, beside);
    const expected = await lumaOf(clip, beside, 'scale=1280:720,crop=960:540:0:0');
    expect(Math.abs(there.avg - expected.avg)).toBeLessThan(3);
  }, 300_000);

  it('gives the same picture scaled in chunks as scaled whole (PSNR ≥ 45 dB)', async () => {
    const video = await upload(clip, 'clip.mp4');
    const filters: Array<[string, string, Params]> = [['scale', 'scale', { width: 320 }]];
    const chunked = await runGraph(graph(filters), video.uploadId);
    const whole = await runGraph(graph(filters, { segments: 1 }), video.uploadId);
    const [a, b] = await Promise.all([
      probeMedia(chunked.output, { countFrames: true }),
      probeMedia(whole.output, { countFrames: true }),
    ]);
    expect([a.width, a.height, a.frames]).toEqual([320, 180, clipFrames]);
    expect([b.width, b.height, b.frames]).toEqual([320, 180, clipFrames]);
    // prettier-ignore
    const { stderr } = await run('ffmpeg', [
      '-hide_banner', '-nostdin', '-i', chunked.output, '-i', whole.output,
      '-lavfi', '[0:v][1:v]psnr', '-f', 'null', '-',
    ]);
    const psnr = Number(
      /PSNR .*average:([\d.]+|inf)/.exec(stderr)?.[1]?.replace('inf', 'Infinity'),
    );
    expect(psnr).toBeGreaterThanOrEqual(45);
  }, 300_000);

  it('burns the same source timecode into chunks as into the whole video', async () => {
    const video = await upload(clip, 'clip.mp4');
    const filters: Array<[string, string, Params]> = [
      ['tc', 'text', { position: 'top-left', margin: 0, box: true }],
    ];
    const chunked = await runGraph(graph(filters), video.uploadId);
    const whole = await runGraph(graph(filters, { segments: 1 }), video.uploadId);
    // Only the corner with the timecode: a chunk restarting at 00:00:00 would differ there.
    const region = 'crop=280:56:0:0';
    // prettier-ignore
    const psnrOf = async (a: string, b: string) => {
      const { stderr } = await run('ffmpeg', [
        '-hide_banner', '-nostdin', '-i', a, '-i', b,
        '-lavfi', `[0:v]${region}[a];[1:v]${region}[b];[a][b]psnr`, '-f', 'null', '-',
      ]);
      return Number(/PSNR .*average:([\d.]+|inf)/.exec(stderr)?.[1]?.replace('inf', 'Infinity'));
    };
    expect(await psnrOf(chunked.output, whole.output)).toBeGreaterThanOrEqual(40);
    // The check can fail: the clip without the timecode differs clearly in that corner.
    const bare = await runGraph(graph([]), video.uploadId);
    expect(await psnrOf(bare.output, whole.output)).toBeLessThan(25);
  }, 300_000);
});
