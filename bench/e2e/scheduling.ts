/**
 * Scheduling figures (issue 5/7): Swarm task overhead, from service create to task complete
 * of an empty command, for 1, 10 and 50 concurrent tasks, driving the swarm executor module
 * directly; and status latency, from a task's state change to the socket.io event a
 * designer receives, through a real runtime.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { io as connect } from 'socket.io-client';
import type { TaskStateEvent } from '@reelflow/fbp-model';
// The runtime has no package entry for its internals; the benchmark, like its tests, uses them.
import { LocalExecutor } from '../../apps/runtime/src/executors/local.js';
import { SwarmExecutor } from '../../apps/runtime/src/executors/swarm.js';
import { taskSpec } from '../../apps/runtime/src/executors/testing.js';
import type { Executor, ExecutorEvent } from '../../apps/runtime/src/executors/types.js';
import { createRuntime } from '../../apps/runtime/src/server/runtime.js';
import { exampleGraph } from './encode.js';
import type { ExecutorName } from './matrix.js';
import { percentile, summarize, type Summary } from './stats.js';

/** The empty command of the overhead figure: the task image's default, a few ms of work. */
const EMPTY_ARGV = ['ffmpeg', '-hide_banner', '-version'];
/**
 * A token reservation, so 50 tasks fit on one 2-core node at once: the figure is about
 * scheduling, and Swarm would otherwise queue tasks that reserve more than the node has.
 */
const TINY = { cpus: 0.01, memoryBytes: 16 * 1024 * 1024 };

export interface OverheadResult {
  readonly concurrent: number;
  readonly batches: number;
  /** Seconds from `launch()` to the executor's `succeeded`, one per task. */
  readonly seconds: Summary;
  /** Seconds from the first launch to the last completion of a batch (median over batches). */
  readonly batchSeconds: number;
  readonly failed: number;
  /**
   * Where the time goes, median seconds per task: `launch()` returning (writing task files
   * and the `createService` call), from there to the container's start event (Swarm
   * scheduling, container create and start), start to die (the command itself), die to the
   * executor's `succeeded` (detection and log drain).
   */
  readonly phases?: { create: number; toStart: number; running: number; detect: number };
  /**
   * The engine's own floor: seconds from create to exit of the same empty command as plain
   * containers (no Swarm), as many at once, one per task. What Swarm adds is the difference.
   */
  readonly engineFloor?: Summary;
}

/** Wait for one final event per key; each with its wall time (ms). */
function finals(executor: Executor, runId: string, keys: readonly string[]) {
  const done = new Map<string, { event: ExecutorEvent; at: number }>();
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  const stop = executor.onEvent((event) => {
    if (event.runId !== runId || !['succeeded', 'failed', 'cancelled'].includes(event.type)) return;
    done.set(event.key, { event, at: Date.now() });
    if (done.size === keys.length) release();
  });
  return { done, all: all.finally(stop) };
}

interface BatchTask {
  readonly launched: number;
  readonly created: number;
  readonly finished: number;
  readonly ok: boolean;
  readonly started?: number;
  readonly died?: number;
}

/** Launch `n` empty tasks at once; each task's launch, container start/die and completion (wall ms). */
async function overheadBatch(
  executor: Executor,
  runDir: string,
  n: number,
  docker?: DockerTimes,
): Promise<BatchTask[]> {
  const runId = `bench-overhead-${randomUUID().slice(0, 8)}`;
  const keys = Array.from({ length: n }, (_, i) => `empty:${i}`);
  const { done, all } = finals(executor, runId, keys);
  const launchedAt = new Map<string, number>();
  const createdAt = new Map<string, number>();
  await Promise.all(
    keys.map(async (key) => {
      launchedAt.set(key, Date.now());
      const spec = taskSpec(key, EMPTY_ARGV, { resources: TINY });
      await executor.launch({ runId, spec, attempt: 0, runDir });
      createdAt.set(key, Date.now());
    }),
  );
  await all;
  await executor.cleanupRun(runId);
  return keys.map((key) => ({
    launched: launchedAt.get(key)!,
    created: createdAt.get(key)!,
    finished: done.get(key)!.at,
    ok: done.get(key)!.event.type === 'succeeded',
    started: docker?.times.get(`${runId}|${key}|running`),
    died: docker?.times.get(`${runId}|${key}|done`),
  }));
}

/**
 * `n` plain containers of the task image at once (create, start, wait, remove; host network,
 * the empty command), without Swarm: seconds from create to exit, one per container.
 */
async function containerBatch(docker: Docker, n: number): Promise<number[]> {
  const one = async () => {
    const started = Date.now();
    const container = await docker.createContainer({
      Image: 'reelflow/ffmpeg:local',
      Cmd: EMPTY_ARGV,
      HostConfig: { NetworkMode: 'host' },
      Labels: { 'reelflow.bench': 'engine-floor' },
    });
    try {
      await container.start();
      await container.wait();
      return (Date.now() - started) / 1000;
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  };
  return Promise.all(Array.from({ length: n }, one));
}

/** Median phase seconds over the tasks whose container events were seen. */
function phasesOf(tasks: readonly BatchTask[]): OverheadResult['phases'] {
  const seen = tasks.filter((t) => t.started !== undefined && t.died !== undefined);
  if (seen.length === 0) return undefined;
  const med = (f: (t: BatchTask) => number) => summarize(seen.map(f))!.median / 1000;
  return {
    create: med((t) => t.created - t.launched),
    toStart: med((t) => t.started! - t.created),
    running: med((t) => t.died! - t.started!),
    detect: med((t) => t.finished - t.died!),
  };
}

/**
 * Swarm task overhead for each concurrency in `counts`, `batches(n)` batches each (one
 * warm-up task first, so image and executor start-up are not counted).
 */
export async function swarmOverhead(
  workDir: string,
  counts: readonly number[],
  batches: (n: number) => number,
): Promise<OverheadResult[]> {
  const runDir = join(workDir, 'overhead');
  await mkdir(runDir, { recursive: true });
  const executor = new SwarmExecutor();
  const docker = await watchDocker(new Docker());
  try {
    await overheadBatch(executor, runDir, 1); // warm-up
    const results: OverheadResult[] = [];
    for (const n of counts) {
      const tasks: BatchTask[] = [];
      const spans: number[] = [];
      for (let b = 0; b < batches(n); b++) {
        const batch = await overheadBatch(executor, runDir, n, docker);
        tasks.push(...batch);
        spans.push(
          (Math.max(...batch.map((t) => t.finished)) - Math.min(...batch.map((t) => t.launched))) /
            1000,
        );
      }
      const floor: number[] = [];
      for (let b = 0; b < batches(n); b++) floor.push(...(await containerBatch(new Docker(), n)));
      results.push({
        concurrent: n,
        batches: batches(n),
        seconds: summarize(tasks.map((t) => (t.finished - t.launched) / 1000))!,
        batchSeconds: summarize(spans)!.median,
        failed: tasks.filter((t) => !t.ok).length,
        phases: phasesOf(tasks),
        engineFloor: summarize(floor),
      });
    }
    return results;
  } finally {
    docker.stop();
    await executor.close();
  }
}

export interface LatencyResult {
  readonly executor: ExecutorName;
  /** Milliseconds from the executor's event to the socket.io `task:state` a client receives. */
  readonly fromExecutorMs?: Summary & { p95: number };
  /**
   * Swarm only: milliseconds from Docker's container `start`/`die` event (the task's real
   * state change) to the socket.io event; includes the executor's detection delay.
   */
  readonly fromEngineMs?: Summary & { p95: number };
}

/** Executor event type → the task state the runtime publishes for it. */
const STATE_OF: Partial<Record<ExecutorEvent['type'], string>> = {
  started: 'running',
  succeeded: 'done',
};
/** Docker container event → task state. */
const DOCKER_STATE: Record<string, string> = { start: 'running', die: 'done' };

const withP95 = (values: number[]) =>
  values.length ? { ...summarize(values)!, p95: percentile(values, 95) } : undefined;

interface DockerTimes {
  /** Wall ms of each container `start` / `die`, by `runId|key|running` / `runId|key|done`. */
  readonly times: Map<string, number>;
  stop(): void;
}

/** Container start/die times of Reelflow tasks, from Docker's event stream, while it runs. */
async function watchDocker(docker: Docker): Promise<DockerTimes> {
  const times = new Map<string, number>();
  const stream = (await docker.getEvents({
    filters: { type: ['container'], event: ['start', 'die'], label: ['reelflow.task'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line) as {
        Action: string;
        timeNano: number;
        Actor: { Attributes: Record<string, string> };
      };
      const key = e.Actor.Attributes['reelflow.task'];
      const state = DOCKER_STATE[e.Action];
      if (key && state)
        times.set(`${e.Actor.Attributes['reelflow.run']}|${key}|${state}`, e.timeNano / 1e6);
    }
  });
  return { times, stop: () => stream.destroy() };
}

/**
 * Run a small graph (the example graph, 4 s segments, on `clip`) through a real runtime
 * with `kind`'s executor and a socket.io client subscribed to the run; pair every
 * `task:state` the client receives with the moment the state changed.
 */
export async function statusLatency(
  workDir: string,
  kind: ExecutorName,
  clip: string,
): Promise<LatencyResult> {
  const dataDir = join(workDir, `latency-${kind}`);
  const executor: Executor = kind === 'swarm' ? new SwarmExecutor() : new LocalExecutor();
  const docker = kind === 'swarm' ? await watchDocker(new Docker()) : undefined;
  const changedAt = new Map<string, number>(); // `runId|key|state` → wall ms
  executor.onEvent((e) => {
    const state = STATE_OF[e.type];
    if (state) changedAt.set(`${e.runId}|${e.key}|${state}`, Date.now());
  });
  const runtime = createRuntime({ dataDir, executor, port: 0, designerDir: false });
  const received: Array<{ id: string; at: number }> = [];
  try {
    const { url } = await runtime.start();
    const socket = connect(url, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((ok) => socket.on('connect', () => ok()));
    socket.on('task:state', (e: TaskStateEvent) =>
      received.push({ id: `${e.runId}|${e.key}|${e.state}`, at: Date.now() }),
    );
    const doc = await exampleGraph({
      preset: 'ultrafast',
      crf: 23,
      height: 360,
      segmentSeconds: 4,
    });
    const runId = runtime.manager.create(doc, { path: clip }, kind).id;
    await socket.emitWithAck('subscribe', { runId });
    const state = await runtime.manager.waitFor(runId);
    await new Promise((r) => setTimeout(r, 500)); // the last events are still on the wire
    socket.close();
    if (state !== 'succeeded') throw new Error(`latency run ended ${state}`);
  } finally {
    docker?.stop();
    await runtime.close();
    await executor.close();
  }
  const delays = (source: Map<string, number>) =>
    received.flatMap(({ id, at }) => (source.has(id) ? [at - source.get(id)!] : []));
  const fromEngine = docker ? withP95(delays(docker.times)) : undefined;
  const fromExecutor = withP95(delays(changedAt));
  return {
    executor: kind,
    ...(fromExecutor ? { fromExecutorMs: fromExecutor } : {}),
    ...(fromEngine ? { fromEngineMs: fromEngine } : {}),
  };
}
