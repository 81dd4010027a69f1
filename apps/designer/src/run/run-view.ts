/** One task of a node in a live run (a chunk for per-chunk nodes). */
export interface TaskView {
  readonly index: number;
  readonly state: string;
  /** 0..1 */
  readonly progress: number;
}

export interface NodeRunView {
  readonly state: string;
  readonly done: number;
  readonly total: number | null;
  readonly tasks: readonly TaskView[];
}

export interface UploadView {
  readonly name: string;
  readonly loaded: number;
  readonly total: number;
  readonly uploadId?: string;
  readonly durationSeconds?: number;
  readonly error?: string;
}

/** The run shown on the canvas, fed by socket.io events batched per animation frame. */
export interface RunView {
  readonly runId?: string;
  /** A run state of CONTRACTS section 5, or `idle` before any run. */
  readonly state: string;
  readonly reason?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly nodes: Readonly<Record<string, NodeRunView>>;
  /** Output files, relative to `/api/runs/:id/outputs/`. */
  readonly outputs: readonly string[];
  /** Live log lines per node, newest last (capped). */
  readonly logs: Readonly<Record<string, readonly string[]>>;
  readonly upload?: UploadView;
}

export const idleRun: RunView = { state: 'idle', nodes: {}, outputs: [], logs: {} };
