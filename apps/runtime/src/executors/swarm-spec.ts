import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { LaunchRequest } from './types.js';

/** Where the run directory appears inside every task container. */
export const CONTAINER_STORAGE_ROOT = '/data';

/** Labels on every service and container Reelflow makes (CONTRACTS section 5, plus attempt). */
export const LABEL = {
  run: 'reelflow.run',
  node: 'reelflow.node',
  task: 'reelflow.task',
  attempt: 'reelflow.attempt',
  /** On the service only: the media duration, so a restarted runtime can still show progress. */
  duration: 'reelflow.duration',
} as const;

/** The most a task may reserve: the largest node of the swarm (0 = unknown, no cap). */
export interface NodeCapacity {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
}

export interface ServiceSpecOptions {
  /** Replaces `spec.image`, e.g. with a registry image on a real cluster. */
  readonly image?: string;
  /** Seconds between SIGTERM and SIGKILL when a task is stopped. */
  readonly stopGraceSeconds: number;
  readonly capacity?: NodeCapacity;
}

/** The labels identifying one attempt of one task. */
export function taskLabels(request: LaunchRequest): Record<string, string> {
  return {
    ...request.spec.labels,
    [LABEL.run]: request.runId,
    [LABEL.node]: request.spec.nodeId,
    [LABEL.task]: request.spec.key,
    [LABEL.attempt]: String(request.attempt),
  };
}

/**
 * The swarm service that runs one attempt of one task: a one-shot job (`ReplicatedJob`, one
 * completion) that swarm never restarts (the runtime owns retries), on the host network, with
 * the run directory bind-mounted at `/data` and `argv` as the command (no shell anywhere).
 */
export function serviceSpec(
  request: LaunchRequest,
  options: ServiceSpecOptions,
): Docker.CreateServiceOptions {
  const { spec } = request;
  const labels = taskLabels(request);
  return {
    Name: serviceName(request),
    Labels: {
      ...labels,
      ...(spec.durationSeconds === undefined
        ? {}
        : { [LABEL.duration]: String(spec.durationSeconds) }),
    },
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image ?? spec.image,
        Command: [...spec.argv],
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Dir: CONTAINER_STORAGE_ROOT,
        Labels: labels,
        Mounts: mounts(request),
        StopGracePeriod: options.stopGraceSeconds * 1e9,
      },
      Resources: { Reservations: reservations(spec.resources, options.capacity) },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Placement: { Constraints: [...spec.placement] },
      // The predefined `host` network, named here and resolved by the manager (as the CLI's
      // `--network host` does): tasks reach the runtime on 127.0.0.1 and need no overlay.
      Networks: [{ Target: 'host' }],
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

/** A unique, valid service name (≤ 63 of `[a-z0-9-]`) that still says what the task is. */
export function serviceName(request: LaunchRequest): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const suffix = `${request.spec.index}-a${request.attempt}-${randomBytes(3).toString('hex')}`;
  const head = `rf-${slug(request.runId).slice(0, 20)}-${slug(request.spec.nodeId)}`.slice(
    0,
    62 - suffix.length,
  );
  return `${head.replace(/-+$/, '')}-${suffix}`;
}

function mounts(request: LaunchRequest): Docker.MountSettings[] {
  const runDir: Docker.MountSettings = {
    Type: 'bind',
    Source: request.runDir,
    Target: CONTAINER_STORAGE_ROOT,
  };
  const extra = request.spec.mounts
    .filter((m) => m.target !== CONTAINER_STORAGE_ROOT)
    .map((m): Docker.MountSettings => ({
      Type: m.type,
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly ?? false,
    }));
  return request.mountRunDir === false ? extra : [runDir, ...extra];
}

// A reservation larger than every node would leave the task pending forever; cap it at the
// largest node so the task still runs (alone) instead.
function reservations(
  resources: { cpus: number; memoryBytes: number },
  capacity?: NodeCapacity,
): Docker.Resources {
  const cap = (value: number, max: number | undefined) => (max ? Math.min(value, max) : value);
  return {
    NanoCPUs: Math.round(cap(resources.cpus * 1e9, capacity?.nanoCpus)),
    MemoryBytes: Math.round(cap(resources.memoryBytes, capacity?.memoryBytes)),
  };
}
