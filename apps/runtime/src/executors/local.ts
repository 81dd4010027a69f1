import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { localCapabilities } from './capabilities.js';
import { EventHub } from './events.js';
import { LineSplitter } from './lines.js';
import { TaskOutput } from './task-output.js';
import { writeTaskFiles } from './task-files.js';
import type { Executor, ExecutorEvent, LaunchRequest } from './types.js';
import type { ExecutorCapabilities } from '@reelflow/fbp-model';

export interface LocalExecutorOptions {
  /** Tasks running at once; the rest wait in launch order. Default: the number of cores. */
  readonly concurrency?: number;
  /**
   * Light tasks (stream copies, `LaunchRequest.light`) running at once, in a lane of their own so
   * a copy never waits behind encodes, nor holds an encode's slot. Default: `concurrency`.
   */
  readonly lightConcurrency?: number;
  /** Seconds between SIGTERM and SIGKILL when a task is cancelled. Default 2. */
  readonly killGraceSeconds?: number;
  /** When set, only these programs (argv[0]) may run; anything else fails without starting. */
  readonly allowedPrograms?: readonly string[];
  /** Minimum milliseconds between two progress events of one task. */
  readonly progressIntervalMs?: number;
}

type Lane = 'heavy' | 'light';
const laneOf = (task: LocalTask): Lane => (task.request.light ? 'light' : 'heavy');

type LocalState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

interface LocalTask {
  readonly request: LaunchRequest;
  state: LocalState;
  child?: ChildProcess;
  startedAt?: number;
  cancelRequested?: boolean;
  /** Resolves once the task has reached a final state. */
  readonly finished: Promise<void>;
  markFinished(): void;
}

/**
 * Runs task specs as child processes on this machine: argv is spawned directly (never through
 * a shell) from the run directory, each task in its own process group so a cancel stops
 * everything it started. The embedded default where no Docker engine can run.
 */
export class LocalExecutor implements Executor {
  readonly name = 'local' as const;
  private readonly hub = new EventHub();
  private readonly tasks = new Map<string, LocalTask>();
  /** Waiting tasks and running counts, one lane for heavy tasks and one for light ones. */
  private readonly lanes: Record<Lane, { queue: LocalTask[]; running: number; limit: number }>;

  constructor(private readonly options: LocalExecutorOptions = {}) {
    const concurrency = Math.max(1, options.concurrency ?? os.availableParallelism());
    this.lanes = {
      heavy: { queue: [], running: 0, limit: concurrency },
      light: { queue: [], running: 0, limit: Math.max(1, options.lightConcurrency ?? concurrency) },
    };
  }

  /** This machine (the render node if it exists); placement constraints do not apply here. */
  capabilities(): Promise<ExecutorCapabilities> {
    return localCapabilities();
  }

  storageRoot(runDir: string): string {
    return runDir;
  }

  async launch(request: LaunchRequest): Promise<void> {
    const id = taskId(request.runId, request.spec.key);
    const existing = this.tasks.get(id);
    if (existing && (existing.state === 'queued' || existing.state === 'running')) {
      throw new Error(
        `task ${request.spec.key} of run ${request.runId} is already ${existing.state}`,
      );
    }
    let markFinished = () => {};
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    const task: LocalTask = { request, state: 'queued', finished, markFinished };
    this.tasks.set(id, task);
    await writeTaskFiles(request.runDir, request.spec);
    this.lanes[laneOf(task)].queue.push(task);
    this.startQueued();
  }

  async cancel(runId: string, key: string): Promise<void> {
    const task = this.tasks.get(taskId(runId, key));
    if (!task) return;
    if (task.state === 'queued') {
      const queue = this.lanes[laneOf(task)].queue;
      queue.splice(queue.indexOf(task), 1);
      this.finish(task, 'cancelled', { type: 'cancelled', ...identity(task) });
      return;
    }
    if (task.state !== 'running' || !task.child) return;
    task.cancelRequested = true;
    killGroup(task.child, 'SIGTERM');
    const grace = setTimeout(
      () => killGroup(task.child!, 'SIGKILL'),
      (this.options.killGraceSeconds ?? 2) * 1000,
    );
    await task.finished;
    clearTimeout(grace);
  }

  async cleanupRun(runId: string): Promise<void> {
    const ofRun = [...this.tasks.values()].filter((t) => t.request.runId === runId);
    await Promise.all(ofRun.map((t) => this.cancel(runId, t.request.spec.key)));
    for (const t of ofRun) this.tasks.delete(taskId(runId, t.request.spec.key));
  }

  async listRunTasks(
    runId: string,
  ): Promise<Array<{ key: string; attempt: number; state: 'running' | 'succeeded' | 'failed' }>> {
    const states = {
      queued: 'running',
      running: 'running',
      succeeded: 'succeeded',
      failed: 'failed',
      cancelled: 'failed',
    } as const;
    return [...this.tasks.values()]
      .filter((t) => t.request.runId === runId)
      .map((t) => ({
        key: t.request.spec.key,
        attempt: t.request.attempt,
        state: states[t.state],
      }));
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    return this.hub.on(listener);
  }

  async close(): Promise<void> {
    const runIds = new Set([...this.tasks.values()].map((t) => t.request.runId));
    await Promise.all([...runIds].map((id) => this.cleanupRun(id)));
  }

  private startQueued(): void {
    for (const lane of Object.values(this.lanes)) {
      while (lane.running < lane.limit && lane.queue.length > 0) this.start(lane.queue.shift()!);
    }
  }

  private start(task: LocalTask): void {
    const { spec, runDir } = task.request;
    const [program, ...args] = spec.argv;
    if (
      !program ||
      (this.options.allowedPrograms && !this.options.allowedPrograms.includes(program))
    ) {
      this.finish(task, 'failed', {
        type: 'failed',
        ...identity(task),
        exitCode: null,
        reason: `program '${program ?? ''}' is not allowed to run (allowed: ${this.options.allowedPrograms?.join(', ') ?? 'any'})`,
      });
      return;
    }
    this.lanes[laneOf(task)].running++;
    task.state = 'running';
    task.startedAt = performance.now();
    // detached: the task leads its own process group, so cancel can signal all of it.
    const child = spawn(program, args, {
      cwd: runDir,
      env: taskEnvironment(spec.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    task.child = child;
    this.hub.emit({ type: 'started', ...identity(task), host: os.hostname() });
    const output = new TaskOutput(this.hub, identity(task), {
      reportsProgress: spec.reportsProgress,
      durationSeconds: spec.durationSeconds,
      progressIntervalMs: this.options.progressIntervalMs,
    });
    const stdout = new LineSplitter((line) => output.line('stdout', line));
    const stderr = new LineSplitter((line) => output.line('stderr', line));
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    let spawnError: Error | undefined;
    child.on('error', (error) => (spawnError = error));
    // 'close' comes after both pipes are drained, so every log line precedes the final event.
    child.on('close', (code, signal) => {
      stdout.end();
      stderr.end();
      this.lanes[laneOf(task)].running--;
      this.onExit(task, output, code, signal, spawnError);
      this.startQueued();
    });
  }

  private onExit(
    task: LocalTask,
    output: TaskOutput,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: Error,
  ): void {
    const program = task.request.spec.argv[0];
    if (task.cancelRequested) {
      this.finish(task, 'cancelled', { type: 'cancelled', ...identity(task) });
    } else if (spawnError) {
      this.finish(task, 'failed', {
        type: 'failed',
        ...identity(task),
        exitCode: null,
        reason: `cannot start '${program}': ${spawnError.message}`,
      });
    } else if (code === 0) {
      const seconds = (performance.now() - (task.startedAt ?? performance.now())) / 1000;
      this.finish(task, 'succeeded', { type: 'succeeded', ...identity(task), seconds });
    } else {
      const what = signal
        ? `${program} was killed by ${signal}`
        : `${program} exited with code ${code}`;
      this.finish(task, 'failed', {
        type: 'failed',
        ...identity(task),
        exitCode: code,
        reason: output.failureReason(what),
      });
    }
  }

  private finish(task: LocalTask, state: LocalState, event: ExecutorEvent): void {
    task.state = state;
    task.child = undefined;
    this.hub.emit(event);
    task.markFinished();
  }
}

/** Variables a local task inherits from the runtime; the rest (tokens, secrets) stay out, as in a container. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'];

function taskEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = INHERITED_ENV.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return { ...Object.fromEntries(inherited), ...extra };
}

function taskId(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}

function identity(task: LocalTask): { runId: string; key: string; attempt: number } {
  return { runId: task.request.runId, key: task.request.spec.key, attempt: task.request.attempt };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
