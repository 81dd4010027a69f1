import { randomUUID } from 'node:crypto';
import type {
  Diagnostic,
  ElementState,
  ExecutorCapabilities,
  ExecutorName,
  Graph,
  NodeLibrary,
  NodeView,
  RunState,
  RunView,
} from '@reelflow/fbp-model';
import { DiagnosticSchema, hasErrors, isTerminalRunState, loadGraph } from '@reelflow/fbp-model';
import { validateDocument } from '@reelflow/semantics';
import { DEFAULT_TASK_IMAGE } from '../executors/detect.js';
import type { Executor, ExecutorEvent } from '../executors/types.js';
import type { RunInput, RunRecord, Store } from '../store/store.js';
import {
  RUN_DIAGNOSTIC,
  RunOrchestrator,
  type EngineOptions,
  type Publisher,
  type RunObserver,
} from './orchestrator.js';
import { listFiles } from './outputs.js';
import { runDirOf } from './rundir.js';
import type { UploadTracker } from './upload-tracker.js';

export interface RunManagerOptions {
  readonly store: Store;
  /** The executors this runtime can use; the first is the default. */
  readonly executors: readonly Executor[];
  readonly library: NodeLibrary;
  readonly dataDir: string;
  readonly image?: string;
  readonly publish: Publisher;
  readonly observer?: RunObserver;
  /** Base URL of a run's file routes (`http` transfer strategy); undefined without a server. */
  readonly httpBase?: (runId: string) => string | undefined;
  /** Most runs deploying or running at once; the others wait `queued`. Default 2. */
  readonly maxConcurrentRuns?: number;
  readonly maxLifespanMs?: number;
  readonly engineOptions?: EngineOptions;
  readonly progressIntervalMs?: number;
  /** Uploads of the `http` transfer strategy, awaited before a task's outputs are read. */
  readonly uploads?: UploadTracker;
}

/** A request the caller got wrong (unknown run, unknown node, unavailable executor). */
export class RunRequestError extends Error {
  override readonly name = 'RunRequestError';
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

/** The graph did not validate: its diagnostics say why. */
export class InvalidGraphError extends Error {
  override readonly name = 'InvalidGraphError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.find((d) => d.severity === 'error')?.message ?? 'the graph is not valid');
  }
}

/** How long the machines an executor reported stay good for run submissions. */
const CAPABILITIES_TTL_MS = 10_000;

/** Options of `RunManager.create`. */
export interface CreateRunOptions {
  /**
   * Check the graph against the executor's machines (`executor-capability`), as last read by
   * `capabilities()`. Default true; false lets a test submit a task known to fail at run time.
   */
  readonly checkCapabilities?: boolean;
}

/**
 * All runs of a runtime: creates them, queues them under a concurrency cap, routes executor
 * events to their orchestrators, and picks up runs left running by a previous process.
 */
export class RunManager {
  private readonly active = new Map<string, RunOrchestrator>();
  private readonly unsubscribe: Array<() => void>;
  private closed = false;
  /** The machines each executor last reported, and when (performance.now()). */
  private readonly machines = new Map<ExecutorName, { at: number; value: ExecutorCapabilities }>();

  constructor(private readonly opts: RunManagerOptions) {
    if (opts.executors.length === 0) throw new Error('a runtime needs at least one executor');
    this.unsubscribe = opts.executors.map((ex) => ex.onEvent((e) => this.route(e)));
  }

  /** The default executor's name. */
  get executorName(): ExecutorName {
    return this.opts.executors[0]!.name;
  }

  /**
   * What an executor's machines offer (`Executor.capabilities`), read afresh unless read in
   * the last few seconds; undefined when the executor cannot tell (the engine unreachable,
   * or no such method). `create` checks against what this last read.
   */
  async capabilities(executor?: ExecutorName): Promise<ExecutorCapabilities | undefined> {
    const name = executor ?? this.executorName;
    const ex = this.opts.executors.find((e) => e.name === name);
    const cached = this.machines.get(name);
    if (!ex?.capabilities) return undefined;
    if (cached && performance.now() - cached.at < CAPABILITIES_TTL_MS) return cached.value;
    try {
      const value = await ex.capabilities();
      this.machines.set(name, { at: performance.now(), value });
      return value;
    } catch {
      return cached?.value;
    }
  }

  /**
   * Schema and semantic diagnostics of a graph document (CONTRACTS section 2); with
   * `capabilities`, also `executor-capability` errors against those machines.
   */
  validate(
    doc: unknown,
    capabilities?: ExecutorCapabilities,
  ): { valid: boolean; diagnostics: Diagnostic[]; graph?: Graph } {
    const loaded = loadGraph(doc);
    if (!loaded.graph) return { valid: false, diagnostics: loaded.diagnostics };
    const result = validateDocument(loaded.graph, this.opts.library, {
      mode: 'all',
      ...(capabilities ? { capabilities: { capabilities, severity: 'error' } } : {}),
    });
    return {
      valid: !hasErrors(result.diagnostics),
      diagnostics: result.diagnostics,
      graph: loaded.graph,
    };
  }

  /**
   * Create a run of a valid graph on an input video; it starts when a slot is free. A graph
   * the executor's machines cannot run (as `capabilities()` last read them: await it first)
   * is refused like an invalid one.
   */
  create(
    doc: unknown,
    input: RunInput,
    executor?: ExecutorName,
    options: CreateRunOptions = {},
  ): RunRecord {
    const name = executor ?? this.executorName;
    this.executorFor(name);
    const machines =
      options.checkCapabilities === false ? undefined : this.machines.get(name)?.value;
    const checked = this.validate(doc, machines);
    if (!checked.valid || !checked.graph) throw new InvalidGraphError(checked.diagnostics);
    const run = this.opts.store.createRun({
      id: randomUUID(),
      graphId: checked.graph.id,
      graph: checked.graph,
      input,
      executor: name,
      state: 'queued',
    });
    this.opts.store.appendEvent(run.id, 'run:state', { state: 'queued' });
    this.opts.publish('run:state', { runId: run.id, state: 'queued' });
    this.pump();
    return run;
  }

  /** Cancel a run: a queued run ends at once, an active one stops its tasks. */
  cancel(runId: string): void {
    const run = this.require(runId);
    if (isTerminalRunState(run.state))
      throw new RunRequestError(`run ${runId} has already ${run.state}`, 409);
    const live = this.active.get(runId);
    if (live) return live.cancel();
    this.opts.store.transaction(() => {
      this.opts.store.updateRun(runId, {
        state: 'cancelled',
        reason: 'cancelled by the user',
        finishedAt: new Date().toISOString(),
      });
      this.opts.store.appendEvent(runId, 'run:state', { state: 'cancelled' });
    });
    this.opts.publish('run:state', { runId, state: 'cancelled', reason: 'cancelled by the user' });
  }

  /** Re-run the failed or cancelled tasks of one node of a running or failed run. */
  async retryNode(runId: string, nodeId: string): Promise<void> {
    const run = this.require(runId);
    if (!run.graph.nodes.some((n) => n.id === nodeId))
      throw new RunRequestError(`run ${runId} has no node ${nodeId}`, 404);
    if (run.state !== 'failed' && run.state !== 'running') {
      throw new RunRequestError(
        `run ${runId} is ${run.state}; only a running or failed run can retry a node`,
        409,
      );
    }
    const live = this.active.get(runId) ?? this.activate(run);
    await live.retryNode(nodeId);
    // The ended episode may have released the run while its cleanup finished: take it back.
    if (this.active.get(runId) !== live) {
      this.active.set(runId, live);
      this.watch(live);
    }
  }

  /** Resolves with the run's terminal state (immediately when it has ended). */
  async waitFor(runId: string): Promise<RunState> {
    for (;;) {
      const live = this.active.get(runId);
      if (live) await live.whenSettled();
      const run = this.require(runId);
      if (isTerminalRunState(run.state) && !this.active.has(runId)) return run.state;
      // Queued, or between an episode's end and its release: look again shortly.
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The run as the API shows it. */
  async view(runId: string): Promise<RunView | undefined> {
    const run = this.opts.store.getRun(runId);
    return run && this.toView(run);
  }

  async list(): Promise<RunView[]> {
    return Promise.all(this.opts.store.listRuns().map((r) => this.toView(r)));
  }

  /**
   * Pick up what a previous process left: runs that were deploying or running resume from
   * their saved engine state (reconciled with the executor), queued runs queue again.
   */
  async recover(): Promise<void> {
    const unfinished = this.opts.store.listRuns(['validating', 'deploying', 'running']);
    for (const run of unfinished) {
      const executor = this.opts.executors.find((e) => e.name === run.executor);
      if (!executor) {
        this.failRun(run.id, `the ${run.executor} executor is not available after the restart`);
        continue;
      }
      if (run.engineState === undefined || run.state !== 'running') {
        // Never got going: start it again from the queue.
        this.opts.store.updateRun(run.id, { state: 'queued' });
        continue;
      }
      const known = new Map(
        (await executor.listRunTasks(run.id).catch(() => [])).map(
          (t) => [t.key, { attempt: t.attempt, state: t.state }] as const,
        ),
      );
      const live = this.activate(run);
      await live.resume(known);
    }
    this.pump();
  }

  /** Stop driving runs; they stay recorded as they are and resume at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe.forEach((u) => u());
    for (const live of this.active.values()) live.detach();
    this.active.clear();
  }

  // ------------------------------------------------------------------ internals

  private route(event: ExecutorEvent): void {
    this.active.get(event.runId)?.onExecutorEvent(event);
  }

  private require(runId: string): RunRecord {
    const run = this.opts.store.getRun(runId);
    if (!run) throw new RunRequestError(`no run ${runId}`, 404);
    return run;
  }

  private executorFor(name: ExecutorName): Executor {
    const ex = this.opts.executors.find((e) => e.name === name);
    if (!ex) {
      const have = this.opts.executors.map((e) => e.name).join(', ');
      throw new RunRequestError(
        `the ${name} executor is not available in this runtime (available: ${have})`,
      );
    }
    return ex;
  }

  /** Start queued runs while there is room. */
  private pump(): void {
    if (this.closed) return;
    const cap = this.opts.maxConcurrentRuns ?? 2;
    for (const run of this.opts.store.listRuns(['queued'])) {
      if (this.active.size >= cap) break;
      void this.activate(run).start();
    }
  }

  private activate(run: RunRecord): RunOrchestrator {
    const o = this.opts;
    const live = new RunOrchestrator(
      {
        store: o.store,
        executor: this.executorFor(run.executor),
        library: o.library,
        dataDir: o.dataDir,
        image: o.image ?? process.env.REELFLOW_IMAGE ?? DEFAULT_TASK_IMAGE,
        httpBase: o.httpBase ?? (() => undefined),
        publish: o.publish,
        observer: o.observer,
        engineOptions: o.engineOptions,
        maxLifespanMs: o.maxLifespanMs,
        progressIntervalMs: o.progressIntervalMs,
        uploads: o.uploads,
        validate: (graph) => {
          const result = this.validate(graph);
          return result.valid
            ? undefined
            : `the graph is not valid: ${new InvalidGraphError(result.diagnostics).message}`;
        },
      },
      run,
    );
    this.active.set(run.id, live);
    this.watch(live);
    return live;
  }

  /** Free the run's slot when it ends, unless a retry brought it back meanwhile. */
  private watch(live: RunOrchestrator): void {
    void live.whenSettled().then(() => {
      if (!isTerminalRunState(live.state)) return this.watch(live);
      if (this.active.get(live.runId) === live) this.active.delete(live.runId);
      this.pump();
    });
  }

  private failRun(runId: string, reason: string): void {
    this.opts.store.updateRun(runId, {
      state: 'failed',
      reason,
      finishedAt: new Date().toISOString(),
    });
    this.opts.store.appendEvent(runId, 'run:state', { state: 'failed', reason });
  }

  private async toView(run: RunRecord): Promise<RunView> {
    const tasks = this.opts.store.listTasks(run.id);
    const nodes: Record<string, NodeView> = {};
    for (const node of run.graph.nodes)
      nodes[node.id] = { state: 'idle', done: 0, total: null, tasks: [] };
    for (const n of this.opts.store.listNodes(run.id)) {
      nodes[n.nodeId] = { state: n.state, done: n.done, total: n.total, tasks: [] };
    }
    for (const t of tasks) {
      nodes[t.nodeId]?.tasks.push({
        key: t.key,
        index: t.index,
        state: t.state as ElementState,
        progress: t.progress,
        attempt: t.attempt,
        ...(t.host ? { host: t.host } : {}),
        ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
        ...(t.seconds !== undefined ? { seconds: t.seconds } : {}),
        ...(t.bytes !== undefined ? { bytes: t.bytes } : {}),
        ...(t.reason ? { reason: t.reason } : {}),
      });
    }
    const diagnostics = this.runDiagnostics(run.id);
    // A skipped or failed node says why: its last finding, else its failed task's reason.
    const why = new Map<string, string>();
    for (const d of diagnostics)
      if (d.element.kind === 'node' && d.severity !== 'info') why.set(d.element.id, d.message);
    for (const [id, view] of Object.entries(nodes)) {
      if (view.state !== 'skipped' && view.state !== 'failed') continue;
      const reason = why.get(id) ?? view.tasks.find((t) => t.state === 'failed')?.reason;
      if (reason !== undefined) nodes[id] = { ...view, reason };
    }
    return {
      runId: run.id,
      state: run.state,
      ...(run.reason ? { reason: run.reason } : {}),
      graphId: run.graphId,
      executor: run.executor,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      nodes,
      outputs: await listFiles(runDirOf(this.opts.dataDir, run.id).outputs),
      ...(diagnostics.length > 0 ? { diagnostics } : {}),
    };
  }

  /** The run's own diagnostics (output checks, skipped nodes), parsed as they are read back. */
  private runDiagnostics(runId: string): Diagnostic[] {
    return this.opts.store
      .listEventsOfType(runId, RUN_DIAGNOSTIC)
      .map((e) => DiagnosticSchema.safeParse(e.payload))
      .flatMap((r) => (r.success ? [r.data] : []));
  }
}
