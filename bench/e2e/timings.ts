/**
 * Where a run's wall time went, from the runtime's own event log (the `events` table of its
 * SQLite database: every `task:state` and `run:state` notification with its time).
 */

/** One stored event: its ISO time, type and payload. */
export interface StoredEvent {
  readonly at: string;
  readonly type: string;
  readonly payload: {
    state?: string;
    nodeId?: string;
    key?: string;
    attempt?: number;
  };
}

/** A task's time on the wall clock, in ms since the epoch. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface RunTimings {
  /** From the run's first `running` state (else its first event) to its last state. */
  readonly runSeconds: number;
  /** Per node type: task count, summed task seconds, and the union of its tasks' intervals. */
  readonly byType: Record<string, { tasks: number; taskSeconds: number; busySeconds: number }>;
  /** Share of the run during which no encode task was running: what chunking costs on the wall. */
  readonly nonEncodeShare: number;
}

/** Total length of the union of intervals (overlaps counted once). */
export function unionSeconds(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let cur: Interval | undefined;
  for (const iv of sorted) {
    if (!cur || iv.start > cur.end) {
      if (cur) total += cur.end - cur.start;
      cur = { ...iv };
    } else if (iv.end > cur.end) {
      cur = { start: cur.start, end: iv.end };
    }
  }
  if (cur) total += cur.end - cur.start;
  return total / 1000;
}

/**
 * Each task's interval from its first `running` to its `done` (the successful attempt; a
 * retried task counts from its first start, since the retry is part of its cost).
 */
export function taskIntervals(
  events: readonly StoredEvent[],
): Map<string, Interval & { nodeId: string }> {
  const started = new Map<string, number>();
  const out = new Map<string, Interval & { nodeId: string }>();
  for (const e of events) {
    if (e.type !== 'task:state' || !e.payload.key || !e.payload.nodeId) continue;
    const t = Date.parse(e.at);
    if (e.payload.state === 'running' && !started.has(e.payload.key)) started.set(e.payload.key, t);
    if (e.payload.state === 'done') {
      const start = started.get(e.payload.key) ?? t;
      out.set(e.payload.key, { start, end: t, nodeId: e.payload.nodeId });
    }
  }
  return out;
}

/** The run's interval: first `running` run state to the last run state. */
function runInterval(events: readonly StoredEvent[]): Interval | undefined {
  const runStates = events.filter((e) => e.type === 'run:state');
  if (events.length === 0) return undefined;
  const running = runStates.find((e) => e.payload.state === 'running') ?? events[0]!;
  const last = runStates.at(-1) ?? events.at(-1)!;
  return { start: Date.parse(running.at), end: Date.parse(last.at) };
}

/** Summarize a run's events; `nodeTypes` maps node id → node type. */
export function runTimings(
  events: readonly StoredEvent[],
  nodeTypes: Readonly<Record<string, string>>,
): RunTimings | undefined {
  const run = runInterval(events);
  if (!run) return undefined;
  const groups = new Map<string, Interval[]>();
  for (const iv of taskIntervals(events).values()) {
    const type = nodeTypes[iv.nodeId] ?? iv.nodeId;
    groups.set(type, [...(groups.get(type) ?? []), iv]);
  }
  const byType = Object.fromEntries(
    [...groups].map(([type, ivs]) => [
      type,
      {
        tasks: ivs.length,
        taskSeconds: ivs.reduce((s, iv) => s + (iv.end - iv.start) / 1000, 0),
        busySeconds: unionSeconds(ivs),
      },
    ]),
  );
  const runSeconds = (run.end - run.start) / 1000;
  const encodeBusy = byType.encode?.busySeconds ?? 0;
  return {
    runSeconds,
    byType,
    nonEncodeShare: runSeconds > 0 ? Math.max(0, runSeconds - encodeBusy) / runSeconds : 0,
  };
}
