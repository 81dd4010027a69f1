import type { FilterStep, FiringKind, Token } from '@reelflow/fbp-model';
import type { NodeState, RunState, TaskState } from './machines.js';
import type { PVec } from './pvec.js';

/** One unit of work the engine asks its driver (runtime or simulator) to carry out. */
export interface Firing {
  /** `${nodeId}:${index}`, stable across attempts. */
  key: string;
  nodeId: string;
  /** Index of the firing on its node: chunk order for per-token nodes, group order for joins. */
  index: number;
  /** Tokens consumed: one for map/fanout/sink, the whole group in index order for a join. */
  inputs: Token[];
  /** 1 for the first attempt; grows with every automatic or user retry. */
  attempt: number;
  /** The node's type, so a driver need not look it up. */
  nodeType: string;
  /**
   * Firings of sibling nodes fused into this one (same input token, same node type with a
   * `fusion`): one task does the work of all, and the driver reports each key's outcome.
   */
  riders?: Firing[];
}

/** What happens to a run, fed to `step` in the order it happened. */
export type EngineEvent =
  | { type: 'start'; inputs: Record<string, Token> /* source node id -> its video token */ }
  | { type: 'taskStarted'; key: string }
  | { type: 'taskSucceeded'; key: string; outputs: Token[] }
  | { type: 'taskFailed'; key: string; reason: string }
  | { type: 'cancel'; reason?: string }
  | { type: 'retry'; nodeId: string }
  /** Optional phases before `start`, for a runtime that validates and deploys first. */
  | { type: 'phase'; state: 'validating' | 'deploying' }
  /** The run could not get going (invalid graph, deployment error) before `start`. */
  | { type: 'abort'; reason: string };

/** What the driver must do after a step. The engine never does it itself. */
export type Effect =
  | { type: 'launch'; firing: Firing; delayMs: number }
  | { type: 'cancel'; key: string }
  | { type: 'emit'; event: Notification };

/** Observable changes, shaped like the runtime's socket.io events (CONTRACTS section 5). */
export type Notification =
  | { type: 'run:state'; state: RunState; reason?: string }
  | { type: 'node:state'; nodeId: string; state: NodeState; done: number; total: number | null }
  | {
      type: 'task:state';
      key: string;
      nodeId: string;
      index: number;
      state: TaskState;
      attempt: number;
      reason?: string;
    }
  | { type: 'deadlock'; stuck: Array<{ nodeId: string; tokens: number }> }
  /** An incremental merge holds chunks 0..ready-1 of a group: that prefix can be played. */
  | { type: 'merge:prefix'; nodeId: string; groupId: string; ready: number; count: number }
  /** A token reached a node that cannot take it (no group at a join, unknown node type). */
  | { type: 'token:stuck'; nodeId: string; tokenId: string; reason: string };

export interface EngineOptions {
  /** Most tasks launched and not finished at once, across the run. Default 8. */
  capacity?: number;
  /** Automatic retries of a failed task when its node has no `params.retries`. Default 2. */
  defaultRetries?: number;
  /** First retry delay; each further retry doubles it. Default 1000. */
  backoffMs?: number;
  /** Launch sibling tasks of fusible node types as one task (decode once). Default true. */
  fuse?: boolean;
}

/** The static part of a node, copied from the graph and library at creation. */
export interface NodeInfo {
  readonly id: string;
  readonly type: string;
  /** null when the library does not know the type: tokens reaching it are stuck. */
  readonly firing: FiringKind | null;
  readonly predecessors: readonly string[];
  /** One entry per outgoing edge, so a node feeding a node twice delivers twice. */
  readonly successors: readonly string[];
  /**
   * For each outgoing edge (parallel to `successors`), its place among the target's incoming
   * edges: the slot a gather holds its tokens in. Absent in states saved before gathers.
   */
  readonly targetSlots?: readonly number[];
  /**
   * Outgoing edges (indexes into `successors`) grouped into lanes: edges whose chunks meet
   * again at the same join are parallel lanes of one stream, and a chunk takes exactly one
   * of them (`group.index mod lanes`); separate lane groups each get every token.
   */
  readonly lanes: readonly (readonly number[])[];
  readonly retries: number;
  readonly incremental: boolean;
  /**
   * Set for a pass-through node (`NodeTypeDef.passThrough`): no task; each token goes on at
   * once with this step appended to its `filters`.
   */
  readonly passThrough?: FilterStep;
  /**
   * Sibling nodes fused with this one, itself included, in graph order: same type (with a
   * `fusion`), each fed only by one edge from the same node and each given every token.
   */
  readonly fusion?: readonly string[];
}

/** The graph as the engine needs it: plain data, so the state is self-contained. */
export interface Topology {
  readonly nodes: Readonly<Record<string, NodeInfo>>;
  /** Topological order (settling walks it so completions cascade in one pass). */
  readonly order: readonly string[];
  /** Launch preference: deepest nodes first, so chunks flow through before new ones start. */
  readonly launchOrder: readonly string[];
  /** Set when the graph has a cycle: such a run fails at start instead of never ending. */
  readonly cycle: boolean;
}

/** One task: a firing and where it is in its lifecycle. */
export interface TaskRecord {
  readonly key: string;
  readonly index: number;
  readonly inputs: Token[];
  readonly state: TaskState;
  readonly attempt: number;
  /** Attempt number the current retry budget counts from (a user retry resets the budget). */
  readonly budgetFrom: number;
  /** Handed to the driver and not yet finished (counts against capacity). */
  readonly launched: boolean;
  /** Launched inside another node's fused task: in flight, but holding no capacity of its own. */
  readonly rider?: boolean;
  readonly reason?: string;
  /** Tokens the task produced (for the trace). */
  readonly produced?: number;
}

/** Chunks of one group held by a join until the group is complete. */
export interface JoinGroup {
  readonly id: string;
  readonly count: number;
  readonly received: number;
  /** Slot per chunk index; null until that chunk arrives. */
  readonly tokens: PVec<Token | null>;
  /** Length of the contiguous prefix of arrived chunks (for incremental merges). */
  readonly prefix: number;
}

/** Per-task-state counts of one node, kept so node states never need a scan. */
export type TaskCounts = Readonly<Record<TaskState, number>>;

/** The live part of a node. */
export interface NodeRuntime {
  readonly state: NodeState;
  readonly tasks: PVec<TaskRecord>;
  /** Tasks with an index below this have been handed to the driver at least once. */
  readonly cursor: number;
  readonly counts: TaskCounts;
  /** Join groups still incomplete, by group id. */
  readonly groups: Readonly<Record<string, JoinGroup>>;
  /** Tokens held in incomplete groups, or waiting in a gather's slots. */
  readonly held: number;
  /**
   * A gather's tokens waiting for the other incoming edges: per slot (incoming edge index),
   * in arrival order. Absent until a gather holds a token.
   */
  readonly slots?: Readonly<Record<string, readonly Token[]>>;
  /** Tokens that reached this node and can never be consumed. */
  readonly stuck: number;
  /** Tokens a source emitted (0 or 1), or a pass-through node passed on. */
  readonly emitted: number;
  /** Set once every predecessor is done: no more tokens will arrive. */
  readonly closed: boolean;
  readonly reason?: string;
}

/**
 * Everything about a run, as plain JSON-safe data: `JSON.parse(JSON.stringify(state))`
 * is an equal state, so a runtime can persist it and carry on after a crash.
 */
export interface EngineState {
  readonly version: 1;
  readonly options: Required<EngineOptions>;
  readonly topology: Topology;
  readonly run: { readonly state: RunState; readonly reason?: string };
  readonly nodes: Readonly<Record<string, NodeRuntime>>;
  /** Keys of resumed tasks waiting for capacity, launched before new work. */
  readonly requeue: readonly string[];
  /** Launched tasks not yet finished. */
  readonly inFlight: number;
  /** Of those, riders of a fused task (they take no capacity). Absent in older states. */
  readonly riding?: number;
}
