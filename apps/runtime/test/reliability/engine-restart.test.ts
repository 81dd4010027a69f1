/**
 * Issue 8, item 3: the Docker engine (dockerd) restarts in the middle of a run. The runtime must
 * reconnect and the run must end, succeeded or failed with a reason that says what happened,
 * within a bounded time: never stuck. A task launched while the engine is away waits for it. The engine is brought back in afterAll whatever happens.
 *
 * Stopping dockerd kills every container on it: tests of others sharing this engine at that
 * moment lose their tasks too. The engine must be the one scripts/engine.sh started (its pidfile).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL, SwarmExecutor } from '../../src/executors/index.js';
import { EventRecorder, taskSpec, testClipArgv } from '../../src/executors/testing.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { makeClip } from '../../src/server/test-helpers.js';
import { ensureEngine, exampleGraph, leftovers, removeRuns, REPO_ROOT, until } from './harness.js';

const run = promisify(execFile);
const docker = new Docker();
const PIDFILE = join(process.env.REELFLOW_ENGINE_DIR ?? '/tmp/reelflow-engine', 'dockerd.pid');
/** Longest a run may take to end once the engine is back: beyond it, the run is stuck. */
const SETTLE_BOUND_MS = 150_000;

let dir: string;
let runtime: Runtime | undefined;
let executor: SwarmExecutor | undefined;
const runIds: string[] = [];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether the engine answers as an active swarm manager. */
async function swarmActive(): Promise<boolean> {
  const info = (await docker.info().catch(() => undefined)) as
    { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } } | undefined;
  return info?.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
}

/** Start the engine again with its script and wait until the swarm manager works again. */
async function restoreEngine(): Promise<void> {
  if (!(await swarmActive())) {
    await run('bash', [join(REPO_ROOT, 'scripts/engine.sh')], { timeout: 120_000 }).catch(
      () => undefined, // e.g. swarm still "pending" right after the start: waited for below
    );
  }
  await until(
    'the swarm to be active again',
    async () => ((await swarmActive()) ? true : undefined),
    120_000,
    500,
  );
  // The manager may answer before it accepts services again.
  await until(
    'the swarm to list services',
    () =>
      docker.listServices().then(
        () => true,
        () => undefined,
      ),
    60_000,
    500,
  );
}

beforeAll(async () => {
  await ensureEngine();
  dir = mkdtempSync(join(tmpdir(), 'reelflow-engine-restart-'));
  await makeClip(join(dir, 'clip.mp4'), { seconds: 6, size: '640x360', gop: 25 });
});

afterAll(async () => {
  try {
    await restoreEngine();
  } finally {
    await runtime?.close();
    await executor?.close();
    await removeRuns(runIds);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

describe('a Docker engine restarted during a run', () => {
  it('reconnects and ends the run, succeeded or failed with a clear reason, never stuck', async () => {
    const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
    expect(alive(pid), `dockerd of ${PIDFILE} (pid ${pid}) must run`).toBe(true);
    executor = new SwarmExecutor({ progressIntervalMs: 0 });
    runtime = createRuntime({
      dataDir: join(dir, 'data'),
      executor,
      port: 0,
      designerDir: false,
      engineOptions: { backoffMs: 500 },
    });
    await runtime.start();
    const graph = exampleGraph({
      split: { segmentSeconds: 2 },
      enc: { cpus: 0.5, upscale: 'allow' },
    });
    const { id } = runtime.manager.create(graph, { path: join(dir, 'clip.mp4') });
    runIds.push(id);
    await until(
      'an encode running',
      async () => {
        const running = await docker.listContainers({
          filters: { label: [`${LABEL.run}=${id}`, `${LABEL.node}=enc`], status: ['running'] },
        });
        return running.length > 0 ? true : undefined;
      },
      120_000,
      100,
    );

    const stoppedAt = performance.now();
    process.kill(pid, 'SIGTERM');
    await until('dockerd to exit', () => (alive(pid) ? undefined : true), 60_000, 200);
    // A task launched while the engine is away waits for it instead of failing at once.
    const lateRun = `engine-restart-late-${process.pid}`;
    runIds.push(lateRun);
    const recorder = new EventRecorder(executor);
    const late = executor.launch({
      runId: lateRun,
      spec: taskSpec('late:0', testClipArgv('late.mp4', 1)),
      attempt: 1,
      runDir: mkdtempSync(join(dir, 'late-')),
    });
    await restoreEngine();
    const downSeconds = (performance.now() - stoppedAt) / 1000;
    await late;
    expect(await recorder.final(lateRun, 'late:0')).toMatchObject({ type: 'succeeded' });
    recorder.dispose();
    await executor.cleanupRun(lateRun);

    const ended = await Promise.race([
      runtime.manager.waitFor(id),
      new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), SETTLE_BOUND_MS)),
    ]);
    const view = (await runtime.manager.view(id))!;
    expect(
      ended,
      `run still ${view.state} ${SETTLE_BOUND_MS / 1000} s after the engine came back`,
    ).not.toBe('stuck');
    expect(['succeeded', 'failed']).toContain(ended);
    if (ended === 'failed') expect(view.reason).toMatch(/engine|swarm|exit|failed after/);
    expect(await leftovers(docker, id)).toEqual([]);
    const retried = Object.values(view.nodes)
      .flatMap((n) => n.tasks)
      .filter((t) => t.attempt > 1)
      .map((t) => `${t.key}@${t.attempt}`);
    console.info(
      `[engine-restart] engine down and back in ${downSeconds.toFixed(1)} s; run ${ended}` +
        `${view.reason ? ` (${view.reason})` : ''}; retried tasks: ${retried.join(', ') || 'none'}; ` +
        `${((performance.now() - stoppedAt) / 1000).toFixed(1)} s from the stop to the end of the run`,
    );
  }, 420_000);
});
