/** The public face of the engine: creating a run, `step`, `replay` and state queries. */
import type { Graph, NodeLibrary, Token } from '@reelflow/fbp-model';
import { ACTIVE_TASK, Draft, FINISHED_NODE, initialNode, locate, parseTaskKey } from './draft.js';
import {
  failRun,
  fillCapacity,
  halt,
  launch,
  moveNode,
  moveRun,
  moveTask,
  settleNodes,
  withoutReason,
} from './lifecycle.js';
import { pvecGet, pvecToArray } from './pvec.js';
import { deliver, normalizeOutputs } from './tokens.js';
import { buildTopology } from './topology.js';
import type {
  Effect,
  EngineEvent,
  EngineOptions,
  EngineState,
  NodeRuntime,
  TaskRecord,
} from './types.js';

export { parseTaskKey } from './draft.js';

/** Defaults of `createEngine` options. */
export const ENGINE_DEFAULTS: Readonly<Required<EngineOptions>> = {
  capacity: 8,
  defaultRetries: 2,
  backoffMs: 1000,
  fuse: true,
};

/**
 * A new run of `graph`, in state `queued`. The graph and the firing kinds of its node types
 * are copied in, so the state is self-contained plain data.
 */
export function createEngine(
  graph: Graph,
  library: NodeLibrary,
  options: EngineOptions = {},
): EngineState {
  const resolved: Required<EngineOptions> = {
    capacity: options.capacity ?? ENGINE_DEFAULTS.capacity,
    defaultRetries: options.defaultRetries ?? ENGINE_DEFAULTS.defaultRetries,
    backoffMs: options.backoffMs ?? ENGINE_DEFAULTS.backoffMs,
    fuse: options.fuse ?? ENGINE_DEFAULTS.fuse,
  };
  const topology = buildTopology(graph, library, resolved.defaultRetries, resolved.fuse);
  const nodes: Record<string, NodeRuntime> = {};
  for (const id of topology.order) nodes[id] = initialNode();
  return {
    version: 1,
    options: resolved,
    topology,
    run: { state: 'queued' },
    nodes,
    requeue: [],
    inFlight: 0,
  };
}

/** The task behind a key, if there is one. */
export function getTask(state: EngineState, key: string): TaskRecord | undefined {
  const parsed = parseTaskKey(key);
  const node = parsed && state.nodes[parsed.nodeId];
  return node ? pvecGet(node.tasks, parsed.index) : undefined;
}

/** Every task of a node, in index order. */
export function listTasks(state: EngineState, nodeId: string): TaskRecord[] {
  const node = state.nodes[nodeId];
  return node ? pvecToArray(node.tasks) : [];
}

/** True once the run has ended (it can still leave `failed` through a user retry). */
export function isSettled(state: EngineState): boolean {
  return (
    state.run.state === 'succeeded' ||
    state.run.state === 'failed' ||
    state.run.state === 'cancelled'
  );
}

// ---------------------------------------------------------------------------------------
// Events

/** Start: every source emits its video token; a source without one fails the run. */
function onStart(d: Draft, inputs: Record<string, Token>): void {
  if (!moveRun(d, 'START')) return;
  if (d.topology.cycle) {
    failRun(d, 'the graph has a cycle, so the run could never end; remove the edge that closes it');
    return;
  }
  const sources = d.topology.order.filter((id) => d.info(id).firing === 'source');
  const missing = sources.filter((id) => !inputs[id]);
  if (missing.length > 0) {
    failRun(d, `no input video for source ${missing.join(', ')}`);
    return;
  }
  for (const id of sources) {
    d.edit(id).emitted = 1;
    deliver(d, id, inputs[id]!);
  }
}

function onTaskStarted(d: Draft, key: string): void {
  const found = locate(d, key);
  if (found) moveTask(d, found.nodeId, found.task, 'START');
}

function onTaskSucceeded(d: Draft, key: string, outputs: readonly Token[]): void {
  const found = locate(d, key);
  if (!found || !ACTIVE_TASK.has(found.task.state)) return;
  const tokens = normalizeOutputs(d.info(found.nodeId), found.task, outputs);
  const changes = { launched: false, produced: tokens.length };
  if (!moveTask(d, found.nodeId, withoutReason(found.task), 'SUCCEED', changes)) return;
  for (const token of tokens) deliver(d, found.nodeId, token);
}

/** A failed attempt: retry with backoff while the budget lasts, else fail the run. */
function onTaskFailed(d: Draft, key: string, reason: string): void {
  const found = locate(d, key);
  if (!found || !ACTIVE_TASK.has(found.task.state)) return;
  const { nodeId, task } = found;
  const retriesUsed = task.attempt - task.budgetFrom;
  if (retriesUsed < d.info(nodeId).retries) {
    const retried = moveTask(d, nodeId, task, 'RETRY', { attempt: task.attempt + 1, reason });
    if (retried) launch(d, nodeId, retried, d.base.options.backoffMs * 2 ** retriesUsed);
    return;
  }
  moveTask(d, nodeId, task, 'FAIL', { launched: false, reason });
  moveNode(d, nodeId, 'failed', reason);
  failRun(
    d,
    `task ${key} failed after ${task.attempt - task.budgetFrom + 1} attempt(s): ${reason}`,
  );
}

function onCancel(d: Draft, reason: string | undefined): void {
  if (moveRun(d, 'CANCEL', reason ?? 'cancelled by the user')) halt(d);
}

/**
 * A user retry of a failed node: the run resumes, the node's failed tasks run again with
 * a fresh retry budget, and tasks the failure cut short elsewhere are resumed too (their
 * tokens would otherwise be lost and the run would deadlock). Finished work is kept.
 */
function onRetry(d: Draft, nodeId: string): void {
  const node = d.nodes[nodeId];
  if (!node || node.counts.failed === 0 || !moveRun(d, 'RETRY')) return;
  // The retried node's own tasks go first: they are what the user asked for.
  const retried: string[] = [];
  const interrupted: string[] = [];
  for (const id of d.topology.order) {
    const current = d.node(id).state;
    if (current === 'failed' || current === 'cancelled' || current === 'skipped')
      moveNode(d, id, current === 'skipped' ? 'idle' : 'pending');
    for (const task of pvecToArray(d.node(id).tasks)) {
      const resumable = task.state === 'cancelled' || (task.state === 'failed' && id === nodeId);
      if (!resumable) continue;
      const wasLaunched = task.index < d.node(id).cursor;
      const attempt = wasLaunched ? task.attempt + 1 : task.attempt;
      moveTask(d, id, withoutReason(task), 'RESUME', { attempt, budgetFrom: attempt });
      if (wasLaunched) (id === nodeId ? retried : interrupted).push(task.key);
    }
  }
  d.requeue = [...retried, ...interrupted];
}

/** After a step: nothing in flight and nothing launchable means the run is over. */
function checkQuiescence(d: Draft): void {
  if (d.run.state !== 'running' || d.inFlight > 0 || d.requeue.length > 0) return;
  const order = d.topology.order;
  if (order.every((id) => FINISHED_NODE.has(d.node(id).state))) {
    moveRun(d, 'SUCCEED');
    return;
  }
  const failed = order.find((id) => d.node(id).counts.failed > 0);
  if (failed !== undefined) {
    failRun(d, `node ${failed} failed`);
    return;
  }
  const stuck = order
    .map((nodeId) => {
      const node = d.node(nodeId);
      return { nodeId, tokens: node.held + node.stuck + node.counts.pending };
    })
    .filter((s) => s.tokens > 0 || !FINISHED_NODE.has(d.node(s.nodeId).state));
  const withTokens = stuck.filter((s) => s.tokens > 0);
  d.emit({ type: 'deadlock', stuck: withTokens.length > 0 ? withTokens : stuck });
  const where = (withTokens.length > 0 ? withTokens : stuck)
    .map((s) => `${s.nodeId} (${s.tokens} token(s))`)
    .join(', ');
  if (moveRun(d, 'FAIL', `deadlock: tokens can never be consumed at ${where}`)) {
    halt(d, new Set(withTokens.map((s) => s.nodeId)));
  }
}

function apply(d: Draft, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
      return onStart(d, event.inputs);
    case 'taskStarted':
      return onTaskStarted(d, event.key);
    case 'taskSucceeded':
      return onTaskSucceeded(d, event.key, event.outputs);
    case 'taskFailed':
      return onTaskFailed(d, event.key, event.reason);
    case 'cancel':
      return onCancel(d, event.reason);
    case 'retry':
      return onRetry(d, event.nodeId);
    case 'phase':
      moveRun(d, event.state === 'validating' ? 'VALIDATE' : 'DEPLOY');
      return;
    case 'abort':
      failRun(d, event.reason);
      return;
  }
}

/**
 * The operational semantics: apply one event to a run, returning the next state and the
 * effects a driver must carry out. Pure and deterministic: `state` is never mutated, and
 * the same state and event always give the same result. Events that do not apply (a late
 * report for a cancelled task, a retry of a node that has not failed) change nothing.
 */
export function step(
  state: EngineState,
  event: EngineEvent,
): { state: EngineState; effects: Effect[] } {
  const d = new Draft(state);
  apply(d, event);
  if (d.run.state === 'running') {
    settleNodes(d);
    fillCapacity(d);
    checkQuiescence(d);
  }
  return d.result();
}

/**
 * Rebuild a run from its event log: determinism makes the state after the log the state
 * the run was in. Returns every effect in order too (a driver recovering from a crash
 * compares them with what it already did).
 */
export function replay(
  graph: Graph,
  library: NodeLibrary,
  events: readonly EngineEvent[],
  options?: EngineOptions,
): { state: EngineState; effects: Effect[] } {
  let state = createEngine(graph, library, options);
  const effects: Effect[] = [];
  for (const event of events) {
    const result = step(state, event);
    state = result.state;
    effects.push(...result.effects);
  }
  return { state, effects };
}
