import type Docker from 'dockerode';
import { LocalExecutor, type LocalExecutorOptions } from './local.js';
import type { SwarmExecutorOptions } from './swarm.js';
import type { Executor } from './types.js';

// Docker's client and the swarm executor load on first use: a local run never needs them, and
// dockerode alone takes ~90 ms to load, which every `reelflow run --executor local` would pay.
const newDocker = async (): Promise<Docker> => new (await import('dockerode')).default();

/** The image tasks run in unless configured otherwise (built by scripts/build-image.sh). */
export const DEFAULT_TASK_IMAGE = 'reelflow/ffmpeg:local';

/** Which executor can run here, and a sentence a person can read saying why. */
export interface ExecutorChoice {
  readonly kind: 'swarm' | 'local';
  readonly reason: string;
}

export interface ExecutorFactoryOptions {
  /** Engine to use and probe. Default: `new Docker()` (DOCKER_HOST or /var/run/docker.sock). */
  readonly docker?: Docker;
  /** Task image that must be present for swarm. Default `REELFLOW_IMAGE` or {@link DEFAULT_TASK_IMAGE}. */
  readonly image?: string;
  readonly swarm?: Omit<SwarmExecutorOptions, 'docker'>;
  readonly local?: LocalExecutorOptions;
  /**
   * Where swarm runs light tasks (stream copies: split, transfer, merge, stream): `runtime`
   * (default) as processes beside the run directory, `cluster` as services like every task.
   */
  readonly lightTasks?: LightTasks;
}

export const LIGHT_TASKS = ['runtime', 'cluster'] as const;
export type LightTasks = (typeof LIGHT_TASKS)[number];

/** Swarm when the engine answers, is a swarm manager and holds the task image; otherwise local. */
export async function detectExecutor(
  options: ExecutorFactoryOptions = {},
): Promise<ExecutorChoice> {
  const docker = options.docker ?? (await newDocker());
  const image = taskImage(options);
  const where = engineAddress(docker);
  const local = (why: string): ExecutorChoice => ({
    kind: 'local',
    reason: `${why}; running tasks as local processes`,
  });
  try {
    await withTimeout(docker.ping(), 3000);
  } catch (error) {
    return local(
      `no Docker engine answers at ${where} (${errorText(error)}); start one with scripts/engine.sh`,
    );
  }
  const info = (await docker.info().catch(() => ({}))) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  };
  if (info.Swarm?.LocalNodeState !== 'active') {
    return local(`the Docker engine at ${where} is not in swarm mode; run scripts/engine.sh`);
  }
  if (!info.Swarm.ControlAvailable) {
    return local(`the Docker engine at ${where} is a swarm worker, not a manager`);
  }
  try {
    await docker.getImage(image).inspect();
  } catch {
    return local(
      `the task image ${image} is missing at ${where}; build it with scripts/build-image.sh`,
    );
  }
  return {
    kind: 'swarm',
    reason: `the Docker engine at ${where} is a swarm manager and has ${image}`,
  };
}

/** An executor and why it was chosen. */
export interface CreatedExecutor {
  readonly executor: Executor;
  readonly choice: ExecutorChoice;
}

/**
 * Make an executor. `auto` picks swarm when {@link detectExecutor} says it can run, else
 * local; an explicit `swarm` that cannot run is an error carrying the reason.
 */
export async function createExecutor(
  kind: 'swarm' | 'local' | 'auto',
  options: ExecutorFactoryOptions = {},
): Promise<CreatedExecutor> {
  if (kind === 'local') {
    return {
      executor: new LocalExecutor(options.local),
      choice: { kind: 'local', reason: 'the local executor was asked for' },
    };
  }
  const choice = await detectExecutor(options);
  if (choice.kind === 'local') {
    if (kind === 'swarm')
      throw new Error(
        `cannot use the swarm executor: ${choice.reason.replace(/; running tasks as local processes$/, '')}`,
      );
    return { executor: new LocalExecutor(options.local), choice };
  }
  const docker = options.docker ?? (await newDocker());
  const [{ SwarmExecutor }, { HybridExecutor }] = await Promise.all([
    import('./swarm.js'),
    import('./hybrid.js'),
  ]);
  const swarm = new SwarmExecutor({
    ...options.swarm,
    docker,
    image: options.swarm?.image ?? taskImageOverride(options),
  });
  if (options.lightTasks === 'cluster') return { executor: swarm, choice };
  return {
    // The near side runs on the runtime's own machine: only the library's copy programs.
    executor: new HybridExecutor(
      swarm,
      new LocalExecutor({ ...options.local, allowedPrograms: ['ffmpeg', 'ffprobe', 'cp'] }),
    ),
    choice: {
      ...choice,
      reason: `${choice.reason}; stream copies (split, transfer, merge, stream) run beside the run directory`,
    },
  };
}

function taskImage(options: ExecutorFactoryOptions): string {
  return options.image ?? process.env.REELFLOW_IMAGE ?? DEFAULT_TASK_IMAGE;
}

// Only an image configured explicitly replaces the one each task spec names.
function taskImageOverride(options: ExecutorFactoryOptions): string | undefined {
  return options.image ?? process.env.REELFLOW_IMAGE;
}

function engineAddress(docker: Docker): string {
  const modem = docker.modem as {
    socketPath?: string | (() => Promise<string>);
    host?: string;
    port?: number | string;
  };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  // docker-modem's default is a function that picks the socket lazily: name the usual one.
  if (modem.socketPath) return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return modem.host ? `${modem.host}${modem.port ? `:${modem.port}` : ''}` : 'the default socket';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
