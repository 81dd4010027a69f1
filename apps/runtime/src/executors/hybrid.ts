import type { ExecutorCapabilities } from '@reelflow/fbp-model';
import type { Executor, ExecutorEvent, LaunchRequest } from './types.js';

/**
 * Heavy tasks on the cluster, light ones beside the data: an executor that hands every task
 * launched with `light` (a stream copy: split, transfer, merge, stream) to `near`, which runs
 * it on the runtime's own machine next to the run directory, and every other task to
 * `cluster`. A copy of a few megabytes takes tens of milliseconds; scheduling it as a Swarm
 * service costs ~0.4 s of start-up and a CPU reservation that waits behind the encodes, on
 * the run's critical path each time. Outwardly it is the cluster executor: same name, same
 * events, one cleanup.
 */
export class HybridExecutor implements Executor {
  /** Where each launched task went, so cancel and listing ask the right executor. */
  private readonly placed = new Map<string, Executor>();

  constructor(
    private readonly cluster: Executor,
    private readonly near: Executor,
  ) {}

  get name(): Executor['name'] {
    return this.cluster.name;
  }

  storageRoot(runDir: string, light?: boolean): string {
    return this.pick(light).storageRoot(runDir, light);
  }

  /** The cluster's slots, plus a few for the copies running beside the run directory. */
  async slots(): Promise<number> {
    return ((await this.cluster.slots?.()) ?? 8) + NEAR_SLOTS;
  }

  /** The cluster's machines: the copies beside the data need no device or placement. */
  async capabilities(): Promise<ExecutorCapabilities> {
    if (this.cluster.capabilities) return this.cluster.capabilities();
    return { executor: this.name, placement: false, nodes: [] };
  }

  async launch(request: LaunchRequest): Promise<void> {
    const executor = this.pick(request.light);
    this.placed.set(placeKey(request.runId, request.spec.key), executor);
    await executor.launch(request);
  }

  async cancel(runId: string, key: string): Promise<void> {
    const executor = this.placed.get(placeKey(runId, key));
    // A task launched before a restart of the runtime is known to neither map: ask both.
    await Promise.all((executor ? [executor] : this.both()).map((e) => e.cancel(runId, key)));
  }

  async cleanupRun(runId: string): Promise<void> {
    await Promise.all(this.both().map((e) => e.cleanupRun(runId)));
    for (const key of this.placed.keys())
      if (key.startsWith(`${runId}\u0000`)) this.placed.delete(key);
  }

  async listRunTasks(runId: string): ReturnType<Executor['listRunTasks']> {
    const lists = await Promise.all(this.both().map((e) => e.listRunTasks(runId)));
    return lists.flat();
  }

  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    const stops = this.both().map((e) => e.onEvent(listener));
    return () => stops.forEach((stop) => stop());
  }

  async close(): Promise<void> {
    await Promise.all(this.both().map((e) => e.close()));
  }

  private pick(light: boolean | undefined): Executor {
    return light ? this.near : this.cluster;
  }

  private both(): Executor[] {
    return [this.cluster, this.near];
  }
}

/** Copies in flight beside the run directory on top of the cluster's tasks. */
const NEAR_SLOTS = 4;

function placeKey(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}
