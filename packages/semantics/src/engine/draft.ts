/** The working copy of one engine step, and the small facts every part of a step reads. */
import type { NodeState, TaskState } from './machines.js';
import { pvecEmpty, pvecGet } from './pvec.js';
import type {
  Effect,
  EngineState,
  NodeInfo,
  NodeRuntime,
  Notification,
  TaskCounts,
  TaskRecord,
} from './types.js';

/** A writable view of a readonly record, for the draft's own copies only. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A node runtime being changed inside a step. */
export type EditableNode = Mutable<Omit<NodeRuntime, 'counts'>> & { counts: Mutable<TaskCounts> };

const NO_TASKS: TaskCounts = {
  pending: 0,
  running: 0,
  retrying: 0,
  done: 0,
  failed: 0,
  cancelled: 0,
};
export const ACTIVE_TASK: ReadonlySet<TaskState> = new Set(['pending', 'running', 'retrying']);
export const FINISHED_NODE: ReadonlySet<NodeState> = new Set(['done', 'skipped']);

/** A node before its run starts. */
export function initialNode(): NodeRuntime {
  return {
    state: 'idle',
    tasks: pvecEmpty(),
    cursor: 0,
    counts: NO_TASKS,
    groups: {},
    held: 0,
    stuck: 0,
    emitted: 0,
    closed: false,
  };
}
/** `${nodeId}:${index}` → its parts; node ids may themselves contain colons. */
export function parseTaskKey(key: string): { nodeId: string; index: number } | undefined {
  const colon = key.lastIndexOf(':');
  const index = Number(key.slice(colon + 1));
  return colon > 0 && Number.isInteger(index) && index >= 0
    ? { nodeId: key.slice(0, colon), index }
    : undefined;
}

/**
 * The working copy of one step. Nodes are copied on first write, so the input state is
 * never mutated and unchanged parts are shared with the result.
 */
export class Draft {
  run: Mutable<EngineState['run']>;
  readonly nodes: Record<string, NodeRuntime>;
  requeue: string[];
  inFlight: number;
  riding: number;
  readonly effects: Effect[] = [];
  private readonly owned = new Set<string>();

  constructor(readonly base: EngineState) {
    this.run = base.run;
    this.nodes = { ...base.nodes };
    this.requeue = base.requeue as string[];
    this.inFlight = base.inFlight;
    this.riding = base.riding ?? 0;
  }

  get topology() {
    return this.base.topology;
  }

  info(id: string): NodeInfo {
    return this.base.topology.nodes[id]!;
  }

  node(id: string): NodeRuntime {
    return this.nodes[id]!;
  }

  /** A writable copy of a node's runtime (and its counters), made once per step. */
  edit(id: string): EditableNode {
    if (!this.owned.has(id)) {
      this.owned.add(id);
      const node = this.nodes[id]!;
      this.nodes[id] = { ...node, counts: { ...node.counts } };
    }
    return this.nodes[id] as EditableNode;
  }

  emit(event: Notification): void {
    this.effects.push({ type: 'emit', event });
  }

  result(): { state: EngineState; effects: Effect[] } {
    this.notifyNodes();
    const state: EngineState = {
      ...this.base,
      run: this.run,
      nodes: this.nodes,
      requeue: this.requeue,
      inFlight: this.inFlight,
      ...(this.riding > 0 || this.base.riding !== undefined ? { riding: this.riding } : {}),
    };
    return { state, effects: this.effects };
  }

  /** One `node:state` per node whose state, progress or total changed in this step. */
  private notifyNodes(): void {
    for (const id of this.topology.order) {
      if (!this.owned.has(id)) continue;
      const before = this.base.nodes[id]!;
      const after = this.nodes[id]!;
      const changed =
        before.state !== after.state ||
        doneCount(before) !== doneCount(after) ||
        total(this.info(id), before) !== total(this.info(id), after);
      if (changed) {
        this.emit({
          type: 'node:state',
          nodeId: id,
          state: after.state,
          done: doneCount(after),
          total: total(this.info(id), after),
        });
      }
    }
  }
}

const doneCount = (node: NodeRuntime): number => node.counts.done + node.emitted;

/** How many firings the node will have: known once no more tokens can arrive. */
function total(info: NodeInfo, node: NodeRuntime): number | null {
  if (info.firing === 'source') return 1;
  // A pass-through node's firings are the tokens it passed on.
  return node.closed && node.held === 0 ? node.tasks.size + node.emitted : null;
}

/** The task behind a key in the draft, with its node. */
export function locate(d: Draft, key: string): { nodeId: string; task: TaskRecord } | undefined {
  const parsed = parseTaskKey(key);
  if (!parsed || !d.nodes[parsed.nodeId]) return undefined;
  const task = pvecGet(d.node(parsed.nodeId).tasks, parsed.index);
  return task && { nodeId: parsed.nodeId, task };
}
