import { serveCommand } from '../../server/cli-serve.js';
import { intOption, parse } from '../args.js';
import type { CliIO } from '../io.js';
import { executorOptions } from './run.js';

/**
 * `reelflow serve [--port 8080] [--host 127.0.0.1] [--executor swarm|local] [--light-tasks runtime|cluster] [--data-dir DIR]
 * [--max-concurrent-runs N] [--max-lifespan-minutes M] [--allow-image IMAGE]... [--new-token] [--calibration FILE]`
 *
 * With a `--host` other than a loopback address every API call needs the access token.
 */
export async function serveGraphCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    'serve',
    argv,
    {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      executor: { type: 'string' },
      'light-tasks': { type: 'string' },
      'data-dir': { type: 'string' },
      'max-concurrent-runs': { type: 'string' },
      'max-lifespan-minutes': { type: 'string' },
      'allow-image': { type: 'string', multiple: true },
      'new-token': { type: 'boolean' },
      calibration: { type: 'string' },
    },
    [],
  );
  const port = intOption('port', values.port, 8080, 0, 65_535);
  const { executor, lightTasks } = executorOptions(values);
  const maxConcurrentRuns =
    values['max-concurrent-runs'] === undefined
      ? undefined
      : intOption('max-concurrent-runs', values['max-concurrent-runs'], 2, 1, 1_000);
  const lifespanMinutes =
    values['max-lifespan-minutes'] === undefined
      ? undefined
      : intOption('max-lifespan-minutes', values['max-lifespan-minutes'], 0, 1, 100_000);
  return serveCommand(
    {
      port,
      host: values.host,
      executor,
      lightTasks,
      dataDir: values['data-dir'],
      newToken: values['new-token'],
      allowImages: values['allow-image'],
    },
    {
      log: (line) => io.stdout(`${line}\n`),
      runtime: {
        ...(maxConcurrentRuns !== undefined ? { maxConcurrentRuns } : {}),
        ...(lifespanMinutes !== undefined ? { maxLifespanMs: lifespanMinutes * 60_000 } : {}),
        ...(values.calibration !== undefined ? { calibrationFile: values.calibration } : {}),
      },
    },
  );
}
