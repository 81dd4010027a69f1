import {
  isTerminalRunState,
  type RunView as WireRunView,
  type ServerEventName,
  type ServerEvents,
} from '@reelflow/fbp-model';
import type { NodeRunView, RunView, TaskView } from './run-view.js';

/** A socket.io event as queued for the next frame. */
export type RunEvent = {
  [K in ServerEventName]: { readonly name: K; readonly payload: ServerEvents[K] };
}[ServerEventName];

const LOG_LINES = 500;
const emptyNode: NodeRunView = { state: 'idle', done: 0, total: null, tasks: [] };

function withTask(node: NodeRunView, index: number, patch: (t: TaskView) => TaskView): NodeRunView {
  const tasks = node.tasks.slice();
  while (tasks.length <= index) tasks.push({ index: tasks.length, state: 'pending', progress: 0 });
  tasks[index] = patch(tasks[index]!);
  return { ...node, tasks };
}

/**
 * Fold a batch of live events into the run view: pure, so one animation frame of events
 * becomes one store update however many arrived.
 */
export function applyRunEvents(view: RunView, events: readonly RunEvent[], now: number): RunView {
  let nodes: Record<string, NodeRunView> | undefined;
  let logs: Record<string, readonly string[]> | undefined;
  let next: RunView = view;
  // Copy-on-first-write: the node map is copied once per batch, not once per event.
  const writable = () => (nodes ??= { ...view.nodes });
  const node = (id: string) => writable()[id] ?? emptyNode;
  for (const ev of events) {
    if (ev.payload.runId !== view.runId) continue;
    switch (ev.name) {
      case 'run:state': {
        const p = ev.payload;
        const { endedAt, reason: _reason, ...rest } = next;
        // A retried run starts moving again: its clock runs again, its old reason is gone.
        next = { ...rest, state: p.state, ...(p.reason ? { reason: p.reason } : {}) };
        if (isTerminalRunState(p.state)) next = { ...next, endedAt: endedAt ?? now };
        break;
      }
      case 'node:state': {
        const p = ev.payload;
        writable()[p.nodeId] = { ...node(p.nodeId), state: p.state, done: p.done, total: p.total };
        break;
      }
      case 'task:state': {
        const p = ev.payload;
        const current = node(p.nodeId);
        writable()[p.nodeId] = withTask(current, p.index, (t) => ({
          ...t,
          state: p.state,
          progress: p.state === 'done' ? 1 : t.progress,
        }));
        break;
      }
      case 'task:progress': {
        const p = ev.payload;
        const current = node(p.nodeId);
        writable()[p.nodeId] = withTask(current, p.index, (t) => ({
          ...t,
          progress: Math.max(t.progress, p.fraction),
        }));
        break;
      }
      case 'log': {
        const p = ev.payload;
        logs ??= { ...view.logs };
        const lines = [...(logs[p.nodeId] ?? []), `[${p.key}] ${p.line}`];
        logs[p.nodeId] = lines.length > LOG_LINES ? lines.slice(-LOG_LINES) : lines;
        break;
      }
    }
  }
  if (nodes) next = { ...next, nodes };
  if (logs) next = { ...next, logs };
  return next;
}

/** The run view of a run fetched over HTTP (`GET /api/runs/:id`). */
export function fromWireRun(wire: WireRunView, previous?: RunView): RunView {
  const nodes: Record<string, NodeRunView> = {};
  for (const [id, n] of Object.entries(wire.nodes)) {
    nodes[id] = {
      state: n.state,
      done: n.done,
      total: n.total,
      tasks: n.tasks.map((t) => ({ index: t.index, state: t.state, progress: t.progress })),
    };
  }
  const created = Date.parse(wire.createdAt);
  const updated = Date.parse(wire.updatedAt);
  return {
    runId: wire.runId,
    state: wire.state,
    ...(wire.reason ? { reason: wire.reason } : {}),
    startedAt: previous?.startedAt ?? (Number.isNaN(created) ? Date.now() : created),
    ...(isTerminalRunState(wire.state)
      ? { endedAt: previous?.endedAt ?? (Number.isNaN(updated) ? Date.now() : updated) }
      : {}),
    nodes,
    outputs: wire.outputs,
    logs: previous?.logs ?? {},
    ...(previous?.upload ? { upload: previous.upload } : {}),
  };
}
