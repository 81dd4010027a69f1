import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from './detect.js';
import { HybridExecutor } from './hybrid.js';
import { LocalExecutor } from './local.js';
import { SwarmExecutor } from './swarm.js';
import { CONTAINER_STORAGE_ROOT, serviceName } from './swarm-spec.js';
import { ensureEngine, EventRecorder, leftovers, taskSpec, testClipArgv } from './testing.js';
import type { LaunchRequest } from './types.js';

/** Names of the swarm services created while `body` runs, from the engine's event stream. */
async function servicesCreatedDuring(docker: Docker, body: () => Promise<void>): Promise<string[]> {
  const since = Math.floor(Date.now() / 1000) - 1;
  await body();
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = (await docker.getEvents({
    since,
    until,
    filters: { type: ['service'], event: ['create'] },
  })) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { Actor: { Attributes: { name: string } } }).Actor)
    .map((actor) => actor.Attributes.name);
}

// Real engine in swarm mode and real processes: light tasks must never become services.
describe('hybrid executor (heavy tasks on swarm, light ones beside the run directory)', () => {
  const docker = new Docker();
  const runId = `hybrid-test-${process.pid}`;
  let runDir: string;
  let executor: HybridExecutor;
  let recorder: EventRecorder;

  beforeAll(async () => {
    await ensureEngine();
    runDir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-hybrid-'));
    executor = new HybridExecutor(
      new SwarmExecutor({ progressIntervalMs: 0 }),
      new LocalExecutor({ allowedPrograms: ['ffmpeg', 'ffprobe', 'cp'] }),
    );
    recorder = new EventRecorder(executor);
  });

  afterAll(async () => {
    await executor?.cleanupRun(runId);
    recorder?.dispose();
    await executor?.close();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  it('shows the run directory to light tasks and the container mount to heavy ones', () => {
    expect(executor.name).toBe('swarm');
    expect(executor.storageRoot(runDir, true)).toBe(runDir);
    expect(executor.storageRoot(runDir, false)).toBe(CONTAINER_STORAGE_ROOT);
    expect(executor.storageRoot(runDir)).toBe(CONTAINER_STORAGE_ROOT);
  });

  it("offers four slots per CPU of the swarm's nodes (at least 8), and four for the copies", async () => {
    const nodes = await docker.listNodes();
    const cpus = nodes.reduce((sum, n) => sum + (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9, 0);
    expect(await executor.slots()).toBe(Math.max(8, Math.ceil(cpus * 4)) + 4);
  });

  it('runs a light copy as a process and a heavy encode as a service, one event stream for both', async () => {
    await writeFile(path.join(runDir, 'chunk.bin'), 'bytes of a chunk\n');
    const light: LaunchRequest = {
      runId,
      runDir,
      attempt: 0,
      light: true,
      spec: taskSpec('xfer:0', [
        'cp',
        '--',
        path.join(runDir, 'chunk.bin'),
        path.join(runDir, 'copy.bin'),
      ]),
    };
    const heavy: LaunchRequest = {
      runId,
      runDir,
      attempt: 0,
      spec: taskSpec('enc:0', testClipArgv('clip.mp4', 1), { reportsProgress: true }),
    };
    const created = await servicesCreatedDuring(docker, async () => {
      await Promise.all([executor.launch(light), executor.launch(heavy)]);
      expect((await recorder.final(runId, 'xfer:0')).type).toBe('succeeded');
      expect((await recorder.final(runId, 'enc:0')).type).toBe('succeeded');
    });
    // Service names end in a random suffix: compare what comes before it.
    const stem = (request: LaunchRequest) => serviceName(request).replace(/-[0-9a-f]{6}$/, '');
    expect(created.filter((name) => name.startsWith(stem(heavy)))).toHaveLength(1);
    expect(created.filter((name) => name.startsWith(stem(light)))).toEqual([]);
    expect(await readFile(path.join(runDir, 'copy.bin'), 'utf8')).toBe('bytes of a chunk\n');
    // Both report `started` with the host they ran on, before their final event.
    for (const key of ['xfer:0', 'enc:0']) {
      const types = recorder.of(runId, key).map((e) => e.type);
      expect(types.indexOf('started')).toBeGreaterThanOrEqual(0);
      expect(types.indexOf('started')).toBeLessThan(types.indexOf('succeeded'));
    }
    const listed = await executor.listRunTasks(runId);
    expect(listed.map((t) => t.key)).toContain('xfer:0');
  });

  it('cancels a light task where it runs, and a cleanup leaves no service or container', async () => {
    const long: LaunchRequest = {
      runId,
      runDir,
      attempt: 0,
      light: true,
      spec: taskSpec('split:0', testClipArgv('long.mp4', 600)),
    };
    await executor.launch(long);
    await recorder.next((e) => e.runId === runId && e.key === 'split:0' && e.type === 'started');
    await executor.cancel(runId, 'split:0');
    expect((await recorder.final(runId, 'split:0')).type).toBe('cancelled');
    await executor.cleanupRun(runId);
    expect(await leftovers(docker, runId)).toEqual([]);
    expect(await executor.listRunTasks(runId)).toEqual([]);
  });

  it('refuses a light task whose program is not a copy program', async () => {
    await executor.launch({
      runId,
      runDir,
      attempt: 0,
      light: true,
      spec: taskSpec('stream:0', ['sh', '-c', 'echo hi']),
    });
    const final = await recorder.final(runId, 'stream:0');
    expect(final).toMatchObject({ type: 'failed' });
    expect(final.type === 'failed' && final.reason).toMatch(/'sh' is not allowed/);
  });

  it('is what createExecutor makes for swarm, unless light tasks are asked to run on the cluster', async () => {
    const hybrid = await createExecutor('swarm');
    expect(hybrid.executor).toBeInstanceOf(HybridExecutor);
    expect(hybrid.choice.reason).toMatch(/stream copies .* run beside the run directory/);
    const plain = await createExecutor('swarm', { lightTasks: 'cluster' });
    expect(plain.executor).toBeInstanceOf(SwarmExecutor);
    expect(plain.choice.reason).not.toMatch(/stream copies/);
    await Promise.all([hybrid.executor.close(), plain.executor.close()]);
  });
});
