import { z } from 'zod';
import { calibrationSchema, type Calibration, type Graph } from '@reelflow/fbp-model';
import type { SimStepResult, Simulator } from '@reelflow/semantics';
import { api, ApiError, errorMessage } from '../api.js';
import type { DesignerServices } from '../model/services.js';
import type { DesignerStore } from '../store/store.js';
import { simAssumptions, type SimAssumptions, type SimView } from './sim-view.js';

export interface SimSettings {
  /** Chunks over what the split's parameters imply; undefined follows the split. */
  readonly chunks?: number;
  readonly workers: number;
  readonly cores: number;
  /** Input length in seconds when no input is uploaded; undefined assumes 60 s. */
  readonly durationSeconds?: number;
}

/** `GET /api/calibration`: the runtime's calibration file and its contents. */
const CalibrationResponseSchema = z.object({ source: z.string(), calibration: calibrationSchema });

/** Drives the semantics' simulator from the toolbar: the designer's debugger. */
export interface SimController {
  start(): void;
  stop(): void;
  step(): void;
  back(): void;
  play(): void;
  pause(): void;
  reset(): void;
  toggleBreakpoint(nodeId: string): void;
  configure(settings: Partial<SimSettings>): void;
  dispose(): void;
}

const PLAY_INTERVAL_MS = 280;

/**
 * Derive what the canvas shows from the simulator: firing counts from the trace, states and
 * queues from the engine state, and which edges carried tokens in the last step.
 */
export function simViewOf(
  graph: Graph,
  sim: Simulator,
  base: Pick<
    SimView,
    | 'chunks'
    | 'assumptions'
    | 'durationField'
    | 'chunksOverride'
    | 'workers'
    | 'cores'
    | 'total'
    | 'makespanSeconds'
    | 'deadlock'
    | 'breakpoints'
    | 'playing'
  >,
  last: SimStepResult | undefined,
): SimView {
  const fired: Record<string, number> = {};
  for (const entry of sim.trace) fired[entry.node] = (fired[entry.node] ?? 0) + 1;
  const states: Record<string, string> = {};
  const queued: Record<string, number> = {};
  for (const node of graph.nodes) {
    const rt = sim.engine.nodes[node.id];
    fired[node.id] ??= 0;
    states[node.id] = rt?.state ?? 'idle';
    queued[node.id] = rt ? rt.counts.pending + rt.held : 0;
  }
  const producers = new Set(
    last?.kind === 'fired' ? last.entries.filter((e) => e.produced > 0).map((e) => e.node) : [],
  );
  const incoming = new Map<string, number>();
  for (const e of graph.edges) incoming.set(e.to.node, (incoming.get(e.to.node) ?? 0) + 1);
  const edgeTokens: Record<string, number> = {};
  const moving = new Set<string>();
  for (const e of graph.edges) {
    if (producers.has(e.from.node)) moving.add(e.id);
    if (incoming.get(e.to.node) === 1) edgeTokens[e.id] = queued[e.to.node] ?? 0;
  }
  const lastEntry = last?.kind === 'fired' ? last.entries.at(-1) : undefined;
  const runState = sim.engine.run.state;
  return {
    ...base,
    step: sim.trace.length,
    time: sim.time,
    finished:
      last?.kind === 'done' ||
      runState === 'succeeded' ||
      runState === 'failed' ||
      runState === 'cancelled',
    fired,
    states,
    queued,
    edgeTokens,
    moving,
    ...(lastEntry ? { current: lastEntry.node } : {}),
    ...(last?.kind === 'breakpoint' ? { hitBreakpoint: last.nodeId } : {}),
  };
}

export function createSimController(
  store: DesignerStore,
  services: DesignerServices,
): SimController {
  let sim: Simulator | undefined;
  let timer: number | undefined;
  let settings: SimSettings = { workers: 2, cores: 2 };
  /** The runtime's calibration, once asked; undefined simulates on the reference one. */
  let calibration: { source: string; calibration: Calibration } | undefined;
  let calibrationAsked = false;
  /** The uploaded input's length, kept when Simulate puts the run view aside. */
  let uploadSeconds: number | undefined;
  let assumptions: SimAssumptions | undefined;
  const breakpoints = new Set<string>();
  let report: { total: number; makespanSeconds: number; deadlock: boolean } = {
    total: 0,
    makespanSeconds: 0,
    deadlock: false,
  };
  const s = () => store.getState();

  const publish = (last: SimStepResult | undefined) => {
    if (!sim) return;
    if (!assumptions) return;
    const base = {
      workers: settings.workers,
      cores: settings.cores,
      chunks: assumptions.chunks,
      assumptions,
      ...(settings.durationSeconds !== undefined
        ? { durationField: settings.durationSeconds }
        : {}),
      ...(settings.chunks !== undefined ? { chunksOverride: settings.chunks } : {}),
      ...report,
      breakpoints: new Set(breakpoints),
      playing: timer !== undefined,
    };
    store.setState({ sim: simViewOf(s().graph, sim, base, last) });
  };

  const build = () => {
    const { graph } = s();
    try {
      assumptions = simAssumptions(splitsOf(graph), {
        uploadSeconds,
        durationSeconds: settings.durationSeconds,
        chunks: settings.chunks,
        workers: settings.workers,
        cores: settings.cores,
        ...(calibration ? { calibrationSource: calibration.source } : {}),
      });
      const options = {
        chunks: assumptions.chunks,
        workers: settings.workers,
        cores: settings.cores,
        ...(calibration ? { calibration: calibration.calibration } : {}),
      };
      // A headless run first: it gives the predicted makespan and the length of the trace.
      const full = services.simulate(graph, {
        ...options,
        durationSeconds: assumptions.durationSeconds,
      });
      report = {
        total: full.trace.length,
        makespanSeconds: full.makespanSeconds,
        deadlock: full.deadlock,
      };
      sim = services.createSimulator(graph, {
        ...options,
        media: { durationSeconds: assumptions.durationSeconds, width: 1280, height: 720 },
      });
      for (const id of breakpoints) sim.setBreakpoint(id, true);
      publish(undefined);
    } catch (err) {
      sim = undefined;
      s().notify('error', `Cannot simulate: ${errorMessage(err)}`);
    }
  };

  /** Nodes that cut the input into chunks, with their parameters' defaults filled in. */
  const splitsOf = (graph: Graph) =>
    graph.nodes.flatMap((node) => {
      const def = services.library.get(node.type);
      if (def?.firing !== 'fanout') return [];
      const parsed = def.params.safeParse(node.params);
      const params = (parsed.success ? parsed.data : node.params) as Record<string, unknown>;
      return [{ id: node.id, params }];
    });

  /** Ask the runtime once for its calibration; a 404 keeps the reference one. */
  const askCalibration = () => {
    if (calibrationAsked) return;
    calibrationAsked = true;
    api('/api/calibration', CalibrationResponseSchema).then(
      (answer) => {
        calibration = answer;
        if (sim && s().mode === 'simulate') build();
      },
      (err: unknown) => {
        // No runtime, or none calibrated (404): the reference calibration, as the line says.
        // A calibration file the runtime cannot read (500) is worth saying.
        if (!(err instanceof ApiError) || err.status < 500) return;
        s().notify('info', `Simulating with the reference calibration: ${errorMessage(err)}`);
      },
    );
  };

  const stopTimer = () => {
    if (timer !== undefined) window.clearInterval(timer);
    timer = undefined;
  };

  const stepOnce = (): SimStepResult | undefined => {
    if (!sim) return undefined;
    const result = sim.step();
    if (result.kind !== 'fired') stopTimer();
    publish(result);
    return result;
  };

  // Breakpoints belong to a graph: put aside when another document opens, back with it.
  const parkedBreakpoints = new Map<string, ReadonlySet<string>>();
  const unsubscribe = store.subscribe((next, prev) => {
    if (next.docSerial !== prev.docSerial) {
      parkedBreakpoints.set(prev.graph.id, new Set(breakpoints));
      breakpoints.clear();
      for (const id of parkedBreakpoints.get(next.graph.id) ?? []) breakpoints.add(id);
      if (sim || next.mode === 'simulate') controller.stop();
      return;
    }
    // Editing the graph while simulating starts the simulation over on the new graph.
    if (sim && next.mode === 'simulate' && next.graph !== prev.graph) {
      stopTimer();
      build();
    }
  });

  const controller: SimController = {
    start() {
      uploadSeconds = s().run?.upload?.durationSeconds ?? uploadSeconds;
      askCalibration();
      store.setState({ mode: 'simulate', run: undefined });
      build();
    },
    stop() {
      stopTimer();
      sim = undefined;
      store.setState({ mode: 'edit', sim: undefined });
    },
    step() {
      if (s().mode !== 'simulate') controller.start();
      stopTimer();
      stepOnce();
    },
    back() {
      if (!sim) return;
      stopTimer();
      sim.back();
      publish(undefined);
    },
    play() {
      if (s().mode !== 'simulate') controller.start();
      if (!sim || timer !== undefined) return;
      if (s().sim?.finished) build();
      timer = window.setInterval(() => void stepOnce(), PLAY_INTERVAL_MS);
      // The first step is immediate so Play answers at once; it also passes a breakpoint we stand on.
      stepOnce();
    },
    pause() {
      stopTimer();
      publish(undefined);
    },
    reset() {
      stopTimer();
      build();
    },
    toggleBreakpoint(nodeId) {
      if (breakpoints.has(nodeId)) breakpoints.delete(nodeId);
      else breakpoints.add(nodeId);
      sim?.setBreakpoint(nodeId, breakpoints.has(nodeId));
      const view = s().sim;
      if (view) store.setState({ sim: { ...view, breakpoints: new Set(breakpoints) } });
    },
    configure(next) {
      settings = { ...settings, ...next };
      if (s().mode === 'simulate') {
        stopTimer();
        build();
      }
    },
    dispose() {
      stopTimer();
      unsubscribe();
    },
  };
  return controller;
}
