import type { ElementState, RunState } from '@reelflow/fbp-model';
import { setup, transition, type AnyStateMachine } from 'xstate';

/** Run states (CONTRACTS section 5), as the wire protocol defines them. */
export type { RunState } from '@reelflow/fbp-model';
/** Node states (CONTRACTS section 5): the protocol's element states. */
export type NodeState = ElementState;
/** Task states: the node states minus `idle`/`skipped`, which only a node can be in. */
export type TaskState = Exclude<NodeState, 'idle' | 'skipped'>;

export type RunEvent = 'VALIDATE' | 'DEPLOY' | 'START' | 'SUCCEED' | 'FAIL' | 'CANCEL' | 'RETRY';
export type NodeEvent =
  'TOKEN' | 'START' | 'WAIT' | 'RETRY_TASK' | 'COMPLETE' | 'FAIL' | 'CANCEL' | 'SKIP' | 'RESUME';
export type TaskEvent = 'START' | 'SUCCEED' | 'RETRY' | 'FAIL' | 'CANCEL' | 'RESUME';

/**
 * The run lifecycle. A run may skip `validating`/`deploying` (the simulator has nothing to
 * deploy). `failed` is not final: a user retry of the failed node resumes the run.
 */
export const runMachine = setup({ types: { events: {} as { type: RunEvent } } }).createMachine({
  id: 'run',
  initial: 'queued',
  states: {
    queued: {
      on: {
        VALIDATE: 'validating',
        DEPLOY: 'deploying',
        START: 'running',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    validating: {
      on: { DEPLOY: 'deploying', START: 'running', FAIL: 'failed', CANCEL: 'cancelled' },
    },
    deploying: { on: { START: 'running', FAIL: 'failed', CANCEL: 'cancelled' } },
    running: { on: { SUCCEED: 'succeeded', FAIL: 'failed', CANCEL: 'cancelled' } },
    failed: { on: { RETRY: 'running' } },
    succeeded: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/**
 * The node lifecycle. `failed`, `cancelled` and `skipped` resume when a failed run is
 * retried (work cut short by the failure must be able to continue); `done` is final.
 */
export const nodeMachine = setup({ types: { events: {} as { type: NodeEvent } } }).createMachine({
  id: 'node',
  initial: 'idle',
  states: {
    idle: {
      on: {
        TOKEN: 'pending',
        COMPLETE: 'done',
        SKIP: 'skipped',
        CANCEL: 'skipped',
        FAIL: 'failed',
      },
    },
    pending: {
      on: {
        START: 'running',
        RETRY_TASK: 'retrying',
        COMPLETE: 'done',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    running: {
      on: {
        WAIT: 'pending',
        RETRY_TASK: 'retrying',
        COMPLETE: 'done',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    retrying: {
      on: {
        START: 'running',
        WAIT: 'pending',
        COMPLETE: 'done',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    failed: { on: { RESUME: 'pending' } },
    cancelled: { on: { RESUME: 'pending' } },
    skipped: { on: { RESUME: 'idle' } },
    done: { type: 'final' },
  },
});

/**
 * The task lifecycle. A task may succeed or fail without a `taskStarted` having been seen
 * (a runtime polling a fast container can miss the running phase).
 */
export const taskMachine = setup({ types: { events: {} as { type: TaskEvent } } }).createMachine({
  id: 'task',
  initial: 'pending',
  states: {
    pending: {
      on: {
        START: 'running',
        SUCCEED: 'done',
        RETRY: 'retrying',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    running: { on: { SUCCEED: 'done', RETRY: 'retrying', FAIL: 'failed', CANCEL: 'cancelled' } },
    retrying: {
      on: {
        START: 'running',
        SUCCEED: 'done',
        RETRY: 'retrying',
        FAIL: 'failed',
        CANCEL: 'cancelled',
      },
    },
    failed: { on: { RESUME: 'pending' } },
    cancelled: { on: { RESUME: 'pending' } },
    done: { type: 'final' },
  },
});

// The machines are flat and carry no context, so (state, event) -> next state is a finite
// table. Memoising XState's own pure `transition` keeps it the single source of truth for
// legality while a step costs a map lookup instead of a snapshot resolution (~20 µs).
const tables = new Map<AnyStateMachine, Map<string, string | null>>();

function lookup(machine: AnyStateMachine, from: string, event: string): string | null {
  let table = tables.get(machine);
  if (!table) {
    table = new Map();
    tables.set(machine, table);
  }
  const cacheKey = `${from}\u0000${event}`;
  let next = table.get(cacheKey);
  if (next === undefined) {
    const snapshot = machine.resolveState({ value: from, context: {} });
    // A self-transition (a retrying task failing again) leaves the value unchanged, so
    // legality is read from the enabled transitions, not from a change of value.
    const enabled = machine.getTransitionData(snapshot, { type: event }).length > 0;
    next = enabled ? String(transition(machine, snapshot, { type: event })[0].value) : null;
    table.set(cacheKey, next);
  }
  return next;
}

/** The run state after `event`, or null when the machine does not allow it. */
export const nextRunState = (from: RunState, event: RunEvent): RunState | null =>
  lookup(runMachine, from, event) as RunState | null;
/** The node state after `event`, or null when the machine does not allow it. */
export const nextNodeState = (from: NodeState, event: NodeEvent): NodeState | null =>
  lookup(nodeMachine, from, event) as NodeState | null;
/** The task state after `event`, or null when the machine does not allow it. */
export const nextTaskState = (from: TaskState, event: TaskEvent): TaskState | null =>
  lookup(taskMachine, from, event) as TaskState | null;
