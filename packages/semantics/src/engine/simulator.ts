import type {
  Calibration,
  Graph,
  GraphNode,
  MediaInfo,
  NodeLibrary,
  NodeTypeDef,
  Token,
} from '@reelflow/fbp-model';
import {
  DEFAULT_CALIBRATION,
  fusedTaskCost,
  resolveParams,
  taskCost,
  type TaskCost,
} from './cost.js';
import { createEngine, step as engineStep } from './engine.js';
import type {
  Effect,
  EngineEvent,
  EngineOptions,
  EngineState,
  Firing,
  Notification,
} from './types.js';

/** Options of a simulation. */
export interface SimulatorOptions {
  /** Chunks per split firing. Default: from the split's `segments` or `segmentSeconds`, else 10. */
  chunks?: number;
  /** Workers (K) of the list scheduler. Default 1. */
  workers?: number;
  /** Cores per worker (C). Default 2. */
  cores?: number;
  calibration?: Calibration;
  /** The input video of every source. Default 60 s of 1280×720. */
  media?: MediaInfo;
  /** Engine options; capacity defaults to workers × cores, retries to 2, backoff to 1 s. */
  engine?: EngineOptions;
  /** Inject failures: a reason makes that attempt fail (for demos and tests of retries). */
  fail?: (firing: Firing) => string | undefined;
  /** Keep the states needed by `back()`. Default true; off for long headless runs. */
  history?: boolean;
}

/** One completed firing, in completion order. */
export interface SimTraceEntry {
  /** 1-based position in the trace. */
  step: number;
  node: string;
  consumed: number;
  produced: number;
  /** Task key (`node:index`), or the node id for a source. */
  key: string;
  /** Virtual seconds: when the firing started and ended. */
  start: number;
  end: number;
  /** Set when this attempt failed. */
  failed?: string;
}

/** What one `step()` did. */
export type SimStepResult =
  | { kind: 'fired'; entries: SimTraceEntry[] }
  | { kind: 'breakpoint'; nodeId: string; key: string }
  | { kind: 'done'; state: EngineState['run']['state'] };

interface ReadyTask {
  readonly firing: Firing;
  readonly readyAt: number;
}

interface RunningTask {
  readonly firing: Firing;
  readonly worker: number;
  readonly cores: number;
  readonly start: number;
  readonly end: number;
  readonly seq: number;
}

/** The simulator's whole state. Each step works on a fresh copy, so history is a list of references. */
interface SimState {
  readonly engine: EngineState;
  readonly started: boolean;
  readonly clock: number;
  readonly seq: number;
  readonly ready: readonly ReadyTask[];
  readonly running: readonly RunningTask[];
  readonly free: readonly number[];
  /** A firing that already stopped at its breakpoint and may now start. */
  readonly passed: string | null;
  readonly traceLength: number;
}

/** The copy a step works on: the same fields, writable, with arrays of its own. */
type WorkState = { -readonly [K in keyof SimState]: SimState[K] } & {
  ready: ReadyTask[];
  running: RunningTask[];
  free: number[];
};

function workingCopy(state: SimState): WorkState {
  return { ...state, ready: [...state.ready], running: [...state.running], free: [...state.free] };
}

/** A token-passing simulation with virtual time: the designer's debugger and `reelflow simulate`. */
export interface Simulator {
  /** Advance to the next completed firing, or stop at a breakpoint, or report the end. */
  step(): SimStepResult;
  /** Step until the run ends, a breakpoint is hit, `pause()` is called, or `maxSteps` pass. */
  run(maxSteps?: number): SimStepResult;
  /** Make a running `run()` stop after its current step (call it from `onStep`). */
  pause(): void;
  readonly paused: boolean;
  /** Undo the last step; false when at the beginning (or history is off). */
  back(): boolean;
  setBreakpoint(nodeId: string, on?: boolean): void;
  readonly breakpoints: ReadonlySet<string>;
  /** Completed firings so far. */
  readonly trace: readonly SimTraceEntry[];
  /** Virtual seconds since start. */
  readonly time: number;
  readonly engine: EngineState;
  /** Called after every step with the notifications the engine emitted. */
  onStep?: (result: SimStepResult, notifications: Notification[]) => void;
}

const DEFAULT_MEDIA: MediaInfo = { durationSeconds: 60, width: 1280, height: 720 };

/** Per-node facts the simulator looks up on every firing, computed once. */
interface NodeModel {
  readonly node: GraphNode;
  readonly def: NodeTypeDef | undefined;
  readonly params: Record<string, unknown>;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1
    ? Math.floor(value)
    : undefined;
}

/** Chunks a split makes of a video: the given count, else what its parameters imply. */
function chunkCount(options: SimulatorOptions, model: NodeModel, video: Token): number {
  const given = positiveInt(options.chunks);
  if (given !== undefined) return given;
  const segments = positiveInt(model.params.segments);
  if (segments !== undefined) return segments;
  const segmentSeconds = model.params.segmentSeconds;
  const duration = video.durationSeconds;
  if (typeof segmentSeconds === 'number' && segmentSeconds > 0 && duration !== undefined) {
    return Math.max(1, Math.ceil(duration / segmentSeconds));
  }
  return 10;
}

const totalDuration = (tokens: readonly Token[]): number =>
  tokens.reduce((s, t) => s + (t.durationSeconds ?? 0), 0);

/** The tokens a real task of this firing would report: the simulator plays the runtime. */
function syntheticOutputs(options: SimulatorOptions, model: NodeModel, firing: Firing): Token[] {
  const { key, inputs } = firing;
  const first = inputs[0];
  const id = model.node.id;
  switch (model.def?.firing) {
    case 'fanout': {
      const video = first!;
      const count = chunkCount(options, model, video);
      const length = (video.durationSeconds ?? 0) / count;
      return Array.from({ length: count }, (_, i) => ({
        id: `${key}/${i}`,
        dataType: 'chunk' as const,
        path: `${id}/chunk-${String(i).padStart(5, '0')}.ts`,
        durationSeconds: length,
        startSeconds: (video.startSeconds ?? 0) + i * length,
        group: { id: `${id}#${firing.index}`, origin: id, index: i, count },
      }));
    }
    case 'map': {
      if (!first) return [];
      // The task carried out the steps the token brought (filters fused into an encode).
      const { filters: _done, ...rest } = first;
      return [{ ...rest, id: key, path: `${id}/${first.path.split('/').pop() ?? key}` }];
    }
    case 'join':
      return [
        {
          id: key,
          dataType: 'video',
          path: `${id}/${firing.index}.mp4`,
          durationSeconds: totalDuration(inputs),
        },
      ];
    case 'gather': {
      // A gather with an output emits one token of it, as long as its longest input.
      const out = model.def?.ports.find((p) => p.direction === 'out');
      if (!out) return [];
      const longest = Math.max(0, ...inputs.map((t) => t.durationSeconds ?? 0));
      return [
        {
          id: key,
          dataType: out.dataType,
          path: `${id}/${firing.index}.mp4`,
          durationSeconds: longest,
        },
      ];
    }
    default:
      return [];
  }
}

function sourceToken(nodeId: string, media: MediaInfo): Token {
  return { id: nodeId, dataType: 'video', path: `input/${nodeId}.mp4`, ...media };
}

class SimulatorImpl implements Simulator {
  private current: WorkState;
  private readonly history: SimState[] = [];
  private readonly entries: SimTraceEntry[] = [];
  private readonly models: Map<string, NodeModel>;
  private readonly media: MediaInfo;
  private readonly calibration: Calibration;
  private readonly cores: number;
  private isPaused = false;
  private notifications: Notification[] = [];
  readonly breakpoints = new Set<string>();
  onStep?: (result: SimStepResult, notifications: Notification[]) => void;

  constructor(
    graph: Graph,
    library: NodeLibrary,
    private readonly options: SimulatorOptions,
  ) {
    const workers = positiveInt(options.workers) ?? 1;
    this.cores = positiveInt(options.cores) ?? 2;
    this.media = options.media ?? DEFAULT_MEDIA;
    this.calibration = options.calibration ?? DEFAULT_CALIBRATION;
    this.models = new Map(
      graph.nodes.map((node) => {
        const def = library.get(node.type);
        return [node.id, { node, def, params: def ? resolveParams(def, node) : node.params }];
      }),
    );
    const engine = createEngine(graph, library, {
      capacity: workers * this.cores,
      ...options.engine,
    });
    this.current = {
      engine,
      started: false,
      clock: 0,
      seq: 0,
      ready: [],
      running: [],
      free: Array.from({ length: workers }, () => this.cores),
      passed: null,
      traceLength: 0,
    };
  }

  get trace(): readonly SimTraceEntry[] {
    return this.entries;
  }

  get time(): number {
    return this.current.clock;
  }

  get engine(): EngineState {
    return this.current.engine;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  pause(): void {
    this.isPaused = true;
  }

  setBreakpoint(nodeId: string, on = true): void {
    if (on) this.breakpoints.add(nodeId);
    else this.breakpoints.delete(nodeId);
  }

  back(): boolean {
    const previous = this.history.pop();
    if (!previous) return false;
    this.current = workingCopy(previous);
    this.entries.length = previous.traceLength;
    return true;
  }

  run(maxSteps = Number.MAX_SAFE_INTEGER): SimStepResult {
    this.isPaused = false;
    let result: SimStepResult = { kind: 'done', state: this.current.engine.run.state };
    for (let i = 0; i < maxSteps; i++) {
      result = this.step();
      if (result.kind !== 'fired' || this.isPaused) break;
    }
    return result;
  }

  step(): SimStepResult {
    const before: SimState = this.current;
    this.current = workingCopy(before);
    this.notifications = [];
    const result = this.advance();
    // A step that found the run over changed nothing, so there is nothing to go back to.
    if (result.kind !== 'done' && this.options.history !== false) this.history.push(before);
    this.current.traceLength = this.entries.length;
    this.onStep?.(result, this.notifications);
    return result;
  }

  private advance(): SimStepResult {
    if (!this.current.started) return this.begin();
    const runState = this.current.engine.run.state;
    if (runState !== 'running') return { kind: 'done', state: runState };
    const blocked = this.dispatch();
    if (blocked) return blocked;
    return this.completeNext() ?? { kind: 'done', state: this.current.engine.run.state };
  }

  /** Feed an event to the engine and carry out its effects on the virtual cluster. */
  private feed(event: EngineEvent): void {
    const { state, effects } = engineStep(this.current.engine, event);
    this.current.engine = state;
    for (const effect of effects) this.apply(effect);
  }

  private apply(effect: Effect): void {
    const s = this.current;
    switch (effect.type) {
      case 'launch':
        s.ready.push({ firing: effect.firing, readyAt: s.clock + effect.delayMs / 1000 });
        return;
      case 'cancel':
        for (const r of s.running) if (r.firing.key === effect.key) s.free[r.worker]! += r.cores;
        s.ready = s.ready.filter((r) => r.firing.key !== effect.key);
        s.running = s.running.filter((r) => r.firing.key !== effect.key);
        return;
      case 'emit':
        this.notifications.push(effect.event);
        return;
    }
  }

  private begin(): SimStepResult {
    this.current.started = true;
    const sources = [...this.models.values()].filter((m) => m.def?.firing === 'source');
    const inputs = Object.fromEntries(
      sources.map((m) => [m.node.id, sourceToken(m.node.id, this.media)]),
    );
    this.feed({ type: 'start', inputs });
    const entries = sources.map((m) =>
      this.record({ node: m.node.id, key: m.node.id, consumed: 0, produced: 1, start: 0, end: 0 }),
    );
    return { kind: 'fired', entries };
  }

  private record(entry: Omit<SimTraceEntry, 'step'>): SimTraceEntry {
    const full = { step: this.entries.length + 1, ...entry };
    this.entries.push(full);
    return full;
  }

  /**
   * List scheduling: start every ready task, in launch order, on the first worker with
   * enough free cores; a task that does not fit lets later, smaller ones go first.
   */
  private dispatch(): SimStepResult | undefined {
    const s = this.current;
    const candidates = s.ready;
    s.ready = []; // what starting a task makes the engine launch lands here
    const waiting: ReadyTask[] = [];
    let blocked: SimStepResult | undefined;
    for (const ready of candidates) {
      const cost = blocked || ready.readyAt > s.clock ? undefined : this.cost(ready.firing);
      const worker = cost ? s.free.findIndex((f) => f >= cost.cores) : -1;
      if (!cost || worker < 0) {
        waiting.push(ready);
      } else if (this.breakpoints.has(ready.firing.nodeId) && s.passed !== ready.firing.key) {
        s.passed = ready.firing.key;
        blocked = { kind: 'breakpoint', nodeId: ready.firing.nodeId, key: ready.firing.key };
        waiting.push(ready);
      } else {
        this.startTask(ready.firing, worker, cost);
      }
    }
    s.ready = [...waiting, ...s.ready];
    return blocked;
  }

  private startTask(firing: Firing, worker: number, cost: TaskCost): void {
    const s = this.current;
    s.free[worker]! -= cost.cores;
    const end = s.clock + cost.seconds;
    s.running.push({ firing, worker, cores: cost.cores, start: s.clock, end, seq: s.seq });
    s.seq += 1;
    s.passed = null;
    this.feed({ type: 'taskStarted', key: firing.key });
    for (const rider of firing.riders ?? []) this.feed({ type: 'taskStarted', key: rider.key });
  }

  /** Jump virtual time to the next finishing task (or delayed retry) and report it. */
  private completeNext(): SimStepResult | undefined {
    const s = this.current;
    let next: RunningTask | undefined;
    for (const r of s.running) {
      if (!next || r.end < next.end || (r.end === next.end && r.seq < next.seq)) next = r;
    }
    let wake = Infinity;
    for (const r of s.ready) if (r.readyAt > s.clock && r.readyAt < wake) wake = r.readyAt;
    if (wake < (next?.end ?? Infinity)) {
      s.clock = wake;
      return this.advance();
    }
    return next && { kind: 'fired', entries: this.finish(next) };
  }

  /** Finish a task: its trace entry, after those of the fused riders that finish with it. */
  private finish(task: RunningTask): SimTraceEntry[] {
    const s = this.current;
    s.free[task.worker]! += task.cores;
    s.clock = task.end;
    s.running = s.running.filter((r) => r !== task);
    const { firing } = task;
    const entry = {
      node: firing.nodeId,
      key: firing.key,
      consumed: firing.inputs.length,
      start: task.start,
      end: task.end,
    };
    const failure = this.options.fail?.(firing);
    if (failure !== undefined) {
      // One process: when a fused task fails, every node in it fails.
      for (const rider of firing.riders ?? [])
        this.feed({ type: 'taskFailed', key: rider.key, reason: failure });
      this.feed({ type: 'taskFailed', key: firing.key, reason: failure });
      return [this.record({ ...entry, produced: 0, failed: failure })];
    }
    // A fused task's riders finish with it; each keeps its own trace entry.
    const entries = (firing.riders ?? []).map((rider) => {
      const outputs = syntheticOutputs(this.options, this.models.get(rider.nodeId)!, rider);
      this.feed({ type: 'taskSucceeded', key: rider.key, outputs });
      return this.record({
        ...entry,
        node: rider.nodeId,
        key: rider.key,
        produced: outputs.length,
      });
    });
    const outputs = syntheticOutputs(this.options, this.models.get(firing.nodeId)!, firing);
    this.feed({ type: 'taskSucceeded', key: firing.key, outputs });
    return [...entries, this.record({ ...entry, produced: outputs.length })];
  }

  private cost(firing: Firing): TaskCost {
    const model = this.models.get(firing.nodeId);
    if (!model?.def) return { cores: 1, seconds: 0 };
    const filters = firing.inputs[0]?.filters;
    const media: MediaInfo = {
      ...this.media,
      durationSeconds: totalDuration(firing.inputs),
      ...(filters === undefined ? {} : { filters }),
    };
    if (firing.riders?.length) {
      const params = [model, ...firing.riders.map((r) => this.models.get(r.nodeId)!)].map(
        (m) => m.params,
      );
      return fusedTaskCost(model.def, params, media, this.calibration, this.cores);
    }
    return taskCost(model.def, model.params, media, this.calibration, this.cores);
  }
}

/**
 * A simulator of `graph`: it plays the runtime's part (launching tasks on K virtual workers
 * of C cores, making the tokens tasks would make) over the very `step` the runtime uses.
 */
export function createSimulator(
  graph: Graph,
  library: NodeLibrary,
  options: SimulatorOptions = {},
): Simulator {
  return new SimulatorImpl(graph, library, options);
}

/** `reelflow simulate --json` (CONTRACTS section 3). */
export interface SimulationReport {
  trace: Array<{ step: number; node: string; consumed: number; produced: number }>;
  firings: Record<string, number>;
  makespanSeconds: number;
  deadlock: boolean;
}

/** Options of `simulateGraph`, as the command line gives them. */
export interface SimulateGraphOptions {
  chunks?: number;
  workers?: number;
  cores?: number;
  calibration?: Calibration;
  /** Length of the input video. Default 60 s. */
  durationSeconds?: number;
}

/**
 * Simulate a whole run to its end and predict its makespan: the report of
 * `reelflow simulate --json`. A deadlock ends the simulation and sets `deadlock`.
 */
export function simulateGraph(
  graph: Graph,
  library: NodeLibrary,
  options: SimulateGraphOptions = {},
): SimulationReport {
  const media: MediaInfo = {
    ...DEFAULT_MEDIA,
    durationSeconds: options.durationSeconds ?? DEFAULT_MEDIA.durationSeconds,
  };
  let deadlock = false;
  const sim = createSimulator(graph, library, { ...options, media, history: false });
  sim.onStep = (_result, notifications) => {
    if (notifications.some((n) => n.type === 'deadlock')) deadlock = true;
  };
  sim.run();
  const firings: Record<string, number> = Object.fromEntries(graph.nodes.map((n) => [n.id, 0]));
  for (const e of sim.trace) firings[e.node] = (firings[e.node] ?? 0) + 1;
  return {
    trace: sim.trace.map(({ step, node, consumed, produced }) => ({
      step,
      node,
      consumed,
      produced,
    })),
    firings,
    makespanSeconds: sim.time,
    deadlock,
  };
}
