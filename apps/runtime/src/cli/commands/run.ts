import { LIGHT_TASKS, type LightTasks } from '../../executors/detect.js';
import { runCommand } from '../../runs/cli-run.js';
import { enumOption, parse } from '../args.js';
import { UsageError, type CliIO } from '../io.js';

export const EXECUTORS = ['swarm', 'local'] as const;

/** `--executor` and `--light-tasks` as `run`, `serve` and `calibrate` take them. */
export function executorOptions(values: { executor?: string; 'light-tasks'?: string }): {
  executor?: (typeof EXECUTORS)[number];
  lightTasks?: LightTasks;
} {
  return {
    executor:
      values.executor === undefined
        ? undefined
        : enumOption('executor', values.executor, EXECUTORS, 'swarm'),
    lightTasks:
      values['light-tasks'] === undefined
        ? undefined
        : enumOption('light-tasks', values['light-tasks'], LIGHT_TASKS, 'runtime'),
  };
}

/** `reelflow run GRAPH --input VIDEO [--executor swarm|local] [--light-tasks runtime|cluster] [--out DIR] [--data-dir DIR] [--json]` */
export async function runGraphCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    'run',
    argv,
    {
      input: { type: 'string', short: 'i' },
      executor: { type: 'string' },
      'light-tasks': { type: 'string' },
      out: { type: 'string', short: 'o' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
    },
    ['graph'],
  );
  if (values.input === undefined) throw new UsageError('--input VIDEO is required');
  const { executor, lightTasks } = executorOptions(values);
  return runCommand(
    {
      graphPath: positionals[0]!,
      input: values.input,
      executor,
      lightTasks,
      out: values.out,
      json: values.json,
      dataDir: values['data-dir'],
    },
    io,
  );
}
