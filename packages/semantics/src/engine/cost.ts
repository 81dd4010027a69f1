import type { Calibration, GraphNode, MediaInfo, NodeTypeDef } from '@reelflow/fbp-model';

/**
 * The reference machine: about 2.5× real time per core for a software 720p H.264 veryfast
 * encode, copies at 50× real time, and a second to get a task's container going. A runtime
 * that has measured its own workers replaces it.
 */
export const DEFAULT_CALIBRATION: Calibration = {
  encodeSecondsPerSecond: 0.4,
  copySecondsPerSecond: 0.02,
  taskOverheadSeconds: 1,
};

/** The node's parameters with its type's defaults filled in; the raw ones if they are invalid. */
export function resolveParams(def: NodeTypeDef, node: GraphNode): Record<string, unknown> {
  const parsed = def.params.safeParse(node.params);
  return parsed.success ? (parsed.data as Record<string, unknown>) : node.params;
}

/** What one task of a node costs on a worker with `workerCores` cores. */
export interface TaskCost {
  /** Cores the task occupies, at least 1 and at most a whole worker. */
  readonly cores: number;
  /** Wall-clock seconds, never negative. */
  readonly seconds: number;
}

/**
 * The cost model of one task. `estimateSeconds` is work on one core-equivalent, so a task
 * holding k cores takes a k-th of it (ffmpeg's encoders scale close to linearly on the few
 * cores a task gets). A broken estimate (NaN, negative) counts as free rather than
 * poisoning the makespan.
 */
export function taskCost(
  def: NodeTypeDef,
  params: Record<string, unknown>,
  media: MediaInfo,
  calibration: Calibration,
  workerCores: number,
): TaskCost {
  const wanted = def.cores(params);
  const cores = Math.min(
    workerCores,
    Math.max(1, Number.isFinite(wanted) ? Math.round(wanted) : 1),
  );
  const work = def.estimateSeconds(params, media, calibration);
  return { cores, seconds: Number.isFinite(work) && work > 0 ? work / cores : 0 };
}

/**
 * What one fused task of sibling nodes costs (`NodeTypeDef.fusion`): the node type's own
 * estimate of the fused work (one decode, every node's encode), on the cores it asks for.
 * Without a fusion, the first node's cost.
 */
export function fusedTaskCost(
  def: NodeTypeDef,
  params: readonly Record<string, unknown>[],
  media: MediaInfo,
  calibration: Calibration,
  workerCores: number,
): TaskCost {
  if (!def.fusion) return taskCost(def, params[0]!, media, calibration, workerCores);
  const wanted = def.fusion.cores(params);
  const cores = Math.min(
    workerCores,
    Math.max(1, Number.isFinite(wanted) ? Math.round(wanted) : 1),
  );
  const work = def.fusion.estimateSeconds(params, media, calibration);
  return { cores, seconds: Number.isFinite(work) && work > 0 ? work / cores : 0 };
}
