import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunObserver } from '../runs/orchestrator.js';
import type { Store } from '../store/store.js';
import { RUN_STATES } from '@reelflow/fbp-model';

/** The runtime's Prometheus metrics, on a registry of its own (several runtimes may share a process in tests). */
export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly observer: RunObserver;
}

export function createMetrics(store: Store): RuntimeMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'reelflow_runs',
    help: 'Runs by state, as stored.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(RUN_STATES.map((s) => [s, 0]));
      const rows = store.db
        .prepare('SELECT state, COUNT(*) AS n FROM runs GROUP BY state')
        .all() as { state: string; n: number }[];
      for (const r of rows) counts.set(r.state, r.n);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  const runTransitions = new Counter({
    name: 'reelflow_run_transitions_total',
    help: 'Run state changes made by this process.',
    labelNames: ['state'],
    registers: [registry],
  });
  const tasks = new Counter({
    name: 'reelflow_tasks_total',
    help: 'Tasks finished, by node type and outcome.',
    labelNames: ['node_type', 'state'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'reelflow_task_duration_seconds',
    help: 'Seconds a task ran in its executor, by node type.',
    labelNames: ['node_type'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'reelflow_bytes_moved_total',
    help: 'Bytes moved by transfer tasks, by node.',
    labelNames: ['node'],
    registers: [registry],
  });
  return {
    registry,
    observer: {
      runState: (_runId, state) => runTransitions.inc({ state }),
      taskFinished: (nodeType, state, seconds) => {
        tasks.inc({ node_type: nodeType, state });
        if (state === 'done') durations.observe({ node_type: nodeType }, seconds);
      },
      bytesMoved: (node, n) => bytes.inc({ node }, n),
    },
  };
}
