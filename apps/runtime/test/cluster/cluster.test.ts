/**
 * Issue 8 item 4: a multi-node Docker Swarm on ONE machine (scripts/cluster.sh: a manager and two
 * workers, each a dockerd in its own network namespace on a private test subnet 10.77.N.0/24), to
 * prove that tasks spread over workers, move their files over HTTP, and survive a worker failure:
 * first with the swarm executor alone (the test plays the runtime's retry), then with whole runs
 * through the runtime.
 *
 * Addressing: N is a subnet no host interface uses yet (see ownClusterOptions). The host end of
 * the subnet is 10.77.N.1 (a veth in the root namespace, bridged in a hub namespace to every
 * engine's eth0: manager .10, workers .11 and .12). Swarm tasks use the host network of their
 * engine's namespace, so they reach the test's file server, proxy and runtime at 10.77.N.1, never
 * at 127.0.0.1; nothing else is reachable from them. The manager is drained (a dedicated control
 * plane), so every task runs on a worker. Where a task ran is read from the workers' own engines
 * (its container, labelled with run, task and attempt) and from the source address of what it
 * uploaded. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '@reelflow/fbp-model';
import {
  createExecutor,
  type LightTasks,
  type Executor,
  type ExecutorEvent,
} from '../../src/executors/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/server/runtime.js';
import { makeClip, multipart } from '../../src/server/test-helpers.js';
import { EventRecorder, taskSpec } from '../../src/executors/testing.js';
import {
  clusterDown,
  clusterUnavailableReason,
  clusterUp,
  ensureHostImage,
  ownClusterOptions,
  removeOrphanClusters,
  startFileServer,
  startHoldingProxy,
  startWorker,
  stopWorker,
  type ClusterInfo,
  type ClusterOptions,
  type FileServer,
} from './harness.js';

const run = promisify(execFile);

const OPTIONS: ClusterOptions = ownClusterOptions(2);
const unavailable = clusterUnavailableReason();
const WORKERS_ONLY = ['node.role==worker'];
/** 4 s at 25 fps. */
const CLIP_FRAMES = 100;

/** Video frames in a media file, counted by ffprobe from its packets. */
async function frameCount(path: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path,
  ]);
  // MPEG-TS lists its streams twice (again under its program): the first line is the stream.
  return Number(stdout.trim().split('\n')[0]);
}

/** ffmpeg in a task: read `input` over HTTP, re-encode, PUT the result to `output`. */
function transcodeArgv(input: string, output: string): string[] {
  // prettier-ignore
  return [
    'ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-i', input,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', '-method', 'PUT', output,
  ];
}

/**
 * The example pipeline with both transfers over `http`: a 4 s clip cut into four 1 s chunks, each
 * pulled from the runtime, encoded small and fast, and pushed back, then merged and packaged.
 */
function httpGraph() {
  const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({
    id,
    type,
    params,
  });
  const ids = ['src', 'split', 'xfer', 'enc', 'back', 'merge', 'out'];
  return {
    schemaVersion: 1,
    id: 'cluster-http',
    name: 'Transcode over HTTP on a multi-node swarm',
    nodes: [
      node('src', 'source'),
      node('split', 'split', { segmentSeconds: 1 }),
      node('xfer', 'transfer', { strategy: 'http' }),
      node('enc', 'encode', { codec: 'h264', preset: 'ultrafast', crf: 30, height: 120 }),
      node('back', 'transfer', { strategy: 'http' }),
      node('merge', 'merge', { container: 'mp4' }),
      node('out', 'stream', { format: 'hls', segmentSeconds: 2 }),
    ],
    edges: ids.slice(1).map((to, i) => ({
      id: `e${i + 1}`,
      from: { node: ids[i], port: 'out' },
      to: { node: to, port: 'in' },
    })),
  };
}

describe.skipIf(unavailable !== undefined)('a three-engine swarm on one machine', () => {
  let cluster: ClusterInfo;
  let manager: Docker;
  let workers: Map<string, Docker>;
  let executor: Executor;
  let recorder: EventRecorder;
  let files: FileServer;
  let root: string;
  let inputFrames: number;
  /** The 4 s clip (CLIP_FRAMES frames) the runtime's runs transcode. */
  let clip: string;

  beforeAll(async () => {
    await ensureHostImage();
    // A run that was killed leaves its cluster behind.
    await removeOrphanClusters();
    cluster = await clusterUp(OPTIONS);
    manager = new Docker({ socketPath: cluster.managerSocket });
    workers = new Map(cluster.workers.map((w) => [w.nodeId, new Docker({ socketPath: w.socket })]));
    // As the runtime makes it: detected as swarm (a manager holding the task image), on its socket.
    ({ executor } = await createExecutor('swarm', {
      docker: manager,
      swarm: { pollIntervalMs: 200 },
    }));
    recorder = new EventRecorder(executor);
    root = await mkdtemp(join(tmpdir(), 'reelflow-cluster-'));
    await makeClip(join(root, 'in.mp4'), { seconds: 2 });
    inputFrames = await frameCount(join(root, 'in.mp4'));
    clip = join(root, 'clip.mp4');
    await makeClip(clip, { seconds: 4, gop: 25 });
    files = await startFileServer(root, cluster.hostAddr);
  }, 360_000);

  afterAll(async () => {
    files?.gate.release();
    await files?.close();
    recorder?.dispose();
    await executor?.close();
    await clusterDown(OPTIONS);
    if (root) await rm(root, { recursive: true, force: true });
  }, 180_000);

  /** Launch one transcode task of `runId` reading `input` and writing `output` (URL paths). */
  async function launch(runId: string, index: number, input: string, output: string, attempt = 0) {
    const spec = taskSpec(
      `enc:${index}`,
      transcodeArgv(`${files.url}${input}`, `${files.url}${output}`),
      {
        placement: WORKERS_ONLY,
      },
    );
    await executor.launch({ runId, spec, attempt, runDir: root, mountRunDir: false });
  }

  /** The final event of one attempt of a task. */
  function finalOf(runId: string, index: number, attempt: number): Promise<ExecutorEvent> {
    const key = `enc:${index}`;
    return recorder.next(
      (e) =>
        e.runId === runId &&
        e.key === key &&
        e.attempt === attempt &&
        ['succeeded', 'failed', 'cancelled'].includes(e.type),
    );
  }

  /** The worker node each task container of `runId` is on, read from the workers' own engines. */
  async function placement(
    runId: string,
    only: 'running' | 'all' = 'all',
  ): Promise<Map<string, string>> {
    const where = new Map<string, string>();
    for (const [nodeId, engine] of workers) {
      const containers = await engine
        .listContainers({ all: only === 'all', filters: { label: [`reelflow.run=${runId}`] } })
        .catch(() => []); // a stopped worker answers nothing
      for (const c of containers)
        where.set(`${c.Labels['reelflow.task']}#${c.Labels['reelflow.attempt']}`, nodeId);
    }
    return where;
  }

  const workerAddr = (nodeId: string) => cluster.workers.find((w) => w.nodeId === nodeId)?.addr;

  it('has one manager and two workers, all ready', async () => {
    const nodes = await manager.listNodes();
    const ready = nodes.filter((n) => n.Status?.State === 'ready');
    expect(ready).toHaveLength(3);
    const workerIds = ready.filter((n) => n.Spec?.Role === 'worker').map((n) => n.ID);
    expect(workerIds.sort()).toEqual(cluster.workers.map((w) => w.nodeId).sort());
    expect(ready.find((n) => n.Spec?.Role === 'manager')?.ID).toBe(cluster.managerNodeId);
    // The run's engine keeps four tasks per CPU of the nodes that take tasks in flight (plus
    // the copies beside the runtime): more nodes, more parallel work.
    const cpus = ready
      .filter((n) => n.Spec?.Availability === 'active')
      .reduce((sum, n) => sum + (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9, 0);
    expect(cpus).toBeGreaterThan(0);
    expect(await executor.slots!()).toBe(Math.max(8, Math.ceil(cpus * 4)) + 4);
  });

  it('spreads HTTP-fed tasks over both workers and receives every output', async () => {
    const runId = `cluster-b-${randomUUID().slice(0, 8)}`;
    const count = 6;
    const indexes = [...Array(count).keys()];
    await Promise.all(indexes.map((i) => launch(runId, i, '/in.mp4', `/b/out-${i}.ts`)));
    const finals = await Promise.all(indexes.map((i) => finalOf(runId, i, 0)));
    expect(finals.map((e) => e.type)).toEqual(indexes.map(() => 'succeeded'));

    const where = await placement(runId);
    expect(where.size).toBe(count);
    expect(new Set(where.values())).toEqual(new Set(cluster.workers.map((w) => w.nodeId)));
    for (const i of indexes) {
      // The output came over the network from the worker the task ran on, and is whole.
      const sender = await within(
        files.whenStored(`/b/out-${i}.ts`),
        10_000,
        `output ${i} (${files.failures.join('; ')})`,
      );
      expect(sender).toBe(workerAddr(where.get(`enc:${i}#0`)!));
      expect(await frameCount(join(root, 'b', `out-${i}.ts`))).toBe(inputFrames);
    }
    await executor.cleanupRun(runId);
  }, 120_000);

  /**
   * A runtime as `reelflow serve --host 10.77.N.1 --executor swarm` makes it: bound on the host end
   * of the test subnet (the address every worker's tasks reach), so it asks for its access token;
   * its swarm executor on the manager's socket. `call` sends the token; tasks need none (their
   * file URLs carry a per-run capability).
   */
  async function withRuntime(
    options: Partial<RuntimeOptions>,
    body: (call: RuntimeCall) => Promise<void>,
    lightTasks?: LightTasks,
  ): Promise<void> {
    const { executor: runExecutor } = await createExecutor('swarm', {
      docker: new Docker({ socketPath: cluster.managerSocket }),
      lightTasks,
    });
    const runtime = createRuntime({
      dataDir: join(root, `runtime-${randomUUID().slice(0, 8)}`),
      executor: runExecutor,
      host: cluster.hostAddr,
      port: 0,
      designerDir: false,
      requireToken: true,
      ...options,
    });
    try {
      const { url, newToken } = await runtime.start();
      expect(newToken).toBeDefined();
      const call: RuntimeCall = Object.assign(
        (path: string, init: RequestInit = {}) =>
          fetch(`${url}${path}`, {
            ...init,
            headers: {
              ...(init.headers as Record<string, string>),
              authorization: `Bearer ${newToken}`,
            },
          }),
        { url },
      );
      await body(call);
    } finally {
      await runtime.close();
      await runExecutor.close();
    }
  }

  /** Upload the 4 s clip and start a run of the http graph on it; resolves with the run id. */
  async function startRun(call: RuntimeCall): Promise<string> {
    const form = multipart('file', 'clip.mp4', await readFile(clip));
    const upload = await call('/api/uploads', { method: 'POST', body: form });
    expect(upload.status).toBe(201);
    const { uploadId } = (await upload.json()) as { uploadId: string };
    const created = await call('/api/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph: httpGraph(), input: uploadId }),
    });
    expect(created.status).toBe(202);
    return ((await created.json()) as { runId: string }).runId;
  }

  /** The run's view once it has ended. */
  function runEnd(call: RuntimeCall, runId: string): Promise<RunView> {
    return waitFor(async () => {
      const view = (await (await call(`/api/runs/${runId}`)).json()) as RunView;
      return ['succeeded', 'failed', 'cancelled'].includes(view.state) ? view : undefined;
    }, 90_000);
  }

  /** Frames in the run's merged mp4, fetched from the runtime's output route. */
  async function mergedFrames(call: RuntimeCall, view: RunView): Promise<number> {
    const merged = view.outputs.find((o) => o.endsWith('.mp4'));
    expect(merged).toBeDefined();
    const mp4 = await call(`/api/runs/${view.runId}/outputs/${merged}`);
    const path = join(root, `${view.runId}.mp4`);
    await writeFile(path, Buffer.from(await mp4.arrayBuffer()));
    return frameCount(path);
  }

  it('runs a whole graph with http transfers through the runtime, its tasks on both workers', async () => {
    // Every task a service (`--light-tasks cluster`): the transfers pull and push over HTTP
    // from the workers too. (The next test runs the copies beside the runtime, the default.)
    await withRuntime(
      {},
      async (call) => {
        const runId = await startRun(call);
        const view = await runEnd(call, runId);
        expect({ state: view.state, reason: view.reason }).toEqual({
          state: 'succeeded',
          reason: undefined,
        });
        expect(view.nodes['enc']?.tasks).toHaveLength(4);

        const where = await placement(runId);
        const encodesOn = new Set(
          [...where].filter(([task]) => task.startsWith('enc:')).map(([, node]) => node),
        );
        expect(encodesOn).toEqual(new Set(cluster.workers.map((w) => w.nodeId)));
        const transfersOn = new Set(
          [...where].filter(([task]) => /^(xfer|back):/.test(task)).map(([, node]) => node),
        );
        expect(transfersOn.size).toBeGreaterThan(0);
        for (const node of transfersOn)
          expect(cluster.workers.map((w) => w.nodeId)).toContain(node);
        expect(await mergedFrames(call, view)).toBe(CLIP_FRAMES);
      },
      'cluster',
    );
  }, 200_000);

  it('re-runs the tasks of a worker that stops mid-run on the other worker', async () => {
    const runId = `cluster-c-${randomUUID().slice(0, 8)}`;
    const indexes = [0, 1, 2, 3];
    await mkdir(join(root, 'c'), { recursive: true });
    await copyFile(join(root, 'in.mp4'), join(root, 'c', 'in.mp4'));
    // Every task blocks half-way through its input until released: all are mid-run when the
    // worker stops, however fast or slow the machine is.
    files.gate.hold('/c/in.mp4');
    await Promise.all(indexes.map((i) => launch(runId, i, '/c/in.mp4', `/c/out-${i}.ts`)));
    const running = await waitFor(async () => {
      const where = await placement(runId, 'running');
      return where.size === indexes.length ? where : undefined;
    }, 60_000);
    // The worker running task 0 fails (swarm usually spreads the four tasks, but need not).
    const failing = cluster.workers.find((w) => w.nodeId === running.get('enc:0#0'))!;
    const surviving = cluster.workers.find((w) => w !== failing)!;
    const victims = indexes.filter((i) => running.get(`enc:${i}#0`) === failing.nodeId);
    const lastAttempt = new Map(indexes.map((i) => [i, 0]));

    await stopWorker(OPTIONS, failing.index);
    try {
      // Swarm cannot finish a task on a lost node: the executor must report it (failed), or
      // swarm must have run it elsewhere (succeeded). A failed attempt is launched again, as
      // the runtime's retry would do.
      for (const i of victims) {
        const first = await within(
          finalOf(runId, i, 0),
          30_000,
          `final event of task enc:${i} on the stopped worker`,
        );
        if (first.type !== 'failed') continue;
        await launch(runId, i, '/c/in.mp4', `/c/out-${i}.ts`, 1);
        lastAttempt.set(i, 1);
      }
      files.gate.release();
      const finals = await within(
        Promise.all(indexes.map((i) => finalOf(runId, i, lastAttempt.get(i)!))),
        60_000,
        'end of every task after the release',
      );
      expect(finals.map((e) => e.type)).toEqual(indexes.map(() => 'succeeded'));
      for (const i of indexes) {
        const sender = await within(
          files.whenStored(`/c/out-${i}.ts`),
          10_000,
          `output ${i} (${files.failures.join('; ')})`,
        );
        expect(sender).toBe(surviving.addr);
        expect(await frameCount(join(root, 'c', `out-${i}.ts`))).toBe(inputFrames);
      }
      await executor.cleanupRun(runId);
    } finally {
      // The next test needs both workers again.
      await startWorker(OPTIONS, failing.index);
    }
  }, 200_000);

  it('finishes a run whose worker stops mid-run: the lost encode runs again on the other worker', async () => {
    // Tasks reach the runtime through a proxy that holds the chunks the encodes pull (the first
    // transfer's outputs): every encode is mid-run when the worker stops. (The proxy also takes
    // the tasks' PUTs itself, so the runtime's own PUT handling is the previous test's concern.)
    const proxy = await startHoldingProxy(cluster.hostAddr);
    proxy.gate.hold((path) => path.includes('/files/work/xfer/'));
    try {
      await withRuntime(
        { publicUrl: proxy.url, engineOptions: { backoffMs: 200 } },
        async (call) => {
          proxy.forwardTo(call.url);
          const runId = await startRun(call);
          const [lost, lostOn] = await waitFor(async () => {
            const where = await placement(runId, 'running');
            return [...where].find(([task]) => task.startsWith('enc:'));
          }, 90_000);
          const failing = cluster.workers.find((w) => w.nodeId === lostOn)!;
          const surviving = cluster.workers.find((w) => w !== failing)!;
          await stopWorker(OPTIONS, failing.index);
          proxy.gate.release();

          const view = await runEnd(call, runId);
          expect({ state: view.state, reason: view.reason }).toEqual({
            state: 'succeeded',
            reason: undefined,
          });
          const [key] = lost.split('#');
          const again = [...(await placement(runId))].filter(
            ([task]) => task.startsWith(`${key}#`) && task !== lost,
          );
          expect(again.length).toBeGreaterThan(0);
          expect(again.map(([, node]) => node)).toEqual(again.map(() => surviving.nodeId));
          expect(await mergedFrames(call, view)).toBe(CLIP_FRAMES);
        },
      );
    } finally {
      proxy.gate.release();
      await proxy.close();
    }
  }, 200_000);
});

/** `fetch` against the runtime's base URL, with its access token. */
type RuntimeCall = ((path: string, init?: RequestInit) => Promise<Response>) & {
  readonly url: string;
};

/** `promise`, or an error naming `what` when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `probe` until it returns a value, for at most `ms`. */
async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`condition not met within ${ms / 1000} s`);
}

if (unavailable !== undefined) console.warn(`cluster tests skipped: ${unavailable}`);
