/**
 * The image allowlist: a runtime launches tasks only in images its operator named. Whatever
 * builds a task spec (today the runtime's own configuration, tomorrow perhaps a node type),
 * nothing else can make the engine pull and run an arbitrary image.
 */
import { DEFAULT_TASK_IMAGE } from '../executors/detect.js';
import { EventHub } from '../executors/events.js';
import type { Executor, ExecutorEvent, LaunchRequest } from '../executors/types.js';

interface ImageOptions {
  readonly image?: string;
  readonly allowedImages?: readonly string[];
}

/**
 * The allowlist of a runtime: the one given, else the reelflow ffmpeg image (plus
 * `REELFLOW_IMAGE`, which the operator sets as deliberately as a flag).
 */
export function allowedImagesOf(options: ImageOptions): readonly string[] {
  if (options.allowedImages) return options.allowedImages;
  const fromEnv = process.env.REELFLOW_IMAGE;
  return fromEnv && fromEnv !== DEFAULT_TASK_IMAGE
    ? [DEFAULT_TASK_IMAGE, fromEnv]
    : [DEFAULT_TASK_IMAGE];
}

/** The image a runtime's tasks run in; throws when it is not on the allowlist. */
export function allowedImage(options: ImageOptions): string {
  const image = options.image ?? process.env.REELFLOW_IMAGE ?? DEFAULT_TASK_IMAGE;
  const allowed = allowedImagesOf(options);
  if (!allowed.includes(image)) {
    throw new Error(
      `the task image ${image} is not on the allowlist (${allowed.join(', ')}); allow it with --allow-image ${image}`,
    );
  }
  return image;
}

/**
 * An executor that refuses to launch a spec whose image is not on `allowed`: the task fails
 * at once with the reason, and the wrapped executor never sees it.
 */
export function guardImages(inner: Executor, allowed: readonly string[]): Executor {
  const refusals = new EventHub();
  return {
    name: inner.name,
    storageRoot: (runDir, light) => inner.storageRoot(runDir, light),
    ...(inner.slots ? { slots: () => inner.slots!() } : {}),
    ...(inner.capabilities ? { capabilities: () => inner.capabilities!() } : {}),
    async launch(request: LaunchRequest) {
      if (allowed.includes(request.spec.image)) return inner.launch(request);
      const { runId, attempt } = request;
      refusals.emit({
        type: 'failed',
        runId,
        key: request.spec.key,
        attempt,
        exitCode: null,
        reason: `image '${request.spec.image}' is not on the allowlist (${allowed.join(', ')})`,
      });
    },
    cancel: (runId, key) => inner.cancel(runId, key),
    cleanupRun: (runId) => inner.cleanupRun(runId),
    listRunTasks: (runId) => inner.listRunTasks(runId),
    onEvent(listener: (event: ExecutorEvent) => void) {
      const offInner = inner.onEvent(listener);
      const offOwn = refusals.on(listener);
      return () => {
        offInner();
        offOwn();
      };
    },
    close: () => inner.close(),
  };
}
