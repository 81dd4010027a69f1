import type { ExecutorCapabilities, TaskSpec } from '@reelflow/fbp-model';

/** What an executor reports about a task it launched. `key` is `TaskSpec.key`. */
export type ExecutorEvent =
  | { type: 'started'; runId: string; key: string; attempt: number; host?: string }
  | {
      type: 'progress';
      runId: string;
      key: string;
      attempt: number;
      fraction: number;
      outTimeSeconds: number;
      speed?: number;
    }
  | {
      type: 'log';
      runId: string;
      key: string;
      attempt: number;
      stream: 'stdout' | 'stderr';
      line: string;
    }
  | { type: 'succeeded'; runId: string; key: string; attempt: number; seconds: number }
  | {
      type: 'failed';
      runId: string;
      key: string;
      attempt: number;
      exitCode: number | null;
      reason: string;
    }
  | { type: 'cancelled'; runId: string; key: string; attempt: number };

export interface LaunchRequest {
  readonly runId: string;
  readonly spec: TaskSpec;
  /** 0 for the first try; retries count up. */
  readonly attempt: number;
  /** Host path of the run directory (mounted into containers at `spec`'s storage root). */
  readonly runDir: string;
  /**
   * Bind-mount `runDir` into the task (swarm). Default true; false for tasks that reach their
   * data over `http` and may run on hosts that do not have the run directory.
   */
  readonly mountRunDir?: boolean;
  /**
   * The task's node type is light (stream copy only, `NodeTypeDef.light`): an executor may run
   * it beside the run directory rather than schedule it like the heavy work.
   */
  readonly light?: boolean;
}

/**
 * Runs task specs somewhere (Docker Swarm services, or local child processes) and reports
 * what happens to them through `onEvent`. Implementations own no retry policy: the
 * semantics' step function decides what to do after a failure.
 */
export interface Executor {
  readonly name: 'swarm' | 'local';
  /**
   * The task root as tasks see the run directory (`/data` in a container; the host path
   * locally), for a task launched with `light` as given.
   */
  storageRoot(runDir: string, light?: boolean): string;
  /**
   * How many tasks of a run are worth keeping in flight at once (running, or queued by the
   * executor itself), so a bigger cluster gets more work; without it the engine's default.
   */
  slots?(): Promise<number>;
  /**
   * The machines tasks may run on, with their role, labels and devices, for the
   * `executor-capability` rule. Without it the runtime checks nothing against the executor.
   */
  capabilities?(): Promise<ExecutorCapabilities>;
  launch(request: LaunchRequest): Promise<void>;
  cancel(runId: string, key: string): Promise<void>;
  /** Stop and remove everything left of a run (services, containers, processes). */
  cleanupRun(runId: string): Promise<void>;
  /** Task keys of a run still known to the executor (for reconciliation after a restart). */
  listRunTasks(
    runId: string,
  ): Promise<Array<{ key: string; attempt: number; state: 'running' | 'succeeded' | 'failed' }>>;
  onEvent(listener: (event: ExecutorEvent) => void): () => void;
  close(): Promise<void>;
}
