/** What the canvas shows of a simulation at one step. */
export interface SimView {
  readonly chunks: number;
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
