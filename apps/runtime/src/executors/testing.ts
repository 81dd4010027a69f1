import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TaskSpec } from '@reelflow/fbp-model';
import type Docker from 'dockerode';
import { LABEL } from './swarm-spec.js';
import type { Executor, ExecutorEvent } from './types.js';

/**
 * Test helpers for executors (used by the executor tests and, later, the runtime's own):
 * a minimal task spec and an event recorder that can wait for a task's final event.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Make sure the engine answers as a swarm manager and holds the task image: the start
 * scripts, idempotent and fast when all is in place.
 */
export async function ensureEngine(): Promise<void> {
  const run = promisify(execFile);
  await run('bash', [`${REPO_ROOT}scripts/engine.sh`], { timeout: 120_000 });
  await run('bash', [`${REPO_ROOT}scripts/build-image.sh`], { timeout: 300_000 });
}

/** A task spec that runs `argv` in the task image, with no mounts, inputs or outputs. */
export function taskSpec(
  key: string,
  argv: readonly string[],
  extra: Partial<TaskSpec> = {},
): TaskSpec {
  const [nodeId = key, index = '0'] = key.split(':');
  return {
    key,
    nodeId,
    index: Number(index),
    image: 'reelflow/ffmpeg:local',
    argv,
    mounts: [],
    resources: { cpus: 0.1, memoryBytes: 64 * 1024 * 1024 },
    placement: [],
    labels: {},
    outputs: [],
    inputs: [],
    ...extra,
  };
}

/** ffmpeg arguments that render `seconds` of a test pattern to `output`, reporting progress. */
export function testClipArgv(output: string, seconds = 2): string[] {
  return [
    'ffmpeg',
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=320x240:rate=25`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-progress',
    'pipe:1',
    output,
  ];
}

const FINAL = new Set<ExecutorEvent['type']>(['succeeded', 'failed', 'cancelled']);

/** Records every event of an executor; `final(key)` resolves with a task's final event. */
export class EventRecorder {
  readonly events: ExecutorEvent[] = [];
  private readonly waiters: Array<{
    test: (e: ExecutorEvent) => boolean;
    resolve: (e: ExecutorEvent) => void;
  }> = [];
  private readonly stop: () => void;

  constructor(executor: Executor) {
    this.stop = executor.onEvent((event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (!waiter.test(event)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    });
  }

  /** The first (past or future) event matching `test`. */
  next(test: (e: ExecutorEvent) => boolean): Promise<ExecutorEvent> {
    const past = this.events.find(test);
    if (past) return Promise.resolve(past);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  final(runId: string, key: string): Promise<ExecutorEvent> {
    return this.next((e) => e.runId === runId && e.key === key && FINAL.has(e.type));
  }

  of(runId: string, key: string): ExecutorEvent[] {
    return this.events.filter((e) => e.runId === runId && e.key === key);
  }

  dispose(): void {
    this.stop();
  }
}

/** Services and containers (in any state) still carrying a run's label. */
export async function leftovers(docker: Docker, runId: string): Promise<string[]> {
  const filters = { label: [`${LABEL.run}=${runId}`] };
  const services = (await docker.listServices({ filters })) as Array<{ Spec?: { Name?: string } }>;
  const containers = await docker.listContainers({ all: true, filters });
  return [
    ...services.map((s) => `service ${s.Spec?.Name}`),
    ...containers.map((c) => `container ${c.Names[0]} (${c.State})`),
  ];
}
