import Docker from 'dockerode';
import type { ExecutorCapabilities } from '@reelflow/fbp-model';
import { swarmCapabilities, type SwarmNodeInfo } from './capabilities.js';
import { DockerFrameDecoder } from './docker-logs.js';
import { EventHub } from './events.js';
import { LineSplitter } from './lines.js';
import { CONTAINER_STORAGE_ROOT, LABEL, type NodeCapacity, serviceSpec } from './swarm-spec.js';
import { TaskOutput, type TaskIdentity } from './task-output.js';
import { writeTaskFiles } from './task-files.js';
import type { Executor, ExecutorEvent, LaunchRequest } from './types.js';

export interface SwarmExecutorOptions {
  /** The engine of a swarm manager. Default: `new Docker()` (DOCKER_HOST or /var/run/docker.sock). */
  readonly docker?: Docker;
  /** Replaces every spec's image, e.g. with a registry image on a real cluster. */
  readonly image?: string;
  /** When set, only these images may be launched; any other task fails without a service. */
  readonly allowedImages?: readonly string[];
  /** Milliseconds between two reads of the task list. Default 250. */
  readonly pollIntervalMs?: number;
  /** How long the engine may stay unreachable before running tasks are reported failed. Default 30 s. */
  readonly engineLossTimeoutMs?: number;
  /** Seconds a stopped task gets between SIGTERM and SIGKILL. Default 2. */
  readonly stopGraceSeconds?: number;
  /** Minimum milliseconds between two progress events of one task. */
  readonly progressIntervalMs?: number;
  /**
   * The engine API of a swarm node, used to remove task containers there (swarm leaves the
   * containers of finished jobs behind). Default: the manager's own engine for its own node.
   */
  readonly engineForNode?: (nodeId: string) => Docker | undefined;
}

/** Task states after which swarm does nothing more with a task. */
const TERMINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'remove', 'orphaned']);
/** States in which the task's container exists and has started. */
const STARTED = new Set(['running', 'complete', 'failed', 'shutdown']);
/**
 * Node states in which a node's tasks can no longer report. Swarm leaves such a task `running`
 * (a replicated job on a lost node is neither failed nor rescheduled), so the executor calls it
 * failed itself and the runtime's retry runs it elsewhere.
 */
const LOST_NODE = new Set(['down', 'disconnected']);
/** Least milliseconds between two reads of the node list while tasks run. */
const NODE_CHECK_MS = 1_000;
/** A launched service whose task list stays empty this long is checked for removal by others. */
const MISSING_TASK_CHECK_MS = 10_000;
/** After one of our containers starts or dies, read the task list every 40 ms for 1.5 s. */
const BURST_MS = 1500;
const BURST_INTERVAL_MS = 40;
/** Bound on reading a finished task's whole log. */
const LOG_DRAIN_TIMEOUT_MS = 10_000;
/** Between two tries of a call to an engine that is away (restarting). */
const ENGINE_RETRY_MS = 500;
/** Bound on waiting for swarm to stop a task whose service is being retired. */
const STOP_WAIT_MS = 15_000;

/** The fields of a swarm task this executor reads (dockerode types tasks as `any`). */
interface SwarmTask {
  readonly ID: string;
  readonly ServiceID: string;
  readonly NodeID?: string;
  readonly Status: {
    readonly State: string;
    readonly Message?: string;
    readonly Err?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number };
  };
}

interface LogFollow {
  readonly stream: NodeJS.ReadableStream & { destroy?: () => void };
  /** Lines delivered per stream, so the final catch-up read skips what was already sent. */
  readonly counts: { stdout: number; stderr: number };
}

interface Tracked extends TaskIdentity {
  readonly serviceId: string;
  readonly argv0: string;
  readonly output: TaskOutput;
  readonly launchedAt: number;
  startedAt?: number;
  nodeId?: string;
  logs?: LogFollow;
  pendingError?: string;
  /** The task reached a final state and its logs are being drained. */
  finishing?: boolean;
  /** Cancelled or cleaned up: no more events from the poll loop. */
  dropped?: boolean;
}

/**
 * Runs each task as a one-shot Docker Swarm service. The task list (read every
 * `pollIntervalMs`, and at once when a container dies) says when a task starts and how it
 * ends; its service logs become `log` and `progress` events. A finished service is removed
 * once its logs are drained, together with its container.
 */
export class SwarmExecutor implements Executor {
  readonly name = 'swarm' as const;
  private readonly docker: Docker;
  private readonly hub = new EventHub();
  private readonly tracked = new Map<string, Tracked>();
  /** Service id → its removal in progress; a second caller joins the first (see `retire`). */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly hostnames = new Map<string, string>();
  private capacity?: NodeCapacity;
  /** CPUs of all ready nodes together (from the last `refreshNodes`). */
  private readyCpus = 0;
  private localNodeId?: string;
  private nodesReadAt = -Infinity;
  private lostNodes = new Set<string>();
  private lostNodesReadAt = -Infinity;
  private unreachableSince?: number;
  /** Until when the task list is read every BURST_INTERVAL_MS (after a container started or died). */
  private burstUntil = -Infinity;
  private loopRunning = false;
  private wake?: () => void;
  private events?: NodeJS.ReadableStream & { destroy?: () => void };
  private watching = false;
  private closed = false;

  constructor(private readonly options: SwarmExecutorOptions = {}) {
    this.docker = options.docker ?? new Docker();
  }

  storageRoot(_runDir: string): string {
    return CONTAINER_STORAGE_ROOT;
  }

  /**
   * Four tasks per CPU of the swarm's ready nodes, at least 8: an encode reserves half a core
   * by default, so about half of them run and the rest wait in Swarm, created and ready to
   * start the moment a reservation frees.
   */
  async slots(): Promise<number> {
    await this.refreshNodes(true);
    return Math.max(8, Math.ceil(this.readyCpus * 4));
  }

  /** The swarm's ready, active nodes (see `swarmCapabilities`), read fresh. */
  async capabilities(): Promise<ExecutorCapabilities> {
    return swarmCapabilities((await this.docker.listNodes()) as SwarmNodeInfo[]);
  }

  async launch(request: LaunchRequest): Promise<void> {
    const id = trackId(request.runId, request.spec.key);
    if (this.tracked.has(id))
      throw new Error(`task ${request.spec.key} of run ${request.runId} is already running`);
    const identity = { runId: request.runId, key: request.spec.key, attempt: request.attempt };
    const image = this.options.image ?? request.spec.image;
    if (this.options.allowedImages && !this.options.allowedImages.includes(image)) {
      this.hub.emit({
        type: 'failed',
        ...identity,
        exitCode: null,
        reason: `image '${image}' is not on the allowlist (${this.options.allowedImages.join(', ')})`,
      });
      return;
    }
    let serviceId: string;
    try {
      await writeTaskFiles(request.runDir, request.spec);
      await this.refreshNodes();
      const spec = serviceSpec(request, {
        image,
        stopGraceSeconds: this.options.stopGraceSeconds ?? 2,
        capacity: this.capacity,
      });
      serviceId = (await this.whileEngineAway(() => this.docker.createService(spec))).id;
    } catch (error) {
      this.hub.emit({
        type: 'failed',
        ...identity,
        exitCode: null,
        reason: `could not create the swarm service: ${message(error)}`,
      });
      return;
    }
    this.track(identity, serviceId, request.spec.argv, request.spec);
  }

  /**
   * Make a call to the engine, trying again while the engine cannot be reached at all or is not
   * a working manager yet (it is restarting), for up to `engineLossTimeoutMs`: a launch during
   * a restart then waits for the engine instead of failing and using up the task's retries.
   * Only errors where the request cannot have been carried out are retried, so nothing is
   * created twice.
   */
  private async whileEngineAway<T>(call: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + (this.options.engineLossTimeoutMs ?? 30_000);
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (this.closed || !engineAway(error) || performance.now() >= deadline) throw error;
        await sleep(ENGINE_RETRY_MS);
      }
    }
  }

  /** Watch a task's service: its logs, and the task list until the task is final. */
  private track(
    identity: TaskIdentity,
    serviceId: string,
    argv: readonly string[],
    progress: { reportsProgress?: boolean; durationSeconds?: number },
  ): void {
    const output = new TaskOutput(this.hub, identity, {
      ...progress,
      progressIntervalMs: this.options.progressIntervalMs,
    });
    const task: Tracked = {
      ...identity,
      serviceId,
      argv0: argv[0] ?? '',
      output,
      launchedAt: performance.now(),
    };
    this.tracked.set(trackId(identity.runId, identity.key), task);
    this.watchEvents();
    this.followLogs(task);
    this.ensurePolling();
  }

  async cancel(runId: string, key: string): Promise<void> {
    const task = this.tracked.get(trackId(runId, key));
    if (task) {
      this.drop(task);
      await this.retire(task.serviceId);
      this.hub.emit({ type: 'cancelled', runId, key, attempt: task.attempt });
      return;
    }
    // Not launched by this process (e.g. before a restart): retire whatever carries its labels.
    const services = await this.servicesOf(runId, key);
    await Promise.all(services.map((s) => this.retire(s.ID)));
  }

  async cleanupRun(runId: string): Promise<void> {
    const ours = [...this.tracked.values()].filter((t) => t.runId === runId);
    for (const task of ours) this.drop(task);
    // Every removal is awaited, including those a cancel started, and one that fails does not
    // stop the others: a service given up on here would stay in the swarm for good.
    let failures = await this.retireAll(runId);
    // A removal that failed (e.g. the engine was busy) gets one more, fresh try.
    if (failures.length > 0) failures = await this.retireAll(runId);
    await this.removeLocalContainers(runId);
    for (const task of ours)
      this.hub.emit({ type: 'cancelled', runId, key: task.key, attempt: task.attempt });
    if (failures.length > 0) throw failures[0];
  }

  /** Retire every service of a run and wait for all removals in progress; the errors. */
  private async retireAll(runId: string): Promise<unknown[]> {
    const services = await this.servicesOf(runId);
    const removals = [...services.map((s) => this.retire(s.ID)), ...this.retiring.values()];
    const results = await Promise.allSettled(removals);
    return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  }

  /**
   * The run's tasks as swarm knows them, from the services carrying its label. Tasks still
   * running that this executor does not watch (it was restarted) are adopted: their logs,
   * progress and final event are reported from now on.
   */
  async listRunTasks(
    runId: string,
  ): Promise<Array<{ key: string; attempt: number; state: 'running' | 'succeeded' | 'failed' }>> {
    const services = await this.servicesOf(runId);
    if (services.length === 0) return [];
    const tasks = await this.tasksOf(services.map((s) => s.ID));
    return services.map((service) => {
      const labels = service.Spec?.Labels ?? {};
      const identity = {
        runId,
        key: labels[LABEL.task] ?? '',
        attempt: Number(labels[LABEL.attempt] ?? 0),
      };
      const state = tasks.find((t) => t.ServiceID === service.ID)?.Status.State;
      if (state === 'complete')
        return { key: identity.key, attempt: identity.attempt, state: 'succeeded' };
      if (state !== undefined && TERMINAL.has(state))
        return { key: identity.key, attempt: identity.attempt, state: 'failed' };
      if (!this.tracked.has(trackId(runId, identity.key))) this.adopt(identity, service);
      return { key: identity.key, attempt: identity.attempt, state: 'running' };
    });
  }

  private adopt(identity: TaskIdentity, service: Docker.Service): void {
    const template = service.Spec?.TaskTemplate;
    const argv = (template && 'ContainerSpec' in template && template.ContainerSpec?.Command) || [];
    const duration = Number(service.Spec?.Labels?.[LABEL.duration]);
    this.track(identity, service.ID, argv, {
      reportsProgress: argv.includes('-progress'),
      ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}),
    });
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    return this.hub.on(listener);
  }

  /**
   * Stop watching. Services still running are left alone on purpose: a restarted runtime finds
   * them with `listRunTasks` (or removes them with `cleanupRun`).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.events?.destroy?.();
    for (const task of this.tracked.values()) task.logs?.stream.destroy?.();
    this.tracked.clear();
    await Promise.allSettled(this.retiring.values());
  }

  // ---- task list polling ---------------------------------------------------------------

  private ensurePolling(): void {
    if (this.loopRunning) return this.wake?.();
    this.loopRunning = true;
    void this.pollLoop();
  }

  private async pollLoop(): Promise<void> {
    while (!this.closed && this.watched().length > 0) {
      await this.pollOnce();
      await new Promise<void>((resolve) => {
        const bursting = performance.now() < this.burstUntil;
        const timer = setTimeout(
          resolve,
          bursting ? BURST_INTERVAL_MS : (this.options.pollIntervalMs ?? 250),
        );
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.loopRunning = false;
  }

  /** Tasks whose final state is not known yet. */
  private watched(): Tracked[] {
    return [...this.tracked.values()].filter((t) => !t.finishing && !t.dropped);
  }

  private async pollOnce(): Promise<void> {
    const watched = this.watched();
    if (watched.length === 0) return;
    let tasks: SwarmTask[];
    try {
      tasks = await this.tasksOf(watched.map((t) => t.serviceId));
      this.unreachableSince = undefined;
    } catch (error) {
      this.onEngineError(watched, error);
      return;
    }
    await this.readLostNodes(tasks);
    for (const tracked of watched) {
      void this.observe(
        tracked,
        tasks.find((t) => t.ServiceID === tracked.serviceId),
      );
    }
  }

  /** Which nodes running our tasks are down (read at most once per NODE_CHECK_MS). */
  private async readLostNodes(tasks: SwarmTask[]): Promise<void> {
    const placed = tasks.some((t) => t.NodeID && !TERMINAL.has(t.Status.State));
    if (!placed || performance.now() - this.lostNodesReadAt < NODE_CHECK_MS) return;
    this.lostNodesReadAt = performance.now();
    const nodes = (await this.docker.listNodes().catch(() => undefined)) as
      Array<{ ID: string; Status?: { State?: string } }> | undefined;
    if (!nodes) return;
    this.lostNodes = new Set(
      nodes.filter((n) => LOST_NODE.has(n.Status?.State ?? '')).map((n) => n.ID),
    );
  }

  private async observe(tracked: Tracked, task: SwarmTask | undefined): Promise<void> {
    if (tracked.dropped || tracked.finishing) return;
    if (!task) return this.checkServiceStillExists(tracked);
    const state = task.Status.State;
    tracked.nodeId = task.NodeID || tracked.nodeId;
    if (STARTED.has(state)) this.markStarted(tracked);
    if (!TERMINAL.has(state)) {
      if (task.NodeID && this.lostNodes.has(task.NodeID))
        return this.failOnLostNode(tracked, task.NodeID);
      return this.reportPendingError(tracked, task);
    }
    tracked.finishing = true; // before any await: the next poll must not finish it twice
    await this.drainLogs(tracked);
    if (tracked.dropped) return;
    this.tracked.delete(trackId(tracked.runId, tracked.key));
    this.hub.emit(this.finalEvent(tracked, task));
    this.retireInBackground(tracked.serviceId);
  }

  private finalEvent(tracked: Tracked, task: SwarmTask): ExecutorEvent {
    const { State: state, Err: err, Message: note } = task.Status;
    const exitCode = task.Status.ContainerStatus?.ExitCode;
    if (state === 'complete') {
      const seconds = (performance.now() - (tracked.startedAt ?? tracked.launchedAt)) / 1000;
      return {
        type: 'succeeded',
        ...identityOf(tracked),
        seconds,
      };
    }
    const what =
      state === 'failed' && exitCode !== undefined && exitCode !== 0
        ? `${tracked.argv0} exited with code ${exitCode}`
        : state === 'rejected'
          ? `swarm rejected the task: ${err || note || 'no reason given'}`
          : `the task ended as '${state}' in swarm: ${err || note || 'no reason given'}`;
    return {
      type: 'failed',
      ...identityOf(tracked),
      exitCode: state === 'failed' && exitCode !== undefined ? exitCode : null,
      reason: tracked.output.failureReason(what),
    };
  }

  /** The task's node is lost: report the task failed (a retry runs it elsewhere) and retire it. */
  private failOnLostNode(tracked: Tracked, nodeId: string): void {
    this.drop(tracked);
    const host = this.hostnameOf(nodeId);
    this.hub.emit({
      type: 'failed',
      runId: tracked.runId,
      key: tracked.key,
      attempt: tracked.attempt,
      exitCode: null,
      reason: `swarm node ${nodeId}${host ? ` (${host})` : ''} is down; the task cannot finish there`,
    });
    this.retireInBackground(tracked.serviceId);
  }

  /** Synchronous, so `started` always precedes the task's first log line. */
  private markStarted(tracked: Tracked): void {
    if (tracked.startedAt !== undefined) return;
    tracked.startedAt = performance.now();
    const host = tracked.nodeId ? this.hostnameOf(tracked.nodeId) : undefined;
    this.hub.emit({
      type: 'started',
      ...identityOf(tracked),
      ...(host ? { host } : {}),
    });
  }

  /** Say once why a task waits (e.g. "no suitable node (insufficient resources on 1 node)"). */
  private reportPendingError(tracked: Tracked, task: SwarmTask): void {
    const err = task.Status.Err;
    if (!err || err === tracked.pendingError) return;
    tracked.pendingError = err;
    this.hub.emit({
      type: 'log',
      ...identityOf(tracked),
      stream: 'stderr',
      line: `swarm: ${err}`,
    });
  }

  private async checkServiceStillExists(tracked: Tracked): Promise<void> {
    if (performance.now() - tracked.launchedAt < MISSING_TASK_CHECK_MS) return;
    try {
      await this.docker.getService(tracked.serviceId).inspect();
    } catch (error) {
      if (statusOf(error) !== 404 || tracked.dropped || tracked.finishing) return;
      this.tracked.delete(trackId(tracked.runId, tracked.key));
      this.hub.emit({
        type: 'failed',
        ...identityOf(tracked),
        exitCode: null,
        reason: 'the swarm service was removed outside Reelflow',
      });
    }
  }

  private onEngineError(watched: Tracked[], error: unknown): void {
    const now = performance.now();
    this.unreachableSince ??= now;
    const limit = this.options.engineLossTimeoutMs ?? 30_000;
    if (now - this.unreachableSince < limit) return;
    for (const tracked of watched) {
      this.drop(tracked);
      this.hub.emit({
        type: 'failed',
        ...identityOf(tracked),
        exitCode: null,
        reason: `the Docker engine could not be reached for ${Math.round(limit / 1000)} s (${message(error)}); the task's outcome is unknown`,
      });
    }
  }

  // ---- container events ----------------------------------------------------------------

  /**
   * A task's container started or died: the manager learns the task's new state from the node's
   * agent a few tens of milliseconds later, so read the task list often for a short while.
   */
  private onContainerEvent(): void {
    this.burstUntil = performance.now() + BURST_MS;
    this.wake?.();
  }

  /**
   * Read the task list at once whenever one of our containers starts or dies (task state changes
   * produce no Docker events of their own); reconnect when the stream drops. Only the manager's
   * own containers show up here: other nodes' tasks are seen by polling.
   */
  private watchEvents(): void {
    if (this.watching) return;
    this.watching = true;
    void (async () => {
      let backoffMs = 250;
      while (!this.closed) {
        try {
          const stream = (await this.docker.getEvents({
            filters: { type: ['container'], event: ['start', 'die'], label: [LABEL.run] },
          })) as NodeJS.ReadableStream & { destroy?: () => void };
          this.events = stream;
          backoffMs = 250;
          this.wake?.(); // events may have been missed while disconnected
          await new Promise<void>((resolve) => {
            stream.on('data', () => this.onContainerEvent());
            stream.on('end', resolve);
            stream.on('close', resolve);
            stream.on('error', () => resolve());
          });
        } catch {
          // The engine is away; the poll loop reports tasks if it stays away.
        }
        if (this.closed) break;
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    })();
  }

  // ---- logs ----------------------------------------------------------------------------

  private followLogs(tracked: Tracked): void {
    const counts = { stdout: 0, stderr: 0 };
    const splitters = this.splitters(tracked, (stream) => {
      counts[stream]++;
      return true;
    });
    const decoder = new DockerFrameDecoder((stream, payload) => splitters[stream].push(payload));
    this.docker
      .getService(tracked.serviceId)
      .logs({ follow: true, stdout: true, stderr: true })
      .then((stream) => {
        const s = stream as unknown as LogFollow['stream'];
        if (tracked.finishing || tracked.dropped) return s.destroy?.();
        tracked.logs = { stream: s, counts };
        s.on('data', (chunk: Buffer) => decoder.push(chunk));
        s.on('error', () => {}); // the final catch-up read fills any gap
      })
      .catch(() => {});
  }

  /**
   * The follow stream never ends by itself and may lag behind; once the task is final, read the
   * whole log once and emit the lines the follow stream had not delivered yet.
   */
  private async drainLogs(tracked: Tracked): Promise<void> {
    const delivered = tracked.logs?.counts ?? { stdout: 0, stderr: 0 };
    tracked.logs?.stream.destroy?.();
    const seen = { stdout: 0, stderr: 0 };
    const splitters = this.splitters(tracked, (stream) => seen[stream]++ >= delivered[stream]);
    try {
      const all = (await this.docker
        .getService(tracked.serviceId)
        // Bounded: a node that went away may never answer for its task's logs.
        .logs({
          follow: false,
          stdout: true,
          stderr: true,
          abortSignal: AbortSignal.timeout(LOG_DRAIN_TIMEOUT_MS),
        })) as unknown as Buffer;
      new DockerFrameDecoder((stream, payload) => splitters[stream].push(payload)).push(
        Buffer.from(all),
      );
      splitters.stdout.end();
      splitters.stderr.end();
    } catch (error) {
      this.hub.emit({
        type: 'log',
        ...identityOf(tracked),
        stream: 'stderr',
        line: `swarm: task logs unavailable: ${message(error)}`,
      });
    }
  }

  /** Line splitters for both streams that pass each line to the task output when `admit` says so. */
  private splitters(tracked: Tracked, admit: (stream: 'stdout' | 'stderr') => boolean) {
    const make = (stream: 'stdout' | 'stderr') =>
      new LineSplitter((line) => {
        if (!admit(stream)) return;
        this.markStarted(tracked);
        tracked.output.line(stream, line);
      });
    return { stdout: make('stdout'), stderr: make('stderr') };
  }

  // ---- removal -------------------------------------------------------------------------

  private retireInBackground(serviceId: string): void {
    this.retire(serviceId).catch(() => {});
  }

  /**
   * Remove a task's service and its container. Removing a job service neither stops its running
   * task nor removes its container (moby/moby#42789, #44312), so first a job still running is
   * told to need no completions (its task's desired state becomes `remove`: the node's agent
   * stops and deletes the container, on whatever node it runs); containers on engines this
   * executor can reach are removed directly, which is faster and also covers finished tasks.
   */
  private retire(serviceId: string): Promise<void> {
    // Once per service, however many ask (a cancel and the run's cleanup race): two updates of
    // one service at once fail with "update out of sequence" and would leave it behind.
    let removal = this.retiring.get(serviceId);
    if (!removal) {
      removal = this.retireOnce(serviceId).finally(() => this.retiring.delete(serviceId));
      this.retiring.set(serviceId, removal);
    }
    return removal;
  }

  private async retireOnce(serviceId: string): Promise<void> {
    const service = this.docker.getService(serviceId);
    const live = (tasks: SwarmTask[]) => tasks.filter((t) => !TERMINAL.has(t.Status.State));
    const tasks = await this.tasksOf([serviceId]).catch(() => [] as SwarmTask[]);
    if (live(tasks).length > 0) await this.stopJob(service);
    await Promise.all(tasks.map((t) => this.removeContainer(t)));
    if (live(tasks).length > 0) {
      const deadline = performance.now() + STOP_WAIT_MS;
      while (performance.now() < deadline) {
        const now = await this.tasksOf([serviceId]).catch(() => [] as SwarmTask[]);
        await Promise.all(now.map((t) => this.removeContainer(t)));
        if (live(now).length === 0) break;
        await sleep(200);
      }
    }
    await service.remove().catch(ignoreStatus(404));
  }

  private async stopJob(service: Docker.Service): Promise<void> {
    // An update names the version it changes; when swarm moved the service on in between
    // ("update out of sequence"), read it again and retry.
    for (let tries = 1; ; tries++) {
      try {
        return await this.updateToNoCompletions(service);
      } catch (error) {
        if (tries >= 3 || !/out of sequence/.test(message(error))) throw error;
      }
    }
  }

  private async updateToNoCompletions(service: Docker.Service): Promise<void> {
    try {
      const info = await service.inspect();
      const spec = info.Spec;
      await service.update({
        _query: { version: info.Version.Index },
        _body: {
          ...spec,
          Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 0 } },
          TaskTemplate: {
            ...spec.TaskTemplate,
            ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1,
          },
        },
      } as unknown as Docker.ServiceSpec);
    } catch (error) {
      ignoreStatus(404)(error);
    }
  }

  private async removeContainer(task: SwarmTask): Promise<void> {
    const containerId = task.Status.ContainerStatus?.ContainerID;
    const engine = task.NodeID ? await this.engineFor(task.NodeID) : undefined;
    if (!containerId || !engine) return;
    await engine.getContainer(containerId).remove({ force: true }).catch(ignoreStatus(404, 409));
  }

  private async removeLocalContainers(runId: string): Promise<void> {
    const left = await this.docker
      .listContainers({ all: true, filters: { label: [`${LABEL.run}=${runId}`] } })
      .catch(() => []);
    await Promise.all(
      left.map((c) =>
        this.docker.getContainer(c.Id).remove({ force: true }).catch(ignoreStatus(404, 409)),
      ),
    );
  }

  private async engineFor(nodeId: string): Promise<Docker | undefined> {
    const custom = this.options.engineForNode?.(nodeId);
    if (custom) return custom;
    this.localNodeId ??= await this.docker
      .info()
      .then((i: { Swarm?: { NodeID?: string } }) => i.Swarm?.NodeID)
      .catch(() => undefined);
    return nodeId === this.localNodeId ? this.docker : undefined;
  }

  // ---- swarm reads ---------------------------------------------------------------------

  private async tasksOf(serviceIds: string[]): Promise<SwarmTask[]> {
    return (await this.docker.listTasks({ filters: { service: serviceIds } })) as SwarmTask[];
  }

  private async servicesOf(runId: string, key?: string): Promise<Docker.Service[]> {
    const label = [`${LABEL.run}=${runId}`, ...(key ? [`${LABEL.task}=${key}`] : [])];
    return (await this.docker.listServices({ filters: { label } })) as unknown as Docker.Service[];
  }

  /** Node hostnames (for `started.host`) and the largest node (to cap reservations); read at most once a minute. */
  private async refreshNodes(force = false): Promise<void> {
    if (!force && performance.now() - this.nodesReadAt < 60_000) return;
    this.nodesReadAt = performance.now();
    const nodes = (await this.docker.listNodes().catch(() => [])) as Array<{
      ID: string;
      Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
      Status?: { State?: string };
      Spec?: { Availability?: string };
    }>;
    let nanoCpus = 0;
    let memoryBytes = 0;
    let readyNanoCpus = 0;
    for (const node of nodes) {
      if (node.Description?.Hostname) this.hostnames.set(node.ID, node.Description.Hostname);
      nanoCpus = Math.max(nanoCpus, node.Description?.Resources?.NanoCPUs ?? 0);
      memoryBytes = Math.max(memoryBytes, node.Description?.Resources?.MemoryBytes ?? 0);
      if (node.Status?.State === 'ready' && (node.Spec?.Availability ?? 'active') === 'active')
        readyNanoCpus += node.Description?.Resources?.NanoCPUs ?? 0;
    }
    if (nodes.length > 0) this.capacity = { nanoCpus, memoryBytes };
    this.readyCpus = readyNanoCpus / 1e9;
  }

  /** From the cache; a node not seen yet is looked up in the background for later tasks. */
  private hostnameOf(nodeId: string): string | undefined {
    if (!this.hostnames.has(nodeId)) void this.refreshNodes(true);
    return this.hostnames.get(nodeId);
  }

  private drop(task: Tracked): void {
    task.dropped = true;
    task.logs?.stream.destroy?.();
    this.tracked.delete(trackId(task.runId, task.key));
  }
}

function identityOf(task: TaskIdentity): TaskIdentity {
  return { runId: task.runId, key: task.key, attempt: task.attempt };
}

function trackId(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The engine is not there (no socket, connection refused) or not a working manager yet (503
 * right after a restart): the request was not carried out.
 */
function engineAway(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || statusOf(error) === 503;
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** A catch handler that ignores Docker API errors with the given HTTP statuses (gone, in progress). */
function ignoreStatus(...statuses: number[]): (error: unknown) => void {
  return (error) => {
    if (!statuses.includes(statusOf(error) ?? -1)) throw error;
  };
}

/**
 * An `engineForNode` for {@link SwarmExecutorOptions} from the engines of a cluster's nodes
 * (e.g. the worker sockets of scripts/cluster.sh): asks each engine for its swarm node id, so
 * the executor can remove finished task containers on every node, not only on the manager.
 */
export async function engineForNodes(
  engines: readonly Docker[],
): Promise<(nodeId: string) => Docker | undefined> {
  const byNode = new Map<string, Docker>();
  await Promise.all(
    engines.map(async (engine) => {
      const info = (await engine.info().catch(() => ({}))) as { Swarm?: { NodeID?: string } };
      if (info.Swarm?.NodeID) byNode.set(info.Swarm.NodeID, engine);
    }),
  );
  return (nodeId) => byNode.get(nodeId);
}
