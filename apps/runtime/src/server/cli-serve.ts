import { resolve } from 'node:path';
import type { ExecutorName, NodeLibrary } from '@reelflow/fbp-model';
import { openExecutor, type OpenedExecutor } from '../runs/cli-run.js';
import { createRuntime, type RuntimeOptions } from './runtime.js';

export interface ServeArgs {
  readonly port?: number;
  readonly host?: string;
  readonly executor?: ExecutorName;
  /** Database, uploads and run directories (default `./.reelflow`). */
  readonly dataDir?: string;
}

export interface ServeDeps {
  /** Make the executor (default: the one asked for, else the best available). */
  readonly openExecutor?: (name?: ExecutorName) => Promise<OpenedExecutor>;
  readonly library?: NodeLibrary;
  /** Where to say what happens (default stdout). */
  readonly log?: (line: string) => void;
  /** Extra runtime options (lifespan, concurrency, designer folder). */
  readonly runtime?: Partial<RuntimeOptions>;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
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
  const { executor, why } = await (deps.openExecutor ?? openExecutor)(args.executor);
  if (why) log(why);
  const dataDir = resolve(args.dataDir ?? '.reelflow');
  const runtime = createRuntime({
    ...deps.runtime,
    dataDir,
    executor,
    port: args.port ?? 8080,
    host: args.host ?? '127.0.0.1',
    library: deps.library,
  });
  try {
    const { url } = await runtime.start();
    log(`reelflow: serving on ${url} with the ${executor.name} executor (data in ${dataDir})`);
    await (deps.until ?? untilSignal());
    log('reelflow: stopping');
    return 0;
  } finally {
    await runtime.close();
    await executor.close();
  }
}
