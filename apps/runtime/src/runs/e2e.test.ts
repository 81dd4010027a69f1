/**
 * End to end against the real engine: a generated 60 s 1280x720 clip through the contract's
 * example graph on Docker Swarm and on the local executor, a corrupt chunk and its retry,
 * and a cancel mid-run. Real ffmpeg, real Docker; nothing is mocked.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStateEvent, TaskStateEvent } from '@reelflow/fbp-model';
import type { Executor } from '../executors/types.js';
import Docker from 'dockerode';
import { leftovers } from '../executors/testing.js';
import { openTestExecutor } from './test-executors.js';
import { probeMedia } from './media.js';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { makeClip, multipart } from '../server/test-helpers.js';
import { io as connect } from 'socket.io-client';
import type { AddressInfo } from 'node:net';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as { nodes: { id: string; type: string; params: Record<string, unknown> }[] };

/** The example graph with some node parameters changed. */
function withParams(changes: Record<string, Record<string, unknown>>) {
  return {
    ...example,
    nodes: example.nodes.map((n) =>
      changes[n.id] ? { ...n, params: { ...n.params, ...changes[n.id] } } : n,
    ),
  };
}

const FPS = 25;
let fixtures: string;
let clip: string;
let clipFrames: number;
let clipDuration: number;
/** A 20 s clip for the tests about failures and the live playlist (5 chunks of 4 s). */
let short: string;
let shortFrames: number;
let shortDuration: number;
const SHORT_SPLIT = { split: { segmentSeconds: 4 } };

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-e2e-fx-'));
  clip = join(fixtures, 'clip.mp4');
  await makeClip(clip, { seconds: 60, size: '1280x720', gop: 2 * FPS, fps: FPS });
  const facts = await probeMedia(clip, { countFrames: true });
  clipFrames = facts.frames!;
  clipDuration = facts.durationSeconds;
  short = join(fixtures, 'short.mp4');
  await makeClip(short, { seconds: 20, size: '1280x720', gop: 2 * FPS, fps: FPS });
  const shortFacts = await probeMedia(short, { countFrames: true });
  shortFrames = shortFacts.frames!;
  shortDuration = shortFacts.durationSeconds;
}, 180_000);
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

interface Harness {
  readonly runtime: Runtime;
  readonly executor: Executor;
  readonly dir: string;
  close(): Promise<void>;
}

async function harness(kind: 'swarm' | 'local'): Promise<Harness> {
  const executor = await openTestExecutor(kind);
  const dir = mkdtempSync(join(tmpdir(), `reelflow-e2e-${kind}-`));
  const runtime = createRuntime({ dataDir: dir, executor, port: 0, designerDir: false });
  await runtime.start();
  return {
    runtime,
    executor,
    dir,
    async close() {
      await runtime.close();
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const docker = new Docker();
/** Services and containers Docker still has for a run (both must be empty after it). */
const dockerLeftovers = (runId: string) => leftovers(docker, runId);

/** What a good output is compared with: the source's frames and duration, and its chunk count. */
interface Source {
  readonly frames: number;
  readonly duration: number;
  readonly chunks: number;
}

const longSource = (): Source => ({ frames: clipFrames, duration: clipDuration, chunks: 6 });
const shortSource = (): Source => ({ frames: shortFrames, duration: shortDuration, chunks: 5 });

async function expectGoodOutput(h: Harness, runId: string, source = longSource()): Promise<void> {
  const outputs = join(h.dir, 'runs', runId, 'outputs');
  const mp4 = join(outputs, 'merge', 'output.mp4');
  const facts = await probeMedia(mp4, { countFrames: true });
  expect(facts.codec).toBe('h264');
  expect(facts.width).toBe(1280);
  expect(facts.height).toBe(720);
  expect(Math.abs(facts.durationSeconds - source.duration)).toBeLessThanOrEqual(1 / FPS);
  // Every frame is there: none lost or doubled at the chunk joins.
  expect(facts.frames).toBe(source.frames);

  const playlist = readFileSync(join(outputs, 'out', 'index.m3u8'), 'utf8');
  expect(playlist.startsWith('#EXTM3U')).toBe(true);
  expect(playlist).toContain('#EXT-X-ENDLIST');
  const segments = playlist.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(segments.length).toBeGreaterThanOrEqual(source.chunks);
  const listed = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  expect(Math.abs(listed - source.duration)).toBeLessThanOrEqual(2 / FPS);
  const hls = await probeMedia(join(outputs, 'out', 'index.m3u8'));
  expect(Math.abs(hls.durationSeconds - source.duration)).toBeLessThanOrEqual(2 / FPS);

  const view = (await h.runtime.manager.view(runId))!;
  expect(view.outputs).toEqual(expect.arrayContaining(['merge/output.mp4', 'out/index.m3u8']));
  expect(Object.values(view.nodes).every((n) => n.state === 'done')).toBe(true);
  expect(view.nodes.enc!.tasks).toHaveLength(source.chunks);
  // Transfer tasks record what they moved.
  expect(view.nodes.xfer!.tasks.every((t) => (t.bytes ?? 0) > 0 && t.seconds !== undefined)).toBe(
    true,
  );
}

describe.each(['swarm', 'local'] as const)('a real run with the %s executor', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  }, 120_000);
  afterAll(async () => h?.close());

  it('transcodes the example graph through the HTTP API: H.264 output of the same duration and frame count, valid HLS, live events, nothing left behind', async () => {
    const base = `http://127.0.0.1:${(h.runtime.httpServer.address() as AddressInfo).port}`;
    const uploaded = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      body: multipart('file', 'clip.mp4', readFileSync(clip)),
    });
    expect(uploaded.status).toBe(201);
    const { uploadId } = (await uploaded.json()) as { uploadId: string };

    const socket = connect(base, { transports: ['websocket'], forceNew: true });
    const events: Array<{ name: string; payload: { runId: string; state?: string } }> = [];
    socket.onAny((name: string, payload: { runId: string }) => events.push({ name, payload }));
    try {
      const created = await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ graph: example, input: uploadId, executor: kind }),
      });
      expect(created.status).toBe(202);
      const { runId } = (await created.json()) as { runId: string };
      expect((await socket.emitWithAck('subscribe', { runId })).ok).toBe(true);
      expect(await h.runtime.manager.waitFor(runId)).toBe('succeeded');
      await expectGoodOutput(h, runId);
      if (kind === 'swarm') expect(await dockerLeftovers(runId)).toEqual([]);

      // Live events reached the subscriber, each naming its run, the run's states in order.
      await expect
        .poll(() => events.some((e) => e.name === 'run:state' && e.payload.state === 'succeeded'))
        .toBe(true);
      expect(events.every((e) => e.payload.runId === runId)).toBe(true);
      const states = events.filter((e) => e.name === 'run:state').map((e) => e.payload.state);
      expect(states.slice(-2)).toEqual(['running', 'succeeded']);
      for (const name of ['node:state', 'task:state', 'task:progress', 'log']) {
        expect(events.some((e) => e.name === name)).toBe(true);
      }
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/reelflow_bytes_moved_total\{node="xfer"\} [1-9]/);
      expect(metrics).toMatch(/reelflow_task_duration_seconds_count\{node_type="encode"\} 6/);
    } finally {
      socket.close();
    }
  }, 300_000);
});

describe('http transfer strategy', () => {
  // Tasks pull chunks from the runtime and push results back; the runtime must read a task's
  // outputs only once its uploads are stored (ffmpeg exits before the server has them).
  it('runs the example with both transfers over HTTP on the local executor, every frame kept', async () => {
    const h = await harness('local');
    try {
      const graph = withParams({
        ...SHORT_SPLIT,
        xfer: { strategy: 'http' },
        back: { strategy: 'http' },
      });
      const run = h.runtime.manager.create(graph, { path: short });
      expect(await h.runtime.manager.waitFor(run.id)).toBe('succeeded');
      const merged = join(h.dir, 'runs', run.id, 'work', 'merge', 'output.mp4');
      const facts = await probeMedia(merged, { countFrames: true });
      expect(facts.frames).toBe(shortFrames);
    } finally {
      await h.close();
    }
  }, 180_000);
});

describe('incremental stream', () => {
  it('grows a playable HLS playlist while chunks are still encoding', async () => {
    const h = await harness('local');
    try {
      const run = h.runtime.manager.create(
        withParams({ ...SHORT_SPLIT, merge: { incremental: true } }),
        { path: short },
      );
      const live = join(h.dir, 'runs', run.id, 'outputs', 'out', 'live.m3u8');
      // Snapshots of the live playlist taken while some encode had not finished yet.
      const early: string[] = [];
      let encodesDone = 0;
      h.runtime.events.on('node:state', (e: NodeStateEvent) => {
        if (e.runId === run.id && e.nodeId === 'enc') encodesDone = e.done;
      });
      h.runtime.events.on('task:state', (e: TaskStateEvent) => {
        if (e.runId !== run.id || encodesDone >= 5) return;
        try {
          early.push(readFileSync(live, 'utf8'));
        } catch {
          // Not written yet.
        }
      });
      expect(await h.runtime.manager.waitFor(run.id)).toBe('succeeded');
      // Seen with some chunks and no end while chunks were still encoding.
      expect(
        early.some((text) => text.includes('#EXTINF') && !text.includes('#EXT-X-ENDLIST')),
      ).toBe(true);
      const final = readFileSync(live, 'utf8');
      expect(final).toContain('#EXT-X-ENDLIST');
      expect(final.match(/#EXTINF/g)).toHaveLength(5);
      // Played over HTTP the way a browser would: the segments resolve to the run's file route.
      const url = `${(h.runtime.httpServer.address() as { port: number }).port}`;
      const played = await probeMedia(
        `http://127.0.0.1:${url}/api/runs/${run.id}/outputs/out/live.m3u8`,
      );
      expect(Math.abs(played.durationSeconds - shortDuration)).toBeLessThanOrEqual(2 / FPS);
    } finally {
      await h.close();
    }
  }, 300_000);
});

describe('failure, retry and cancel (local and swarm)', () => {
  it('fails the node of a corrupt chunk with the ffmpeg error in its log; retrying re-runs only its unfinished tasks', async () => {
    const h = await harness('local');
    try {
      const graph = withParams({ ...SHORT_SPLIT, enc: { retries: 0 } });
      const run = h.runtime.manager.create(graph, { path: short });
      const runDir = join(h.dir, 'runs', run.id);
      const victim = join(runDir, 'work', 'xfer', 'chunk_00002.ts');
      const saved = join(fixtures, 'saved-chunk.ts');
      // Corrupt the chunk the moment its transfer finishes, before its encode starts.
      h.runtime.events.on('task:state', (e: TaskStateEvent) => {
        if (e.runId === run.id && e.key === 'xfer:2' && e.state === 'done') {
          copyFileSync(victim, saved);
          writeFileSync(victim, Buffer.alloc(200_000, 0x5a));
        }
      });
      expect(await h.runtime.manager.waitFor(run.id)).toBe('failed');
      const failed = (await h.runtime.manager.view(run.id))!;
      expect(failed.nodes.enc!.state).toBe('failed');
      // The encode that read the chunk failed (encode keys follow arrival, not chunk order).
      const culprit = failed.nodes.enc!.tasks.filter((t) => t.state === 'failed');
      expect(culprit).toHaveLength(1);
      const log = readFileSync(join(runDir, 'logs', 'enc.log'), 'utf8');
      // ffmpeg's own error line, as the task printed it.
      expect(log).toContain(
        `[${culprit[0]!.key}] ${victim}: Invalid data found when processing input\n`,
      );

      const doneBefore = failed.nodes
        .enc!.tasks.filter((t) => t.state === 'done')
        .map((t) => t.key);
      const relaunched: string[] = [];
      h.runtime.events.on('task:state', (e: TaskStateEvent) => {
        if (e.runId === run.id && e.nodeId === 'enc' && e.state === 'running')
          relaunched.push(e.key);
      });
      copyFileSync(saved, victim);
      await h.runtime.manager.retryNode(run.id, 'enc');
      expect(await h.runtime.manager.waitFor(run.id)).toBe('succeeded');
      expect(relaunched).toContain(culprit[0]!.key);
      expect(relaunched.filter((k) => doneBefore.includes(k))).toEqual([]);
      await expectGoodOutput(h, run.id, shortSource());
    } finally {
      await h.close();
    }
  }, 300_000);

  it('picks a swarm run up after the runtime stops mid-encode: finished chunks are not redone, the output is whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelflow-e2e-restart-'));
    const first = await openTestExecutor('swarm');
    const before = createRuntime({ dataDir: dir, executor: first, port: 0, designerDir: false });
    await before.start();
    const run = before.manager.create(example, { path: clip });
    await new Promise<void>((ok) =>
      before.events.on('node:state', (e: NodeStateEvent) => {
        if (e.runId === run.id && e.nodeId === 'enc' && e.done >= 1 && e.done < 6) ok();
      }),
    );
    const doneBefore = (await before.manager.view(run.id))!.nodes
      .enc!.tasks.filter((t) => t.state === 'done')
      .map((t) => t.key);
    // Stop without cancelling: the services carry on, the database holds the run.
    await before.close();
    await first.close();

    const second = await openTestExecutor('swarm');
    const launched: string[] = [];
    const launch = second.launch.bind(second);
    second.launch = (request) => {
      launched.push(request.spec.key);
      return launch(request);
    };
    const after = createRuntime({ dataDir: dir, executor: second, port: 0, designerDir: false });
    const h: Harness = {
      runtime: after,
      executor: second,
      dir,
      async close() {
        await after.close();
        await second.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      await after.start();
      expect(await after.manager.waitFor(run.id)).toBe('succeeded');
      expect(doneBefore.length).toBeGreaterThan(0);
      expect(launched.filter((key) => doneBefore.includes(key))).toEqual([]);
      await expectGoodOutput(h, run.id);
      expect(await dockerLeftovers(run.id)).toEqual([]);
    } finally {
      await h.close();
    }
  }, 300_000);

  it('cancels a swarm run mid-encode: every task stops within 5 s and no service or container is left', async () => {
    const h = await harness('swarm');
    try {
      const run = h.runtime.manager.create(example, { path: clip });
      await new Promise<void>((ok) =>
        h.runtime.events.on('node:state', (e: NodeStateEvent) => {
          if (e.runId === run.id && e.nodeId === 'enc' && e.state === 'running') ok();
        }),
      );
      expect((await dockerLeftovers(run.id)).length).toBeGreaterThan(0);
      h.runtime.manager.cancel(run.id);
      await expect
        .poll(() => dockerLeftovers(run.id), { timeout: 5_000, interval: 200 })
        .toEqual([]);
      expect(await h.runtime.manager.waitFor(run.id)).toBe('cancelled');
      const view = (await h.runtime.manager.view(run.id))!;
      expect(
        Object.values(view.nodes).some((n) => n.state === 'running' || n.state === 'pending'),
      ).toBe(false);
    } finally {
      await h.close();
    }
  }, 180_000);
});
