import net from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { engineForNodes, SwarmExecutor } from './swarm.js';
import { LABEL } from './swarm-spec.js';
import { ensureEngine, EventRecorder, taskSpec, testClipArgv } from './testing.js';

// Real engine in swarm mode: the scripts are idempotent and fast when all is in place.
describe('swarm executor', () => {
  const docker = new Docker();
  const runId = `swarm-test-${process.pid}`;
  let runDir: string;
  let executor: SwarmExecutor;
  let recorder: EventRecorder;

  beforeAll(async () => {
    await ensureEngine();
    runDir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-swarm-'));
    executor = new SwarmExecutor({ progressIntervalMs: 0 });
    recorder = new EventRecorder(executor);
  });

  afterAll(async () => {
    await executor?.cleanupRun(runId);
    recorder?.dispose();
    await executor?.close();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  const labelled = (key: string) => ({ label: [`${LABEL.run}=${runId}`, `${LABEL.task}=${key}`] });
  const servicesOf = async (key: string) => docker.listServices({ filters: labelled(key) });
  const containersOf = async (key: string) =>
    docker.listContainers({ all: true, filters: labelled(key) });
  /** Finished services are removed in the background, right after the final event. */
  const expectNothingLeft = (key: string) =>
    vi.waitFor(
      async () => {
        expect(await servicesOf(key)).toEqual([]);
        expect(await containersOf(key)).toEqual([]);
      },
      { timeout: 20_000, interval: 200 },
    );

  it('reports the real swarm as its capabilities: this manager, devices only from its reelflow.devices label', async () => {
    const info = (await docker.info()) as { Name: string; Swarm: { NodeID: string } };
    const self = docker.getNode(info.Swarm.NodeID);
    const me = async () =>
      (await executor.capabilities()).nodes.find((n) => n.id === info.Swarm.NodeID);
    expect(await me()).toMatchObject({ hostname: info.Name, role: 'manager', devices: [] });
    const before = (await self.inspect()) as {
      Version: { Index: number };
      Spec: Record<string, unknown>;
    };
    const labels = (before.Spec.Labels ?? {}) as Record<string, string>;
    await self.update({
      version: before.Version.Index,
      ...before.Spec,
      Labels: { ...labels, 'reelflow.devices': 'dri' },
    });
    try {
      expect((await me())?.devices).toEqual(['/dev/dri']);
    } finally {
      const now = (await self.inspect()) as { Version: { Index: number } };
      await self.update({ version: now.Version.Index, ...before.Spec, Labels: labels });
    }
    expect((await me())?.devices).toEqual([]);
  });

  it('runs an ffmpeg task as a job service and reports started, progress and succeeded', async () => {
    const spec = taskSpec('clip:0', testClipArgv('clip.mp4', 2), {
      reportsProgress: true,
      durationSeconds: 2,
    });
    await executor.launch({ runId, spec, attempt: 0, runDir });
    const service = (await servicesOf('clip:0'))[0];
    expect(service?.Spec?.Labels).toMatchObject({
      [LABEL.run]: runId,
      [LABEL.node]: 'clip',
      [LABEL.task]: 'clip:0',
      [LABEL.attempt]: '0',
    });
    expect(service?.Spec?.Mode).toEqual({
      ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 },
    });

    const final = await recorder.final(runId, 'clip:0');
    expect(final).toMatchObject({ type: 'succeeded', attempt: 0 });
    const events = recorder.of(runId, 'clip:0');
    // While a task waits, swarm's reason (e.g. "no suitable node") may be logged before it starts.
    const waiting = (e: (typeof events)[number]) =>
      e.type === 'log' && e.line.startsWith('swarm: ');
    expect(events.find((e) => !waiting(e))).toMatchObject({ type: 'started', host: os.hostname() });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ fraction: 1 });
    expect((await stat(path.join(runDir, 'clip.mp4'))).size).toBeGreaterThan(0);
    await expectNothingLeft('clip:0');
  });

  it('reports a failing ffmpeg as failed with its error line in a log event', async () => {
    const spec = taskSpec('bad:0', [
      'ffmpeg',
      '-hide_banner',
      '-i',
      'no-such-input.mp4',
      'out.mp4',
    ]);
    await executor.launch({ runId, spec, attempt: 2, runDir });
    const final = await recorder.final(runId, 'bad:0');

    expect(final).toMatchObject({ type: 'failed', attempt: 2, exitCode: 1 });
    const logs = recorder.of(runId, 'bad:0').flatMap((e) => (e.type === 'log' ? [e.line] : []));
    expect(logs.some((line) => line.includes('no-such-input.mp4: No such file or directory'))).toBe(
      true,
    );
    expect(final.type === 'failed' && final.reason).toContain('No such file or directory');
    await expectNothingLeft('bad:0');
  });

  it('cancel stops the task and leaves no service or container', async () => {
    const spec = taskSpec('long:0', [
      'ffmpeg',
      '-nostats',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=120',
      '-f',
      'null',
      '-',
    ]);
    await executor.launch({ runId, spec, attempt: 0, runDir });
    await recorder.next((e) => e.key === 'long:0' && e.type === 'started');
    expect(await executor.listRunTasks(runId)).toContainEqual({
      key: 'long:0',
      attempt: 0,
      state: 'running',
    });

    await executor.cancel(runId, 'long:0');
    expect(await recorder.final(runId, 'long:0')).toMatchObject({ type: 'cancelled' });
    expect(await servicesOf('long:0')).toEqual([]);
    expect(await containersOf('long:0')).toEqual([]);
  });

  it('logs why a task cannot be placed, and cancel removes it while pending', async () => {
    const spec = taskSpec('unplaceable:0', ['true'], {
      placement: ['node.labels.reelflow-test-none==1'],
    });
    await executor.launch({ runId, spec, attempt: 0, runDir });
    const why = await recorder.next((e) => e.key === 'unplaceable:0' && e.type === 'log');
    expect(why).toMatchObject({
      stream: 'stderr',
      line: expect.stringMatching(/^swarm: no suitable node/),
    });

    await executor.cancel(runId, 'unplaceable:0');
    expect(recorder.of(runId, 'unplaceable:0').map((e) => e.type)).toEqual(['log', 'cancelled']);
    expect(await servicesOf('unplaceable:0')).toEqual([]);
  });

  it('cleanupRun removes every service and container of the run', async () => {
    const spec = (key: string) =>
      taskSpec(key, [
        'ffmpeg',
        '-nostats',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=duration=120',
        '-f',
        'null',
        '-',
      ]);
    await executor.launch({ runId, spec: spec('a:0'), attempt: 0, runDir });
    await executor.launch({ runId, spec: spec('a:1'), attempt: 0, runDir });
    await recorder.next((e) => e.key === 'a:1' && e.type === 'started');
    await executor.cleanupRun(runId);

    expect(await docker.listServices({ filters: { label: [`${LABEL.run}=${runId}`] } })).toEqual(
      [],
    );
    expect(
      await docker.listContainers({ all: true, filters: { label: [`${LABEL.run}=${runId}`] } }),
    ).toEqual([]);
    expect(await executor.listRunTasks(runId)).toEqual([]);
  });

  it('a new executor adopts a task still running after a restart and reports its end', async () => {
    const before = new SwarmExecutor();
    const argv = [
      'ffmpeg',
      '-nostats',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=3',
    ];
    const spec = taskSpec('adopted:0', [...argv, '-progress', 'pipe:1', '-f', 'null', '-'], {
      reportsProgress: true,
      durationSeconds: 3,
    });
    await before.launch({ runId, spec, attempt: 1, runDir });
    await new EventRecorder(before).next((e) => e.key === 'adopted:0' && e.type === 'started');
    await before.close(); // the runtime "crashes": the service keeps running

    expect(await executor.listRunTasks(runId)).toContainEqual({
      key: 'adopted:0',
      attempt: 1,
      state: 'running',
    });
    expect(await recorder.final(runId, 'adopted:0')).toMatchObject({
      type: 'succeeded',
      attempt: 1,
    });
    expect(
      recorder
        .of(runId, 'adopted:0')
        .filter((e) => e.type === 'progress')
        .at(-1),
    ).toMatchObject({ fraction: 1 });
    await expectNothingLeft('adopted:0');
  });

  it('maps swarm node ids to the engines that can reach them', async () => {
    const info = (await docker.info()) as { Swarm: { NodeID: string } };
    const unreachable = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const engineFor = await engineForNodes([unreachable, docker]);
    expect(engineFor(info.Swarm.NodeID)).toBe(docker);
    expect(engineFor('no-such-node')).toBeUndefined();
  });

  it('measures the overhead of an empty task (printed, not asserted)', async () => {
    const seconds: number[] = [];
    for (let i = 0; i < 5; i++) {
      const key = `empty:${i}`;
      const t0 = performance.now();
      await executor.launch({ runId, spec: taskSpec(key, ['true']), attempt: 0, runDir });
      expect(await recorder.final(runId, key)).toMatchObject({ type: 'succeeded' });
      seconds.push((performance.now() - t0) / 1000);
    }
    seconds.sort((a, b) => a - b);
    console.log(
      `swarm empty-task overhead (create → succeeded): median ${seconds[2]!.toFixed(3)} s, all ${seconds.map((s) => s.toFixed(3)).join(' ')}`,
    );
  });

  describe('when the engine goes away', () => {
    // The executor talks to the real engine through a socket proxy the test can cut, so an
    // outage is simulated without stopping the engine other tests share.
    let proxy: EngineProxy;
    beforeAll(async () => {
      proxy = await EngineProxy.start(path.join(runDir, 'proxy.sock'));
    });
    afterAll(() => proxy.stop());

    it('rides out a short outage and still reports the task', async () => {
      const flaky = new SwarmExecutor({
        docker: new Docker({ socketPath: proxy.path }),
        engineLossTimeoutMs: 20_000,
      });
      const events = new EventRecorder(flaky);
      const spec = taskSpec('flaky:0', [
        'ffmpeg',
        '-nostats',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=duration=3',
        '-f',
        'null',
        '-',
      ]);
      await flaky.launch({ runId, spec, attempt: 0, runDir });
      await events.next((e) => e.key === 'flaky:0' && e.type === 'started');
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      proxy.restore();

      expect(await events.final(runId, 'flaky:0')).toMatchObject({ type: 'succeeded' });
      await expectNothingLeft('flaky:0');
      events.dispose();
      await flaky.close();
    });

    it('reports running tasks as failed with a clear reason when the engine stays away', async () => {
      const cutOff = new SwarmExecutor({
        docker: new Docker({ socketPath: proxy.path }),
        engineLossTimeoutMs: 1000,
      });
      const events = new EventRecorder(cutOff);
      const spec = taskSpec('lost:0', [
        'ffmpeg',
        '-nostats',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=duration=120',
        '-f',
        'null',
        '-',
      ]);
      await cutOff.launch({ runId, spec, attempt: 0, runDir });
      await events.next((e) => e.key === 'lost:0' && e.type === 'started');
      proxy.cut();

      const final = await events.final(runId, 'lost:0');
      expect(final).toMatchObject({ type: 'failed', exitCode: null });
      expect(final.type === 'failed' && final.reason).toMatch(/Docker engine could not be reached/);
      proxy.restore();
      await executor.cleanupRun(runId); // the service outlived the outage; cleanup still finds it
      expect(await servicesOf('lost:0')).toEqual([]);
      expect(await containersOf('lost:0')).toEqual([]);
      events.dispose();
      await cutOff.close();
    });
  });
});

/** A unix-socket proxy to the Docker engine whose connections can be cut and restored. */
class EngineProxy {
  private readonly sockets = new Set<net.Socket>();
  private open = true;

  private constructor(
    readonly path: string,
    private readonly server: net.Server,
  ) {
    server.on('connection', (client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const engine = net.connect('/var/run/docker.sock');
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
      client.on('close', () => engine.destroy());
      engine.on('close', () => client.destroy());
    });
  }

  static async start(socketPath: string): Promise<EngineProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return new EngineProxy(socketPath, server);
  }

  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.open = true;
  }

  stop(): void {
    this.cut();
    this.server.close();
  }
}
