import { createWriteStream, type WriteStream } from 'node:fs';
import { appendFile, copyFile, link, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type {
  CompileContext,
  Diagnostic,
  ElementState,
  NodeLibrary,
  RunState,
  ServerEventName,
  ServerEvents,
  SourceMedia,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';
import { diagnostic, isTerminalRunState } from '@reelflow/fbp-model';
import {
  admitNodes,
  createEngine,
  getTask,
  step,
  withoutInputs,
  type Effect,
  type EngineEvent,
  type EngineState,
  type Firing,
  type Notification,
} from '@reelflow/semantics';
import type { Executor, ExecutorEvent } from '../executors/types.js';
import type { RunRecord, Store } from '../store/store.js';
import { probeMedia, sourceMedia } from './media.js';
import { findOutputs, publishVideo, tokenBytes } from './outputs.js';
import { ensureRunDir, nodeLogPath, resolveInside, runDirOf, type RunDir } from './rundir.js';
import { outputTokensFor } from './tokens.js';
import { writeMasterPlaylist } from './master.js';
import { IncrementalStream } from './incremental.js';
import { EngineJournal } from './engine-journal.js';
import type { UploadTracker } from './upload-tracker.js';
import { assetPath, LABEL_VIA } from '@reelflow/library';

/** Event type of a run's own diagnostics (output checks, skipped nodes) in its event log. */
export const RUN_DIAGNOSTIC = 'run:diagnostic';

/** Does this task write its outputs through the runtime's file routes? */
const pushesOverHttp = (spec: TaskSpec): boolean =>
  spec.labels[LABEL_VIA] === 'http' || spec.inputs.some((t) => t.via === 'http');

/** Sends one live event to whoever watches the run (socket.io rooms, the CLI's progress view). */
export type Publisher = <K extends ServerEventName>(name: K, payload: ServerEvents[K]) => void;

/** Hooks for metrics; every method is optional so tests can pass nothing. */
export interface RunObserver {
  runState?(runId: string, state: RunState): void;
  taskFinished?(nodeType: string, state: 'done' | 'failed', seconds: number): void;
  bytesMoved?(nodeId: string, bytes: number): void;
}

/** Options of the semantics engine, passed through, and of how its state is saved. */
export interface EngineOptions {
  readonly capacity?: number;
  readonly defaultRetries?: number;
  readonly backoffMs?: number;
  /** Engine steps between two saved snapshots of the engine state (see EngineJournal). */
  readonly snapshotEverySteps?: number;
}

export interface OrchestratorDeps {
  readonly store: Store;
  readonly executor: Executor;
  readonly library: NodeLibrary;
  readonly dataDir: string;
  /** The ffmpeg image tasks run. */
  readonly image: string;
  /** Base URL of the run's file routes, for the `http` transfer strategy. */
  readonly httpBase: (runId: string) => string | undefined;
  readonly publish: Publisher;
  readonly observer?: RunObserver;
  readonly engineOptions?: EngineOptions;
  /** A run still going after this long is cancelled with a reason saying so. */
  readonly maxLifespanMs?: number;
  /** Checks the graph before a run starts: a reason to refuse it, or undefined when valid. */
  readonly validate?: (graph: RunRecord['graph']) => string | undefined;
  /** Least time between two `task:progress` events of one task. */
  readonly progressIntervalMs?: number;
  /** Uploads of the `http` transfer strategy, awaited before a task's outputs are read. */
  readonly uploads?: UploadTracker;
}

/** One firing of the engine being carried out: its task specs and what they produced. */
interface FiringWork {
  readonly firing: Firing;
  specs: TaskSpec[];
  /** Spec keys still running. */
  readonly remaining: Set<string>;
  readonly outputs: Token[];
  seconds: number;
  started: boolean;
  timer?: NodeJS.Timeout;
  /** Which round of tasks runs: 0 from compile(), then one more per review that asks for one. */
  round: number;
  /** Firings of fused sibling nodes this firing's task also does (decode once); their own work. */
  readonly riders: FiringWork[];
}

/** From a start (or retry) to the end of the run: waiters and the cleanup in progress. */
interface Episode {
  readonly promise: Promise<RunState>;
  readonly resolve: (s: RunState) => void;
  /** Set once the run ended and its cleanup began. */
  ending?: Promise<void>;
}

const nodeRef = (id: string) => ({ kind: 'node' as const, id });

const TERMINAL_TASK_STATES: readonly ElementState[] = ['done', 'failed', 'skipped', 'cancelled'];

/**
 * Drives one run: feeds executor events to the semantics' pure `step()`, carries out the
 * effects it returns (compile + launch a firing, cancel one, publish a notification), turns
 * finished tasks into output tokens, and journals every transition (EngineJournal) so the run
 * can be picked up after a restart.
 */
export class RunOrchestrator {
  readonly runId: string;
  readonly dir: RunDir;
  private run: RunRecord;
  private engine?: EngineState;
  /** Firing key → work in flight. */
  private readonly work = new Map<string, FiringWork>();
  /** Spec key → firing key, to route executor events. */
  private readonly specToFiring = new Map<string, string>();
  /** Spec key → node id of every task launched by this process (never cleared: late logs). */
  private readonly specNodes = new Map<string, string>();
  private readonly logs = new Map<string, WriteStream>();
  private readonly lastProgress = new Map<string, number>();
  /** Executor launches not yet returned. */
  private readonly launching = new Set<Promise<unknown>>();
  private readonly stream: IncrementalStream;
  private readonly journal: EngineJournal;
  private lifespanTimer?: NodeJS.Timeout;
  /** What probing the run's input found (probed again after a restart when needed). */
  private source?: SourceMedia;
  /** Diagnostics recorded by this process, so a retry does not repeat them. */
  private readonly diagnosed = new Set<string>();
  /** Set by detach(): the runtime is closing and the store may already be closed. */
  private detached = false;
  /** The current episode of the run; a retry after the end starts a new one. */
  private settled!: Episode;

  constructor(
    private readonly deps: OrchestratorDeps,
    run: RunRecord,
  ) {
    this.run = run;
    this.runId = run.id;
    this.dir = runDirOf(deps.dataDir, run.id);
    this.stream = new IncrementalStream(run.graph, this.dir);
    this.journal = new EngineJournal(deps.store, run.id, deps.engineOptions?.snapshotEverySteps);
    this.arm();
  }

  /** The run's state as last saved. */
  get state(): RunState {
    return this.run.state;
  }

  /** Resolves with the terminal state once the run ends (again, after a retry). */
  whenSettled(): Promise<RunState> {
    return this.settled.promise;
  }

  /** Start a fresh run: check the graph and its input, prepare the run directory, fire the sources. */
  async start(): Promise<void> {
    // As many tasks in flight as the executor can use (a bigger swarm gets more), unless set.
    const capacity =
      this.deps.engineOptions?.capacity ??
      (await this.deps.executor.slots?.().catch(() => undefined));
    if (isTerminalRunState(this.run.state)) return; // cancelled while asking
    const options = { ...this.deps.engineOptions, ...(capacity === undefined ? {} : { capacity }) };
    try {
      this.engine = createEngine(this.run.graph, this.deps.library, options);
    } catch (err) {
      return this.finish('failed', `the engine cannot run this graph: ${(err as Error).message}`);
    }
    this.apply({ type: 'phase', state: 'validating' });
    const problem = this.deps.validate?.(this.run.graph);
    if (problem) return this.apply({ type: 'abort', reason: problem });
    let inputToken: Token;
    try {
      inputToken = await this.prepareInput();
    } catch (err) {
      return this.apply({ type: 'abort', reason: (err as Error).message });
    }
    if (isTerminalRunState(this.run.state)) return; // cancelled while probing
    try {
      await this.stageAssets();
    } catch (err) {
      return this.apply({ type: 'abort', reason: (err as Error).message });
    }
    const { refused, skipped } = admitNodes(this.run.graph, this.deps.library, this.source!);
    if (refused.length > 0) {
      for (const r of refused)
        this.diagnose(
          diagnostic('input-refused', 'error', `${r.nodeId}: ${r.reason}`, nodeRef(r.nodeId)),
        );
      const why = refused.map((r) => `node ${r.nodeId}: ${r.reason}`).join('; ');
      return this.apply({ type: 'abort', reason: `the input cannot be used: ${why}` });
    }
    if (skipped.length > 0) {
      for (const n of skipped)
        this.diagnose(
          diagnostic('node-skipped', 'warning', `${n.nodeId}: ${n.reason}`, nodeRef(n.nodeId)),
        );
      // The engine runs the graph without the edges into them: they close without a token.
      const graph = withoutInputs(
        this.run.graph,
        skipped.map((n) => n.nodeId),
      );
      const fresh = createEngine(graph, this.deps.library, options);
      this.engine = step(fresh, { type: 'phase', state: 'validating' }).state;
    }
    this.apply({ type: 'phase', state: 'deploying' });
    this.startLifespan();
    const sources = this.run.graph.nodes.filter(
      (n) => this.deps.library.get(n.type)?.firing === 'source',
    );
    this.apply({
      type: 'start',
      inputs: Object.fromEntries(sources.map((n) => [n.id, inputToken])),
    });
  }

  /**
   * Pick a run up after a restart from its saved engine state. Tasks the executor reports
   * finished are collected, tasks it still runs are adopted, the others are launched again.
   */
  async resume(
    known: ReadonlyMap<string, { attempt: number; state: 'running' | 'succeeded' | 'failed' }>,
  ): Promise<void> {
    this.engine = this.journal.restore();
    if (this.engine === undefined) return this.start();
    await this.ensureSource();
    this.startLifespan();
    const collect: FiringWork[] = [];
    const relaunch: FiringWork[] = [];
    // First, synchronously, route every task the executor still runs: its events may come
    // as soon as this method yields.
    for (const task of this.deps.store.listTasks(this.runId)) {
      if (TERMINAL_TASK_STATES.includes(task.state) || task.firing === undefined) continue;
      const firing = task.firing as Firing;
      const work = this.trackFiring(firing);
      work.started = task.state === 'running';
      for (const rider of work.riders) rider.started = work.started;
      const specs = this.compile(firing);
      if (!specs) continue;
      work.specs = specs;
      const states = specs.map((s) => {
        const report = known.get(s.key);
        return report?.attempt === firing.attempt ? report.state : undefined;
      });
      if (specs.length > 0 && states.every((st) => st === 'running')) {
        for (const spec of specs) {
          work.remaining.add(spec.key);
          this.route(spec, firing);
        }
      } else if (specs.length > 0 && states.every((st) => st === 'succeeded')) {
        specs.forEach((spec) => this.route(spec, firing));
        collect.push(work);
      } else {
        relaunch.push(work);
      }
    }
    this.deps.store.appendEvent(this.runId, 'run:resumed', {
      replayedEngineEvents: this.journal.replayed,
      adopted: [...this.work.values()].filter((w) => w.remaining.size > 0).map((w) => w.firing.key),
      collected: collect.map((w) => w.firing.key),
      relaunched: relaunch.map((w) => w.firing.key),
    });
    await ensureRunDir(this.dir);
    for (const work of collect) await this.finishFiring(work);
    for (const work of relaunch) {
      // Whatever is left of an unfinished attempt goes before the task runs again.
      await Promise.all(
        work.specs.map((s) => this.deps.executor.cancel(this.runId, s.key).catch(() => undefined)),
      );
      await this.launchSpecs(work);
    }
  }

  /**
   * Let go of the run without changing it (the runtime is shutting down): timers stop and
   * nothing more is written, so a later start resumes it from the database.
   */
  detach(): void {
    this.detached = true;
    if (this.lifespanTimer) clearTimeout(this.lifespanTimer);
    for (const work of this.work.values()) if (work.timer) clearTimeout(work.timer);
    void this.closeLogs();
  }

  /** Stop the run: the engine cancels every task; the executor removes what is left. */
  cancel(reason = 'cancelled by the user'): void {
    if (isTerminalRunState(this.run.state)) return;
    if (!this.engine) {
      this.finish('cancelled', reason);
      return;
    }
    this.apply({ type: 'cancel', reason });
  }

  /** Re-run the failed or cancelled tasks of one node (a failed run goes back to running). */
  async retryNode(nodeId: string): Promise<void> {
    this.engine ??= this.journal.restore();
    if (!this.engine) throw new Error(`run ${this.runId} never started; nothing to retry`);
    await this.ensureSource();
    if (this.settled.ending) {
      // Let the cleanup of the ended episode finish first: it removes the run's tasks.
      await this.settled.ending;
      this.arm();
    }
    await ensureRunDir(this.dir);
    this.startLifespan();
    this.apply({ type: 'retry', nodeId });
  }

  /** An event from the executor about one of this run's tasks. */
  onExecutorEvent(event: ExecutorEvent): void {
    if (this.detached) return;
    if (event.type === 'log') {
      // Output may trail the exit (stdio drains after the process ends): log it whatever
      // became of the task, so a failure's own error line is never lost.
      const nodeId = this.specNodes.get(event.key);
      if (nodeId !== undefined) this.log(nodeId, event.key, event.stream, event.line);
      return;
    }
    const firingKey = this.specToFiring.get(event.key);
    const work = firingKey === undefined ? undefined : this.work.get(firingKey);
    // Events of an earlier attempt, or of a task already given up, change nothing.
    if (!work || work.firing.attempt !== event.attempt || !work.remaining.has(event.key)) return;
    switch (event.type) {
      case 'started':
        this.markStarted(work, event.host);
        break;
      case 'progress':
        this.progress(work, event.key, event.fraction, event.outTimeSeconds, event.speed);
        // A fused task's progress is each of its nodes' progress.
        for (const rider of work.riders) {
          const key = `${event.key}>${rider.firing.key}`;
          this.progress(rider, key, event.fraction, event.outTimeSeconds, event.speed);
        }
        break;
      case 'succeeded':
        work.remaining.delete(event.key);
        work.seconds += event.seconds;
        if (work.remaining.size === 0) void this.finishFiring(work);
        break;
      case 'failed':
        this.deps.store.upsertTask(this.runId, {
          ...this.taskIds(work.firing),
          exitCode: event.exitCode,
          reason: event.reason,
        });
        this.failFiring(work, `exit ${event.exitCode ?? 'none'}: ${event.reason}`);
        break;
      case 'cancelled':
        // Only reached when the task was stopped by someone else than the engine.
        this.failFiring(work, 'the task was stopped outside Reelflow');
        break;
    }
  }

  // -------------------------------------------------------------------- engine loop

  private apply(event: EngineEvent): void {
    if (!this.engine || this.detached) return;
    const before = this.engine;
    const { state, effects } = step(before, event);
    this.engine = state;
    const emits = effects.filter((e): e is Extract<Effect, { type: 'emit' }> => e.type === 'emit');
    // One transition, one transaction: the engine state and everything it says happened.
    this.deps.store.transaction(() => {
      this.journal.record(event, before, state);
      for (const e of effects) if (e.type === 'launch') this.recordLaunch(e.firing);
      for (const e of emits) this.persist(e.event);
    });
    for (const e of emits) this.announce(e.event);
    for (const e of effects) {
      if (e.type === 'launch') this.scheduleLaunch(e.firing, e.delayMs);
      else if (e.type === 'cancel') this.cancelFiring(e.key);
    }
  }

  private recordLaunch(firing: Firing): void {
    this.deps.store.upsertTask(this.runId, {
      ...this.taskIds(firing),
      attempt: firing.attempt,
      // The engine says which it is: an automatic retry is `retrying`, while a user retry
      // (also a later attempt) starts over `pending`. Guessing from the attempt got that wrong.
      state: (getTask(this.engine!, firing.key)?.state ?? 'pending') as ElementState,
      progress: 0,
      reason: null,
      exitCode: null,
      firing,
    });
  }

  /** Save what a notification says (inside the step's transaction). */
  private persist(n: Notification): void {
    const store = this.deps.store;
    switch (n.type) {
      case 'run:state':
        // saveRunState logs the event itself (once per change): logging it here too doubled it.
        this.saveRunState(n.state as RunState, n.reason);
        return;
      case 'node:state':
        store.setNode(this.runId, {
          nodeId: n.nodeId,
          state: n.state as ElementState,
          done: n.done,
          total: n.total,
        });
        break;
      case 'task:state':
        store.upsertTask(this.runId, {
          key: n.key,
          nodeId: n.nodeId,
          index: n.index,
          attempt: n.attempt,
          state: n.state as ElementState,
          reason: n.reason,
          ...(n.state === 'done' ? { progress: 1 } : {}),
        });
        break;
      default:
        break;
    }
    store.appendEvent(this.runId, n.type, n);
  }

  /** Publish a notification to watchers and carry out its side effects outside the store. */
  private announce(n: Notification): void {
    const { publish } = this.deps;
    switch (n.type) {
      case 'run:state':
        publish('run:state', {
          runId: this.runId,
          state: n.state as RunState,
          ...(n.reason ? { reason: n.reason } : {}),
        });
        if (isTerminalRunState(n.state as RunState)) void this.settle(n.state as RunState);
        break;
      case 'node:state':
        publish('node:state', {
          runId: this.runId,
          nodeId: n.nodeId,
          state: n.state as ElementState,
          done: n.done,
          total: n.total,
        });
        break;
      case 'task:state':
        publish('task:state', {
          runId: this.runId,
          key: n.key,
          nodeId: n.nodeId,
          index: n.index,
          state: n.state as ElementState,
          attempt: n.attempt,
          ...(n.reason ? { reason: n.reason } : {}),
        });
        break;
      case 'deadlock':
        this.log('run', 'run', 'stderr', `deadlock: ${JSON.stringify(n.stuck)}`);
        break;
      case 'merge:prefix':
        void this.stream.prefixReady(n.nodeId, n.groupId, n.ready, n.count);
        break;
      case 'token:stuck':
        this.log(n.nodeId, n.nodeId, 'stderr', `token ${n.tokenId} is stuck: ${n.reason}`);
        break;
    }
  }

  // -------------------------------------------------------------------- firings

  /** Track a firing's work, and that of the fused firings riding on it. */
  private trackFiring(firing: Firing): FiringWork {
    const fresh = (f: Firing, riders: FiringWork[]): FiringWork => {
      const work: FiringWork = {
        firing: f,
        specs: [],
        remaining: new Set(),
        outputs: [],
        seconds: 0,
        started: false,
        round: 0,
        riders,
      };
      this.work.set(f.key, work);
      return work;
    };
    return fresh(
      firing,
      (firing.riders ?? []).map((r) => fresh(r, [])),
    );
  }

  private scheduleLaunch(firing: Firing, delayMs: number): void {
    const work = this.trackFiring(firing);
    const go = () => {
      work.timer = undefined;
      const specs = this.compile(firing);
      if (!specs) return;
      work.specs = specs;
      void this.launchSpecs(work);
    };
    if (delayMs > 0) work.timer = setTimeout(go, delayMs);
    else go();
  }

  /** Compile a firing with its node type; a compile error fails the firing. */
  private compile(firing: Firing): TaskSpec[] | undefined {
    const typed = this.nodeTypeOf(firing.nodeId);
    try {
      if (!typed) throw new Error(`node ${firing.nodeId} has no known type`);
      const { def } = typed;
      const context = (f: Firing) => {
        const member = f === firing ? typed : this.nodeTypeOf(f.nodeId);
        if (!member) throw new Error(`node ${f.nodeId} has no known type`);
        return this.contextOf(f, member);
      };
      // Fused siblings: one task decodes once and writes every node's output.
      if (firing.riders?.length && def.fusion)
        return def.fusion.compile([firing, ...firing.riders].map(context));
      return def.compile(context(firing));
    } catch (err) {
      const work = this.work.get(firing.key);
      if (work) this.failFiring(work, `cannot compile ${firing.nodeId}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** What compile() and review() of a firing see. */
  private contextOf(
    firing: Firing,
    { node, def }: NonNullable<ReturnType<RunOrchestrator['nodeTypeOf']>>,
  ): CompileContext<Record<string, unknown>> {
    return {
      runId: this.runId,
      node,
      params: def.params.parse(node.params),
      inputs: firing.inputs,
      index: firing.index,
      storage: {
        root: this.deps.executor.storageRoot(this.dir.root, def.light),
        httpBase: this.deps.httpBase(this.runId),
      },
      image: this.deps.image,
      ...(this.source === undefined ? {} : { source: this.source }),
    };
  }

  /** A node of the run's graph with its type's definition, when both exist. */
  private nodeTypeOf(nodeId: string) {
    const node = this.run.graph.nodes.find((n) => n.id === nodeId);
    const def = node && this.deps.library.get(node.type);
    return node && def ? { node, def } : undefined;
  }

  /** Write the specs' small files, then launch them. A firing without tasks passes its inputs on. */
  private async launchSpecs(work: FiringWork): Promise<void> {
    const { firing, specs } = work;
    if (specs.length === 0) {
      this.markStarted(work);
      work.outputs.push(...firing.inputs);
      return this.completeFiring(work);
    }
    try {
      for (const spec of specs) await this.writeSpecFiles(spec);
    } catch (err) {
      return this.failFiring(work, `cannot prepare ${firing.key}: ${(err as Error).message}`);
    }
    for (const spec of specs) {
      work.remaining.add(spec.key);
      this.route(spec, firing);
    }
    for (const spec of specs) {
      if (this.work.get(firing.key) !== work) return; // cancelled meanwhile
      try {
        this.recordExecutorLaunch(spec, firing);
        await this.track(
          this.deps.executor.launch({
            runId: this.runId,
            spec,
            attempt: firing.attempt,
            runDir: this.dir.root,
            light: this.nodeTypeOf(firing.nodeId)?.def.light,
          }),
        );
      } catch (err) {
        return this.failFiring(work, `cannot launch ${spec.key}: ${(err as Error).message}`);
      }
      // Cancelled while the executor was still creating it: stop it now.
      if (this.work.get(firing.key) !== work) {
        await this.deps.executor.cancel(this.runId, spec.key).catch(() => undefined);
        return;
      }
    }
  }

  /**
   * One line in the run's event log per task handed to the executor, so an audit (or a test)
   * can tell how often each chunk really ran, across restarts of the runtime.
   */
  private recordExecutorLaunch(spec: TaskSpec, firing: Firing): void {
    this.deps.store.appendEvent(this.runId, 'task:launch', {
      key: spec.key,
      firing: firing.key,
      nodeId: firing.nodeId,
      attempt: firing.attempt,
    });
  }

  /** Remember a launch in progress, so the end of the run waits for it before cleaning up. */
  private track<T>(launch: Promise<T>): Promise<T> {
    this.launching.add(launch);
    const forget = () => this.launching.delete(launch);
    launch.then(forget, forget);
    return launch;
  }

  private async writeSpecFiles(spec: TaskSpec): Promise<void> {
    for (const file of spec.files ?? []) await this.writeRunFile(file.path, file.content);
    // Outputs go into folders the task expects to exist.
    for (const out of spec.outputs) {
      const abs = resolveInside(this.dir.root, out.kind === 'file' ? dirname(out.path) : out.dir);
      if (abs) await mkdir(abs, { recursive: true });
    }
  }

  private markStarted(work: FiringWork, host?: string): void {
    for (const rider of work.riders) this.markStarted(rider, host);
    if (host) this.deps.store.upsertTask(this.runId, { ...this.taskIds(work.firing), host });
    if (work.started) return;
    work.started = true;
    this.apply({ type: 'taskStarted', key: work.firing.key });
  }

  /** All specs of a firing succeeded: read their outputs and hand the tokens to the engine. */
  private async finishFiring(work: FiringWork): Promise<void> {
    const reports: Record<string, string> = {};
    try {
      const produced: Token[] = [];
      for (const spec of work.specs) {
        if (this.deps.uploads && pushesOverHttp(spec)) await this.deps.uploads.settled(this.run.id);
        const found = await findOutputs(this.dir.root, spec);
        produced.push(...outputTokensFor(spec, found));
        for (const path of spec.reports ?? []) reports[path] = await this.readReport(spec, path);
      }
      if (work.riders.length === 0) work.outputs.push(...produced);
      else {
        // A fused task writes one output per node, in the order of its firings.
        const members = [work, ...work.riders];
        if (produced.length !== members.length)
          throw new Error(
            `fused task ${work.firing.key} wrote ${produced.length} outputs for ${members.length} nodes`,
          );
        members.forEach((m, i) => m.outputs.push({ ...produced[i]!, id: `${m.firing.key}/0` }));
      }
      for (const spec of work.specs) {
        if (!spec.master) continue;
        const notes = await writeMasterPlaylist(
          this.dir.root,
          spec.master,
          this.run.graph,
          work.firing.nodeId,
          this.deps.library,
        );
        for (const note of notes) this.log(work.firing.nodeId, work.firing.key, 'stdout', note);
      }
      if (this.feedsSink(work.firing.nodeId)) {
        for (const t of work.outputs)
          if (t.dataType === 'video') await publishVideo(this.dir.root, work.firing.nodeId, t);
      }
    } catch (err) {
      return this.failFiring(work, (err as Error).message);
    }
    if (await this.review(work, reports)) {
      for (const rider of work.riders) {
        rider.seconds = work.seconds;
        this.completeFiring(rider);
      }
      this.completeFiring(work);
    }
  }

  /**
   * Hand a finished round's reports to its node type's review(): its diagnostics are recorded,
   * its files written; then it fails the firing, launches the next round, or lets it complete
   * (true).
   */
  private async review(work: FiringWork, reports: Record<string, string>): Promise<boolean> {
    const typed = this.nodeTypeOf(work.firing.nodeId);
    if (!typed?.def.review) return true;
    try {
      const result = typed.def.review({
        ...this.contextOf(work.firing, typed),
        round: work.round,
        reports,
      });
      for (const d of result.diagnostics ?? []) this.diagnose(d);
      for (const file of result.files ?? []) await this.writeRunFile(file.path, file.content);
      if (result.fail !== undefined) {
        this.failFiring(work, result.fail);
        return false;
      }
      if (result.next === undefined || result.next.length === 0) return true;
      if (this.work.get(work.firing.key) !== work) return false; // cancelled meanwhile
      work.round += 1;
      work.specs = [...result.next];
      await this.launchSpecs(work);
      return false;
    } catch (err) {
      this.failFiring(work, `cannot review ${work.firing.key}: ${(err as Error).message}`);
      return false;
    }
  }

  /** The text of a report a task declared, confined to the run directory. */
  private async readReport(spec: TaskSpec, path: string): Promise<string> {
    const abs = resolveInside(this.dir.root, path);
    if (!abs) throw new Error(`task ${spec.key} declares a report outside the run directory`);
    return readFile(abs, 'utf8').catch(() => {
      throw new Error(`task ${spec.key} exited without writing its report ${path}`);
    });
  }

  private async writeRunFile(path: string, content: string): Promise<void> {
    const abs = resolveInside(this.dir.root, path);
    if (!abs) throw new Error(`file ${path} is outside the run directory`);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }

  /** Record one of the run's own diagnostics and put it in its node's log. */
  private diagnose(d: Diagnostic): void {
    if (this.detached) return;
    // A retried firing finds the same again: the run lists each finding once.
    const key = JSON.stringify(d);
    if (this.diagnosed.has(key)) return;
    this.diagnosed.add(key);
    this.deps.store.appendEvent(this.runId, RUN_DIAGNOSTIC, d);
    const nodeId = d.element.kind === 'node' ? d.element.id : 'run';
    this.log(nodeId, nodeId, 'stderr', `${d.severity} ${d.code}: ${d.message}`);
  }

  /** Probe the run's input again when this process has not (a resume, a retry after restart). */
  private async ensureSource(): Promise<void> {
    if (this.source) return;
    const target = `${this.dir.input}/${basename(this.run.input.path)}`;
    const facts = await probeMedia(target).catch(() => undefined);
    if (facts) this.source = sourceMedia(facts);
  }

  private completeFiring(work: FiringWork): void {
    if (this.work.get(work.firing.key) !== work || this.detached) return;
    this.work.delete(work.firing.key);
    const isTransfer = work.firing.nodeType === 'transfer';
    const bytes = isTransfer ? tokenBytes(work.outputs) : undefined;
    this.deps.store.upsertTask(this.runId, {
      ...this.taskIds(work.firing),
      seconds: work.seconds,
      bytes,
    });
    if (bytes !== undefined) this.deps.observer?.bytesMoved?.(work.firing.nodeId, bytes);
    this.deps.observer?.taskFinished?.(work.firing.nodeType, 'done', work.seconds);
    this.stream.tokensProduced(work.firing.nodeId, work.outputs);
    if (!work.started) this.markStarted(work);
    this.apply({ type: 'taskSucceeded', key: work.firing.key, outputs: work.outputs });
  }

  private failFiring(work: FiringWork, reason: string): void {
    if (this.work.get(work.firing.key) !== work || this.detached) return;
    // One process did the work of every fused node: they fail with it.
    for (const rider of work.riders) this.failFiring(rider, reason);
    // Every failure ends up in the node's log, whatever stage it happened at.
    this.log(
      work.firing.nodeId,
      work.firing.key,
      'stderr',
      `attempt ${work.firing.attempt} failed: ${reason}`,
    );
    this.stopWork(work);
    this.deps.observer?.taskFinished?.(work.firing.nodeType, 'failed', work.seconds);
    if (!work.started) this.markStarted(work);
    this.apply({ type: 'taskFailed', key: work.firing.key, reason });
  }

  /** The engine cancelled a firing: stop its timer and its tasks. */
  private cancelFiring(key: string): void {
    const work = this.work.get(key);
    if (work) this.stopWork(work);
  }

  private stopWork(work: FiringWork): void {
    this.work.delete(work.firing.key);
    if (work.timer) clearTimeout(work.timer);
    for (const key of work.remaining) {
      this.specToFiring.delete(key);
      void this.deps.executor.cancel(this.runId, key).catch(() => undefined);
    }
    work.remaining.clear();
  }

  // -------------------------------------------------------------------- run lifecycle

  private arm(): void {
    let resolve!: (s: RunState) => void;
    const promise = new Promise<RunState>((r) => (resolve = r));
    this.settled = { promise, resolve };
  }

  private startLifespan(): void {
    const ms = this.deps.maxLifespanMs;
    if (!ms || this.lifespanTimer) return;
    this.lifespanTimer = setTimeout(() => {
      this.lifespanTimer = undefined;
      this.cancel(
        `the run exceeded the maximum lifespan of ${Math.round(ms / 1000)} s and was stopped`,
      );
    }, ms);
  }

  /**
   * Put the uploads the graph's nodes name (`NodeTypeDef.assets`: a watermark image) into the
   * run directory as `assets/<uploadId>`, where their tasks look for them.
   */
  private async stageAssets(): Promise<void> {
    for (const node of this.run.graph.nodes) {
      const def = this.deps.library.get(node.type);
      if (!def?.assets) continue;
      for (const uploadId of def.assets(def.params.parse(node.params))) {
        const upload = this.deps.store.getUpload(uploadId);
        if (!upload) {
          throw new Error(
            `node ${node.id} names upload ${uploadId}, which does not exist: upload the file (POST /api/uploads) and use the uploadId it answers`,
          );
        }
        const target = resolveInside(this.dir.root, assetPath(uploadId));
        if (target === undefined) throw new Error(`upload id ${uploadId} is not a safe name`);
        await mkdir(dirname(target), { recursive: true });
        await link(upload.path, target).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return;
          await copyFile(upload.path, target);
        });
      }
    }
  }

  private async prepareInput(): Promise<Token> {
    await ensureRunDir(this.dir);
    const { input } = this.run;
    const name = basename(input.path);
    const target = `${this.dir.input}/${name}`;
    // A hard link costs nothing; across file systems fall back to a copy.
    await link(input.path, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      await copyFile(input.path, target);
    });
    // Probed already when it was handed over (the CLI does so to refuse a bad file early),
    // unless node types that judge the input need what that probe did not look at (its audio).
    const judged = this.run.graph.nodes.some((n) => {
      const def = this.deps.library.get(n.type);
      return def?.admit !== undefined || def?.review !== undefined;
    });
    const given = judged && input.media?.hasAudio === undefined ? undefined : input.media;
    const facts =
      given ??
      (await probeMedia(target).catch((err: Error) => {
        throw new Error(`the input video ${name} cannot be used: ${err.message}`);
      }));
    this.source = sourceMedia(facts);
    const { size } = await stat(target);
    return {
      id: 'input',
      dataType: 'video',
      path: `input/${name}`,
      via: 'shared',
      durationSeconds: facts.durationSeconds,
      width: facts.width,
      height: facts.height,
      codec: facts.codec,
      bytes: size,
    };
  }

  private finish(state: RunState, reason: string): void {
    this.deps.store.transaction(() => this.saveRunState(state, reason));
    this.deps.publish('run:state', { runId: this.runId, state, reason });
    void this.settle(state);
  }

  private saveRunState(state: RunState, reason?: string): void {
    const terminal = isTerminalRunState(state);
    this.deps.store.updateRun(this.runId, {
      state,
      reason: reason ?? null,
      ...(state === 'running' && !this.run.startedAt
        ? { startedAt: new Date().toISOString() }
        : {}),
      finishedAt: terminal ? new Date().toISOString() : null,
    });
    if (!(state === 'running' && this.run.state === 'running')) {
      this.deps.store.appendEvent(this.runId, 'run:state', { state, reason });
    }
    this.run = this.deps.store.getRun(this.runId)!;
    this.deps.observer?.runState?.(this.runId, state);
  }

  /** The run ended: remove what the executor still holds, close logs, wake waiters. */
  private settle(state: RunState): Promise<void> {
    const episode = this.settled;
    if (episode.ending) return episode.ending;
    if (this.lifespanTimer) clearTimeout(this.lifespanTimer);
    this.lifespanTimer = undefined;
    for (const work of [...this.work.values()]) this.stopWork(work);
    episode.ending = (async () => {
      // A service created after the cleanup would be left behind: let launches return first.
      await Promise.allSettled([...this.launching]);
      await this.deps.executor.cleanupRun(this.runId).catch((err: Error) => {
        this.log('run', 'run', 'stderr', `cleanup failed: ${err.message}`);
      });
      await this.closeLogs();
      episode.resolve(state);
    })();
    return episode.ending;
  }

  // -------------------------------------------------------------------- logs and progress

  private log(nodeId: string, key: string, stream: 'stdout' | 'stderr', line: string): void {
    const text = `[${key}] ${line}\n`;
    this.deps.publish('log', { runId: this.runId, nodeId, key, stream, line });
    const path = nodeLogPath(this.dir, nodeId);
    if (!path) return;
    if (this.settled.ending) {
      // A straggler after the run ended: no stream stays open for it.
      void appendFile(path, text).catch(() => undefined);
      return;
    }
    let out = this.logs.get(nodeId);
    if (!out) {
      out = createWriteStream(path, { flags: 'a' });
      out.on('error', () => undefined);
      this.logs.set(nodeId, out);
    }
    out.write(text);
  }

  private async closeLogs(): Promise<void> {
    const streams = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(streams.map((s) => new Promise<void>((r) => s.end(r))));
  }

  private progress(
    work: FiringWork,
    key: string,
    fraction: number,
    outTimeSeconds: number,
    speed?: number,
  ): void {
    this.markStarted(work);
    const now = Date.now();
    const last = this.lastProgress.get(key) ?? 0;
    // Throttled: ffmpeg reports twice a second per task; watchers need far less.
    if (now - last < (this.deps.progressIntervalMs ?? 250) && fraction < 1) return;
    this.lastProgress.set(key, now);
    const clamped = Math.max(0, Math.min(1, fraction));
    const { firing } = work;
    this.deps.store.upsertTask(this.runId, { ...this.taskIds(firing), progress: clamped });
    this.deps.publish('task:progress', {
      runId: this.runId,
      key: firing.key,
      nodeId: firing.nodeId,
      index: firing.index,
      fraction: clamped,
      outTimeSeconds: Math.max(0, outTimeSeconds),
      ...(speed !== undefined ? { speed } : {}),
    });
  }

  /** Send the executor's events about `spec` to `firing`. */
  private route(spec: TaskSpec, firing: Firing): void {
    this.specToFiring.set(spec.key, firing.key);
    this.specNodes.set(spec.key, firing.nodeId);
  }

  /** Whether a node's output goes to a sink (its videos are then published outputs). */
  private feedsSink(nodeId: string): boolean {
    const { graph } = this.run;
    return graph.edges.some((e) => {
      if (e.from.node !== nodeId) return false;
      const def = this.deps.library.get(graph.nodes.find((n) => n.id === e.to.node)?.type ?? '');
      // A node without outputs ends the flow: a sink, or a gather such as a ladder's stream.
      return def !== undefined && !def.ports.some((p) => p.direction === 'out');
    });
  }

  private taskIds(firing: Firing) {
    return { key: firing.key, nodeId: firing.nodeId, index: firing.index };
  }
}
