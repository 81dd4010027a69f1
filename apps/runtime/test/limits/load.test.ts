/**
 * Issue 8 item 7, load: 20 runs submitted at once on the local executor with real ffmpeg are
 * queued under the concurrency cap, all finish and none is lost (database, API and event log
 * agree); 50 socket.io clients watching one run each receive every event of it, in the
 * server's order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import {
  isTerminalRunState,
  type RunState,
  type RunView,
  type ServerEventName,
} from '@reelflow/fbp-model';
import { probeMedia } from '../../src/runs/media.js';
import { makeClip } from '../../src/server/test-helpers.js';
import {
  call,
  cheapGraph,
  startRuntime,
  uploadFile,
  withParams,
  type TestRuntime,
} from './helpers.js';

const RUNS = 20;
const CAP = 3;
const WATCHERS = 50;
const EVENT_NAMES: ServerEventName[] = [
  'run:state',
  'node:state',
  'task:state',
  'task:progress',
  'log',
];

let fixtures: string;
let clip: string;
let clipFrames: number;

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-load-'));
  clip = join(fixtures, 'clip.mp4');
  await makeClip(clip, { seconds: 2, size: '160x120', gop: 25 });
  clipFrames = (await probeMedia(clip, { countFrames: true })).frames!;
});
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

interface Logged {
  readonly name: string;
  readonly payload: { runId: string; state?: string };
}

/** Record every event the runtime publishes in-process, in order. */
function recordEvents(rt: TestRuntime): Logged[] {
  const log: Logged[] = [];
  for (const name of EVENT_NAMES) {
    rt.runtime.events.on(name, (payload: Logged['payload']) => log.push({ name, payload }));
  }
  return log;
}

describe(`${RUNS} runs submitted at once`, () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startRuntime({ maxConcurrentRuns: CAP });
  });
  afterAll(() => rt?.close());

  it(`queues them under a cap of ${CAP}, finishes all and loses none`, async () => {
    const log = recordEvents(rt);
    const input = await uploadFile(rt.url, clip);
    const answers = await Promise.all(
      Array.from({ length: RUNS }, () =>
        call(rt.url, 'POST', '/api/runs', { body: { graph: cheapGraph(), input } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(RUNS).fill(202));
    const ids = answers.map((a) => String(a.json.runId));
    expect(new Set(ids).size).toBe(RUNS);

    const ends = await Promise.all(ids.map((id) => rt.runtime.manager.waitFor(id)));
    expect(ends).toEqual(Array(RUNS).fill('succeeded'));

    // The cap held, and was used: replay the run states in publication order.
    const active = new Set<string>();
    let most = 0;
    let queuedAtOnce = 0;
    const queued = new Set<string>();
    for (const { name, payload } of log) {
      if (name !== 'run:state') continue;
      const state = payload.state as RunState;
      if (state === 'queued') queued.add(payload.runId);
      else queued.delete(payload.runId);
      if (isTerminalRunState(state)) active.delete(payload.runId);
      else if (state !== 'queued') active.add(payload.runId);
      most = Math.max(most, active.size);
      queuedAtOnce = Math.max(queuedAtOnce, queued.size);
    }
    console.log(
      `load: ${RUNS} runs, cap ${CAP}: at most ${most} active and ${queuedAtOnce} queued at once; all ${ends.filter((e) => e === 'succeeded').length} succeeded`,
    );
    expect(most).toBe(CAP);
    expect(queuedAtOnce).toBeGreaterThanOrEqual(RUNS - CAP);

    // Database, API and the event log tell the same story for every run.
    const api = (await call(rt.url, 'GET', '/api/runs')).json as unknown as RunView[];
    const stored = rt.runtime.store.listRuns();
    for (const id of ids) {
      expect(api.find((r) => r.runId === id)?.state).toBe('succeeded');
      expect(stored.find((r) => r.id === id)?.state).toBe('succeeded');
      const storedStates = rt.runtime.store
        .listEvents(id)
        .filter((e) => e.type === 'run:state')
        .map((e) => (e.payload as { state: string }).state);
      const published = log
        .filter((e) => e.name === 'run:state' && e.payload.runId === id)
        .map((e) => e.payload.state);
      expect(storedStates).toEqual(published);
      expect(published[0]).toBe('queued');
      expect(published.at(-1)).toBe('succeeded');
      const view = api.find((r) => r.runId === id)!;
      expect(view.outputs).toEqual(expect.arrayContaining(['merge/output.mp4', 'out/index.m3u8']));
    }
    // Every output is whole: the frames of the clip, no more, no fewer.
    for (const id of ids) {
      const facts = await probeMedia(join(rt.dir, 'runs', id, 'outputs', 'merge', 'output.mp4'), {
        countFrames: true,
      });
      expect(facts.frames).toBe(clipFrames);
    }
  }, 300_000);
});

describe(`${WATCHERS} socket.io clients watching one run`, () => {
  let rt: TestRuntime;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    rt = await startRuntime({ maxConcurrentRuns: 1 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await rt?.close();
  });

  it('each receive every event of the run, in the order the server published them', async () => {
    const input = await uploadFile(rt.url, clip);
    // A slow run holds the only slot, so the watched run waits queued while clients subscribe.
    const blocker = await call(rt.url, 'POST', '/api/runs', {
      body: {
        graph: withParams({ split: { segmentSeconds: 1 }, enc: { preset: 'veryslow' } }),
        input,
      },
    });
    const watched = await call(rt.url, 'POST', '/api/runs', {
      body: { graph: cheapGraph(), input },
    });
    const runId = String(watched.json.runId);
    expect((await rt.runtime.manager.view(runId))?.state).toBe('queued');

    const received: Logged[][] = [];
    for (let i = 0; i < WATCHERS; i++) {
      const socket = connect(rt.url, { transports: ['websocket'], forceNew: true });
      sockets.push(socket);
      const mine: Logged[] = [];
      received.push(mine);
      socket.onAny((name: string, payload: Logged['payload']) => mine.push({ name, payload }));
    }
    const acks = await Promise.all(sockets.map((s) => s.emitWithAck('subscribe', { runId })));
    expect(acks.every((a: { ok: boolean }) => a.ok)).toBe(true);

    const log = recordEvents(rt);
    rt.runtime.manager.cancel(String(blocker.json.runId));
    expect(await rt.runtime.manager.waitFor(runId)).toBe('succeeded');
    const expected = log.filter((e) => e.payload.runId === runId);
    const states = expected.filter((e) => e.name === 'run:state').map((e) => e.payload.state);
    expect(states).toEqual(['validating', 'deploying', 'running', 'succeeded']);

    await expect
      .poll(() => received.map((r) => r.length))
      .toEqual(Array(WATCHERS).fill(expected.length));
    for (const mine of received) expect(mine).toEqual(expected);
    const kinds = new Map<string, number>();
    for (const e of expected) kinds.set(e.name, (kinds.get(e.name) ?? 0) + 1);
    console.log(
      `load: ${WATCHERS} watchers each got all ${expected.length} events in order (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`,
    );
  }, 300_000);
});
