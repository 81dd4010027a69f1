import { resolve } from 'node:path';
import type { ExecutorName, NodeLibrary } from '@reelflow/fbp-model';
import { openExecutor, type OpenedExecutor } from '../runs/cli-run.js';
import type { ExecutorFactoryOptions, LightTasks } from '../executors/detect.js';
import { isLoopbackHost } from './auth.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';

export interface ServeArgs {
  readonly port?: number;
  readonly host?: string;
  readonly executor?: ExecutorName;
  /** Where swarm runs stream copies (default `runtime`; see `ExecutorFactoryOptions.lightTasks`). */
  readonly lightTasks?: LightTasks;
  /** Database, uploads and run directories (default `./.reelflow`). */
  readonly dataDir?: string;
  /** Make a new access token (the old one stops working) and show it. */
  readonly newToken?: boolean;
  /** Images tasks may run in (default: the reelflow ffmpeg image). */
  readonly allowImages?: readonly string[];
}

export interface ServeDeps {
  /** Make the executor (default: the one asked for, else the best available). */
  readonly openExecutor?: (
    name?: ExecutorName,
    options?: ExecutorFactoryOptions,
  ) => Promise<OpenedExecutor>;
  readonly library?: NodeLibrary;
  /** Where to say what happens (default stdout). */
  readonly log?: (line: string) => void;
  /** Extra runtime options (lifespan, concurrency, designer folder). */
  readonly runtime?: Partial<RuntimeOptions>;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
}

/** The lines that show a new token: the only time it is ever shown. */
export function tokenNotice(token: string): string {
  return [
    `reelflow: access token (shown only now; --new-token makes another): ${token}`,
    '  send it as "Authorization: Bearer <token>", or open the designer once with ?token=<token>',
  ].join('\n');
}

function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (sig: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `reelflow serve [--port 8080] [--host 127.0.0.1] [--executor swarm|local] [--data-dir DIR]`:
 * the runtime API, socket.io and the built designer on one origin, until SIGINT/SIGTERM.
 * Runs still going at shutdown stay recorded and resume at the next start. Resolves to 0.
 */
export async function serveCommand(args: ServeArgs, deps: ServeDeps = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const allowedImages = args.allowImages?.length ? args.allowImages : undefined;
  const { executor, why } = await (deps.openExecutor ?? openExecutor)(args.executor, {
    lightTasks: args.lightTasks,
    ...(allowedImages ? { swarm: { allowedImages } } : {}),
  });
  if (why) log(why);
  const dataDir = resolve(args.dataDir ?? '.reelflow');
  const host = args.host ?? '127.0.0.1';
  // Anyone who can reach a non-loopback address could start runs: ask them for the token.
  const requireToken = deps.runtime?.requireToken ?? !isLoopbackHost(host);
  let runtime: Runtime;
  try {
    runtime = createRuntime({
      ...deps.runtime,
      dataDir,
      executor,
      port: args.port ?? 8080,
      host,
      library: deps.library,
      requireToken,
      rotateToken: args.newToken,
      ...(allowedImages ? { allowedImages } : {}),
    });
  } catch (err) {
    await executor.close();
    throw err;
  }
  try {
    const { url, newToken } = await runtime.start();
    log(`reelflow: serving on ${url} with the ${executor.name} executor (data in ${dataDir})`);
    if (newToken) log(tokenNotice(newToken));
    else if (requireToken)
      log(
        'reelflow: clients need the access token (shown once when made; --new-token makes another)',
      );
    await (deps.until ?? untilSignal());
    log('reelflow: stopping');
    return 0;
  } finally {
    await runtime.close();
    await executor.close();
  }
}
