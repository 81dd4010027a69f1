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
});
