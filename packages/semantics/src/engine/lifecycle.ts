/**
 * Lifecycles inside a step: moving runs, nodes and tasks through their machines, creating
 * and launching tasks within capacity, and halting a run that failed or was cancelled.
 */
import type { Token } from '@reelflow/fbp-model';
import {
  nextNodeState,
  nextRunState,
  nextTaskState,
  type NodeEvent,
  type NodeState,
  type RunEvent,
  type TaskEvent,
} from './machines.js';
import { pvecGet, pvecPush, pvecSet, pvecToArray } from './pvec.js';
import { ACTIVE_TASK, FINISHED_NODE, locate, type Draft } from './draft.js';
import type { Firing, NodeInfo, NodeRuntime, Notification, TaskRecord } from './types.js';

// ---------------------------------------------------------------------------------------
// Runs

/** Move the run through its machine, announcing the change; false when not allowed. */
export function moveRun(d: Draft, event: RunEvent, reason?: string): boolean {
  const next = nextRunState(d.run.state, event);
  if (next === null) return false;
  d.run = reason === undefined ? { state: next } : { state: next, reason };
  d.emit(
    reason === undefined
      ? { type: 'run:state', state: next }
      : { type: 'run:state', state: next, reason },
  );
  return true;
}

/** Fail the run (if it may fail now) and halt everything in it. */
export function failRun(d: Draft, reason: string): void {
  if (moveRun(d, 'FAIL', reason)) halt(d);
}

/**
 * Stop everything after a failure or a cancel: every active task is cancelled (with a
 * cancel effect when the driver has it), and each unfinished node is marked failed,
 * cancelled (it had work) or skipped (it never had any).
 */
export function halt(d: Draft, stuckNodes: ReadonlySet<string> = new Set()): void {
  for (const id of d.topology.order) {
    cancelActiveTasks(d, id);
    const node = d.node(id);
    if (FINISHED_NODE.has(node.state) || node.state === 'failed' || node.state === 'cancelled')
      continue;
    if (node.counts.failed > 0 || stuckNodes.has(id)) moveNode(d, id, 'failed');
    else if (node.state === 'idle') moveNode(d, id, 'skipped');
    else moveNode(d, id, 'cancelled');
  }
  d.requeue = [];
}

function cancelActiveTasks(d: Draft, nodeId: string): void {
  const node = d.node(nodeId);
  if (node.counts.pending + node.counts.running + node.counts.retrying === 0) return;
  for (const task of pvecToArray(node.tasks)) {
    if (!ACTIVE_TASK.has(task.state)) continue;
    if (task.launched) d.effects.push({ type: 'cancel', key: task.key });
    moveTask(d, nodeId, task, 'CANCEL', { launched: false });
  }
}

// ---------------------------------------------------------------------------------------
// Nodes

/** The machine event that takes a node from one state to another. */
function nodeEvent(from: NodeState, to: NodeState): NodeEvent {
  switch (to) {
    case 'pending':
      return from === 'idle'
        ? 'TOKEN'
        : from === 'failed' || from === 'cancelled'
          ? 'RESUME'
          : 'WAIT';
    case 'running':
      return 'START';
    case 'retrying':
      return 'RETRY_TASK';
    case 'done':
      return 'COMPLETE';
    case 'failed':
      return 'FAIL';
    case 'cancelled':
      return 'CANCEL';
    case 'skipped':
      return 'SKIP';
    case 'idle':
      return 'RESUME';
  }
}

/** Move a node through its machine; an idle node passes through `pending` on its way. */
export function moveNode(d: Draft, id: string, to: NodeState, reason?: string): void {
  const from = d.node(id).state;
  if (from === to) return;
  let next = nextNodeState(from, nodeEvent(from, to));
  if (next === null && from === 'idle') {
    const pending = nextNodeState(from, 'TOKEN');
    next = pending && nextNodeState(pending, nodeEvent(pending, to));
  }
  if (next === null) return;
  const node = d.edit(id);
  node.state = next;
  if (reason !== undefined) node.reason = reason;
}

/** The state a node's counters call for while the run is running. */
function desiredNodeState(info: NodeInfo, node: NodeRuntime): NodeState {
  const { counts } = node;
  if (counts.failed > 0) return 'failed';
  if (counts.retrying > 0) return 'retrying';
  if (counts.running > 0) return 'running';
  if (counts.pending + counts.cancelled + node.held + node.stuck > 0) return 'pending';
  if (node.closed) return node.tasks.size > 0 || node.emitted > 0 ? 'done' : 'skipped';
  return node.state === 'idle' || node.tasks.size === 0 ? 'idle' : 'pending';
}

/**
 * Bring every node in line with its counters, in topological order so a node finishing
 * closes its successors in the same pass.
 */
export function settleNodes(d: Draft): void {
  for (const id of d.topology.order) {
    const info = d.info(id);
    if (!d.node(id).closed && info.predecessors.every((p) => FINISHED_NODE.has(d.node(p).state))) {
      d.edit(id).closed = true;
    }
    moveNode(d, id, desiredNodeState(info, d.node(id)));
  }
}

// ---------------------------------------------------------------------------------------
// Tasks

function writeTask(d: Draft, nodeId: string, task: TaskRecord): void {
  const node = d.edit(nodeId);
  node.tasks = pvecSet(node.tasks, task.index, task);
}

function taskNotification(nodeId: string, task: TaskRecord): Notification {
  const base = {
    type: 'task:state' as const,
    key: task.key,
    nodeId,
    index: task.index,
    state: task.state,
    attempt: task.attempt,
  };
  return task.reason === undefined ? base : { ...base, reason: task.reason };
}

/** Move a task through its machine, keeping the node's counters; null when not allowed. */
export function moveTask(
  d: Draft,
  nodeId: string,
  task: TaskRecord,
  event: TaskEvent,
  changes: Partial<TaskRecord> = {},
): TaskRecord | null {
  const next = nextTaskState(task.state, event);
  if (next === null) return null;
  let moved: TaskRecord = { ...task, ...changes, state: next };
  if (task.launched && !moved.launched) {
    d.inFlight -= 1;
    if (task.rider) {
      d.riding -= 1;
      const { rider: _rider, ...rest } = moved;
      moved = rest;
    }
  }
  const node = d.edit(nodeId);
  node.counts[task.state] -= 1;
  node.counts[next] += 1;
  writeTask(d, nodeId, moved);
  d.emit(taskNotification(nodeId, moved));
  return moved;
}

/** The task without the reason of an earlier failure (a success or a resume clears it). */
export function withoutReason(task: TaskRecord): TaskRecord {
  const { reason: _reason, ...rest } = task;
  return rest;
}

/** A new task of a node, waiting for capacity (it launches in index order). */
export function createTask(d: Draft, nodeId: string, inputs: Token[]): void {
  const node = d.edit(nodeId);
  const index = node.tasks.size;
  const task: TaskRecord = {
    key: `${nodeId}:${index}`,
    index,
    inputs,
    state: 'pending',
    attempt: 1,
    budgetFrom: 1,
    launched: false,
  };
  node.tasks = pvecPush(node.tasks, task);
  node.counts.pending += 1;
  d.emit(taskNotification(nodeId, task));
}

function firingOf(d: Draft, nodeId: string, task: TaskRecord): Firing {
  return {
    key: task.key,
    nodeId,
    index: task.index,
    inputs: task.inputs,
    attempt: task.attempt,
    nodeType: d.info(nodeId).type,
  };
}

/**
 * Hand a task to the driver; it counts against capacity until it finishes. `riders` are
 * tasks of fused sibling nodes launched inside it: in flight, but taking no capacity.
 */
export function launch(
  d: Draft,
  nodeId: string,
  task: TaskRecord,
  delayMs: number,
  riders: readonly { nodeId: string; task: TaskRecord }[] = [],
): void {
  if (!task.launched) d.inFlight += 1;
  else if (task.rider) d.riding -= 1; // a rider relaunched on its own (a retry) takes capacity
  const { rider: _rider, ...own } = task;
  writeTask(d, nodeId, { ...own, launched: true });
  const firing = firingOf(d, nodeId, task);
  for (const r of riders) {
    d.inFlight += 1;
    d.riding += 1;
    writeTask(d, r.nodeId, { ...r.task, launched: true, rider: true });
  }
  if (riders.length > 0) firing.riders = riders.map((r) => firingOf(d, r.nodeId, r.task));
  d.effects.push({ type: 'launch', firing, delayMs });
}

/**
 * The waiting first attempts of a task's fused siblings for the same token: each sibling
 * was given the same tokens in the same order, so its task of the same index has them.
 */
function ridersOf(
  d: Draft,
  nodeId: string,
  task: TaskRecord,
): { nodeId: string; task: TaskRecord }[] {
  const group = d.info(nodeId).fusion;
  if (!group || task.attempt !== 1 || task.inputs.length !== 1) return [];
  return group.flatMap((sibling) => {
    if (sibling === nodeId) return [];
    const other = pvecGet(d.node(sibling).tasks, task.index);
    const fits =
      other !== undefined &&
      other.state === 'pending' &&
      !other.launched &&
      other.attempt === 1 &&
      other.inputs.length === 1 &&
      other.inputs[0]!.id === task.inputs[0]!.id;
    return fits ? [{ nodeId: sibling, task: other }] : [];
  });
}

/** The next task waiting for capacity: resumed tasks first, then the deepest node's. */
function nextWaiting(d: Draft): { nodeId: string; task: TaskRecord } | undefined {
  while (d.requeue.length > 0) {
    const [key, ...rest] = d.requeue;
    d.requeue = rest;
    const found = key === undefined ? undefined : locate(d, key);
    if (found && found.task.state === 'pending' && !found.task.launched) return found;
  }
  for (const nodeId of d.topology.launchOrder) {
    let node = d.node(nodeId);
    while (node.cursor < node.tasks.size) {
      const task = pvecGet(node.tasks, node.cursor)!;
      d.edit(nodeId).cursor += 1;
      node = d.node(nodeId);
      if (task.state === 'pending' && !task.launched) return { nodeId, task };
    }
  }
  return undefined;
}

/** Launch waiting tasks while the run is running and capacity allows. */
export function fillCapacity(d: Draft): void {
  if (d.run.state !== 'running') return;
  while (d.inFlight - d.riding < d.base.options.capacity) {
    const next = nextWaiting(d);
    if (!next) return;
    launch(d, next.nodeId, next.task, 0, ridersOf(d, next.nodeId, next.task));
  }
}
