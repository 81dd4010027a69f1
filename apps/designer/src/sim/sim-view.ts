/** What the canvas shows of a simulation at one step. */
export interface SimView {
  readonly chunks: number;
  /** What the prediction assumes: input length, chunks and their origin, machine, calibration. */
  readonly assumptions: SimAssumptions;
  /** The Duration field (seconds), when the person typed one. */
  readonly durationField?: number;
  /** Set when the person typed a chunk count over the split's. */
  readonly chunksOverride?: number;
  readonly workers: number;
  readonly cores: number;
  /** Completed firings so far (trace entries). */
  readonly step: number;
  /** Firings of the whole simulation, known from a headless run at start. */
  readonly total: number;
  /** Virtual seconds so far. */
  readonly time: number;
  readonly playing: boolean;
  readonly finished: boolean;
  readonly deadlock: boolean;
  /** Predicted makespan of the whole run, in virtual seconds. */
  readonly makespanSeconds: number;
  /** Firings so far, per node. */
  readonly fired: Readonly<Record<string, number>>;
  /** Node states of the engine, per node. */
  readonly states: Readonly<Record<string, string>>;
  /** Tokens waiting at each node (pending tasks and chunks held by a join). */
  readonly queued: Readonly<Record<string, number>>;
  /** Tokens waiting on each edge, when its target has one incoming edge. */
  readonly edgeTokens: Readonly<Record<string, number>>;
  /** Edges whose tokens moved in the last step: their dots travel. */
  readonly moving: ReadonlySet<string>;
  /** The node whose firing completed last. */
  readonly current?: string;
  readonly breakpoints: ReadonlySet<string>;
  /** Set when play stopped before a breakpoint node fired. */
  readonly hitBreakpoint?: string;
}

/** Where the simulation's input length came from. */
export type DurationSource = 'upload' | 'field' | 'default';
/** Where the chunk count came from: a split's parameter, the person's override, or the default. */
export type ChunksSource = 'segmentSeconds' | 'segments' | 'override' | 'default';

/** What a prediction assumes, stated next to it (data-testid `sim-assumptions`). */
export interface SimAssumptions {
  readonly durationSeconds: number;
  readonly durationSource: DurationSource;
  readonly chunks: number;
  readonly chunksSource: ChunksSource;
  /** The split whose parameter gave the chunk count. */
  readonly splitNode?: string;
  readonly workers: number;
  readonly cores: number;
  /** The runtime's calibration file, or undefined for the reference calibration. */
  readonly calibrationSource?: string;
}

/** Length assumed when neither an upload nor the Duration field gives one (the CLI's default). */
export const DEFAULT_SIM_SECONDS = 60;
/** Chunks assumed when no split says how to cut (the simulator's default). */
export const DEFAULT_SIM_CHUNKS = 10;

const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;

/**
 * The input length and chunk count a simulation uses: the uploaded input's duration, else the
 * Duration field, else 60 s; the chunk count the person typed, else what the first split's
 * parameters make of that length (`segments`, else ceil(duration / segmentSeconds)).
 * `params(node)` answers a node's parameters with their defaults.
 */
export function simAssumptions(
  splits: readonly { id: string; params: Record<string, unknown> }[],
  input: {
    uploadSeconds?: number;
    durationSeconds?: number;
    chunks?: number;
    workers: number;
    cores: number;
    calibrationSource?: string;
  },
): SimAssumptions {
  const upload = positive(input.uploadSeconds);
  const field = positive(input.durationSeconds);
  const [durationSeconds, durationSource]: [number, DurationSource] =
    upload !== undefined
      ? [upload, 'upload']
      : field !== undefined
        ? [field, 'field']
        : [DEFAULT_SIM_SECONDS, 'default'];
  const base = {
    durationSeconds,
    durationSource,
    workers: input.workers,
    cores: input.cores,
    ...(input.calibrationSource !== undefined
      ? { calibrationSource: input.calibrationSource }
      : {}),
  };
  const override = positive(input.chunks);
  if (override !== undefined)
    return { ...base, chunks: Math.floor(override), chunksSource: 'override' };
  for (const split of splits) {
    const segments = positive(split.params.segments);
    if (segments !== undefined)
      return {
        ...base,
        chunks: Math.floor(segments),
        chunksSource: 'segments',
        splitNode: split.id,
      };
    const segmentSeconds = positive(split.params.segmentSeconds);
    if (segmentSeconds !== undefined)
      return {
        ...base,
        chunks: Math.max(1, Math.ceil(durationSeconds / segmentSeconds)),
        chunksSource: 'segmentSeconds',
        splitNode: split.id,
      };
  }
  return { ...base, chunks: DEFAULT_SIM_CHUNKS, chunksSource: 'default' };
}

const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The assumptions as one line: "60 s input (uploaded), 6 chunks (split: 10 s segments), …". */
export function describeAssumptions(a: SimAssumptions): string {
  const duration = `${trim(a.durationSeconds)} s input${
    a.durationSource === 'upload'
      ? ' (the uploaded video)'
      : a.durationSource === 'default'
        ? ' (assumed; enter a Duration or upload an input)'
        : ''
  }`;
  const chunks = `${a.chunks} chunk${a.chunks === 1 ? '' : 's'} (${
    a.chunksSource === 'override'
      ? 'your override of the split'
      : a.chunksSource === 'segments'
        ? `${a.splitNode}: segments = ${a.chunks}`
        : a.chunksSource === 'segmentSeconds'
          ? `${a.splitNode}: ${trim(a.durationSeconds)} s ÷ segmentSeconds`
          : 'default; no split sets it'
  })`;
  const machine = `${a.workers} worker${a.workers === 1 ? '' : 's'} × ${a.cores} core${a.cores === 1 ? '' : 's'}`;
  const calibration =
    a.calibrationSource !== undefined
      ? 'calibrated on this machine'
      : 'reference calibration (run `reelflow calibrate`)';
  return `${duration}, ${chunks}, ${machine}, ${calibration}`;
}
