export type { Executor, ExecutorEvent, LaunchRequest } from './types.js';
export { LocalExecutor, type LocalExecutorOptions } from './local.js';
export { engineForNodes, SwarmExecutor, type SwarmExecutorOptions } from './swarm.js';
export { CONTAINER_STORAGE_ROOT, LABEL, serviceSpec } from './swarm-spec.js';
export { HybridExecutor } from './hybrid.js';
export {
  createExecutor,
  LIGHT_TASKS,
  type LightTasks,
  detectExecutor,
  DEFAULT_TASK_IMAGE,
  type CreatedExecutor,
  type ExecutorChoice,
  type ExecutorFactoryOptions,
} from './detect.js';
export {
  ProgressParser,
  ProgressThrottle,
  isProgressLine,
  type ProgressSample,
} from './progress.js';
export { writeTaskFiles, resolveInside } from './task-files.js';
export {
  DEVICES_LABEL,
  localCapabilities,
  RENDER_NODE,
  swarmCapabilities,
  type SwarmNodeInfo,
} from './capabilities.js';
