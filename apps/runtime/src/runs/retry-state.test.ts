/**
 * The state recorded for a task's later attempts: an automatic retry is `retrying`, a retry the
 * user asked for starts over `pending` (both have attempt > 1). The runtime takes it from the
 * engine instead of guessing from the attempt number.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { TaskStateEvent } from '@reelflow/fbp-model';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { makeClip, RecordingExecutorStub } from '../server/test-helpers.js';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as { nodes: { id: string; params: Record<string, unknown> }[] };

/** The example graph with the split retried `retries` times automatically. */
const withSplitRetries = (retries: number) => ({
  ...example,
  nodes: example.nodes.map((n) =>
    n.id === 'split' ? { ...n, params: { ...n.params, retries } } : n,
  ),
});

let fixtures: string;
let dir: string;
let rt: Runtime;
let executor: RecordingExecutorStub;
let states: TaskStateEvent[];

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-retry-state-fx-'));
  await makeClip(join(fixtures, 'clip.mp4'), { seconds: 2 });
  return () => rmSync(fixtures, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-retry-state-'));
  executor = new RecordingExecutorStub();
  rt = createRuntime({
    dataDir: dir,
    executor,
    port: 0,
    designerDir: false,
    engineOptions: { backoffMs: 10 },
  });
  states = [];
  rt.events.on('task:state', (e: TaskStateEvent) => states.push(e));
  await rt.start();
});
afterEach(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const failSplit = (runId: string, attempt: number) =>
  executor.emit({ type: 'failed', runId, key: 'split:0', attempt, exitCode: 1, reason: 'boom' });
const splitRow = (runId: string) => rt.store.listTasks(runId).find((t) => t.key === 'split:0');

it('records an automatic retry as retrying', async () => {
  const { id } = rt.manager.create(withSplitRetries(1), { path: join(fixtures, 'clip.mp4') });
  await expect.poll(() => executor.launched.length).toBe(1);
  failSplit(id, 1);
  await expect.poll(() => executor.launched.length).toBe(2);
  expect(executor.launched[1]!.attempt).toBe(2);
  expect(splitRow(id)).toMatchObject({ state: 'retrying', attempt: 2 });
  rt.manager.cancel(id);
});

it('records a retry the user asked for as pending, never retrying', async () => {
  const { id } = rt.manager.create(withSplitRetries(0), { path: join(fixtures, 'clip.mp4') });
  await expect.poll(() => executor.launched.length).toBe(1);
  failSplit(id, 1);
  expect(await rt.manager.waitFor(id)).toBe('failed');

  await rt.manager.retryNode(id, 'split');
  await expect.poll(() => executor.launched.length).toBe(2);
  expect(executor.launched[1]!.attempt).toBe(2);
  expect(splitRow(id)).toMatchObject({ state: 'pending', attempt: 2 });
  expect(states.filter((s) => s.key === 'split:0').map((s) => s.state)).not.toContain('retrying');
  rt.manager.cancel(id);
});
