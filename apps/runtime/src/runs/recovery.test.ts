import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { makeClip, RecordingExecutorStub } from '../server/test-helpers.js';

const run = promisify(execFile);
const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

let fixtures: string;
let dir: string;
let runtimes: Runtime[] = [];

async function open(
  executor: RecordingExecutorStub,
  opts: { maxLifespanMs?: number } = {},
): Promise<Runtime> {
  const rt = createRuntime({ dataDir: dir, executor, port: 0, designerDir: false, ...opts });
  runtimes.push(rt);
  await rt.start();
  return rt;
}

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-recovery-fx-'));
  await makeClip(join(fixtures, 'clip.mp4'), { seconds: 6 });
  return () => rmSync(fixtures, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-recovery-'));
});
afterEach(async () => {
  for (const rt of runtimes) await rt.close().catch(() => undefined);
  runtimes = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('run recovery after a restart of the runtime', () => {
  it('finds a running run in SQLite and launches again the task nobody finished', async () => {
    const first = new RecordingExecutorStub();
    const rt1 = await open(first);
    const { id } = rt1.manager.create(example, { path: join(fixtures, 'clip.mp4') });
    await expect.poll(() => first.launched.length).toBe(1);
    await rt1.close();

    const second = new RecordingExecutorStub();
    const rt2 = await open(second);
    expect((await rt2.manager.view(id))?.state).toBe('running');
    await expect.poll(() => second.launched.map((l) => l.spec.key)).toEqual(['split:0']);
    expect(second.launched[0]!.attempt).toBe(first.launched[0]!.attempt);
  });

  it('collects a task the executor finished while the runtime was down, without running it again', async () => {
    const first = new RecordingExecutorStub();
    const rt1 = await open(first);
    const { id } = rt1.manager.create(
      {
        ...example,
        nodes: (example.nodes as { id: string; params: object }[]).map((n) =>
          n.id === 'split' ? { ...n, params: { segmentSeconds: 2 } } : n,
        ),
      },
      { path: join(fixtures, 'clip.mp4') },
    );
    await expect.poll(() => first.launched.length).toBe(1);
    const split = first.launched[0]!;
    await rt1.close();
    // The split "ran on" while the runtime was down: carry out its argv for real.
    await run(split.spec.argv[0]!, split.spec.argv.slice(1));

    const second = new RecordingExecutorStub();
    second.listRunTasks = async () => [
      { key: split.spec.key, attempt: split.attempt, state: 'succeeded' },
    ];
    const rt2 = await open(second);
    await expect.poll(() => second.launched.length).toBeGreaterThanOrEqual(3);
    expect(second.launched.every((l) => l.spec.nodeId === 'xfer')).toBe(true);
    const view = (await rt2.manager.view(id))!;
    expect(view.nodes.split).toMatchObject({ state: 'done', done: 1 });
    expect(view.nodes.xfer!.total).toBe(3);
  });

  it('stops a run that outlives the maximum lifespan and says why', async () => {
    const executor = new RecordingExecutorStub();
    const rt = await open(executor, { maxLifespanMs: 300 });
    const { id } = rt.manager.create(example, { path: join(fixtures, 'clip.mp4') });
    expect(await rt.manager.waitFor(id)).toBe('cancelled');
    expect((await rt.manager.view(id))?.reason).toMatch(/maximum lifespan/);
    expect(executor.cleaned).toEqual([id]);
  });

  it('queues runs over the concurrency cap and starts them as slots free', async () => {
    const executor = new RecordingExecutorStub();
    const rt = createRuntime({
      dataDir: dir,
      executor,
      port: 0,
      designerDir: false,
      maxConcurrentRuns: 1,
    });
    runtimes.push(rt);
    await rt.start();
    const a = rt.manager.create(example, { path: join(fixtures, 'clip.mp4') });
    const b = rt.manager.create(example, { path: join(fixtures, 'clip.mp4') });
    await expect.poll(async () => (await rt.manager.view(a.id))?.state).toBe('running');
    expect((await rt.manager.view(b.id))?.state).toBe('queued');
    rt.manager.cancel(a.id);
    await expect.poll(async () => (await rt.manager.view(b.id))?.state).toBe('running');
    rt.manager.cancel(b.id);
    expect(await rt.manager.waitFor(b.id)).toBe('cancelled');
  });

  it('launches a fused ladder task again as one after a restart, and each rung gets its chunk', async () => {
    const ladder = {
      schemaVersion: 1,
      id: 'fused',
      name: 'fused',
      nodes: [
        { id: 'src', type: 'source', params: {} },
        { id: 'split', type: 'split', params: { segmentSeconds: 2 } },
        { id: 'hi', type: 'encode', params: { height: 240, preset: 'ultrafast' } },
        { id: 'lo', type: 'encode', params: { height: 120, preset: 'ultrafast' } },
        { id: 'mhi', type: 'merge', params: {} },
        { id: 'mlo', type: 'merge', params: {} },
        { id: 'out', type: 'stream', params: { segmentSeconds: 2 } },
      ],
      edges: [
        ['src', 'split'],
        ['split', 'hi'],
        ['split', 'lo'],
        ['hi', 'mhi'],
        ['lo', 'mlo'],
        ['mhi', 'out'],
        ['mlo', 'out'],
      ].map(([from, to], i) => ({
        id: `e${i}`,
        from: { node: from, port: 'out' },
        to: { node: to, port: 'in' },
      })),
    };
    const first = new RecordingExecutorStub();
    const rt1 = await open(first);
    const { id } = rt1.manager.create(ladder, { path: join(fixtures, 'clip.mp4') });
    await expect.poll(() => first.launched.length).toBe(1);
    const split = first.launched[0]!;
    await run(split.spec.argv[0]!, split.spec.argv.slice(1));
    first.emit({ type: 'succeeded', runId: id, key: 'split:0', attempt: 1, seconds: 0.1 });
    // One task per chunk encodes both rungs.
    await expect.poll(() => first.launched.length).toBe(4);
    const fused = (ls: typeof first.launched) =>
      ls.map((l) => [l.spec.key, l.spec.outputs.length]).sort();
    expect(fused(first.launched.slice(1))).toEqual([
      ['hi:0', 2],
      ['hi:1', 2],
      ['hi:2', 2],
    ]);
    await rt1.close();

    const second = new RecordingExecutorStub();
    const rt2 = await open(second);
    await expect.poll(() => second.launched.length).toBe(3);
    expect(fused(second.launched)).toEqual([
      ['hi:0', 2],
      ['hi:1', 2],
      ['hi:2', 2],
    ]);
    for (const l of second.launched) {
      await run(l.spec.argv[0]!, l.spec.argv.slice(1));
      second.emit({
        type: 'succeeded',
        runId: id,
        key: l.spec.key,
        attempt: l.attempt,
        seconds: 1,
      });
    }
    // Both rungs got every chunk: each merge fires once.
    await expect
      .poll(() =>
        second.launched
          .map((l) => l.spec.key)
          .slice(3)
          .sort(),
      )
      .toEqual(['mhi:0', 'mlo:0']);
    const view = (await rt2.manager.view(id))!;
    expect(view.nodes.lo).toMatchObject({ state: 'done', done: 3 });
    expect(view.nodes.hi).toMatchObject({ state: 'done', done: 3 });
  });
});
