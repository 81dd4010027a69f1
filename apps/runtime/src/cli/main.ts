import { calibrateCommand } from './commands/calibrate.js';
import { exportCommand, importCommand } from './commands/convert.js';
import { runGraphCommand } from './commands/run.js';
import { serveGraphCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { validateCommand } from './commands/validate.js';
import { oneLine } from './format.js';
import { processIO, UsageError, type CliIO } from './io.js';

export { guardClosedPipes } from './io.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const USAGE = `Usage: reelflow <command> [options]

Commands:
  validate GRAPH [--constraints FILE.ocl]... [--json]
  simulate GRAPH [--chunks N] [--workers K] [--cores C] [--duration S]
      [--calibration FILE] [--json]
  calibrate [--executor swarm|local] [--light-tasks runtime|cluster] [--seconds S]
      [--out FILE] [--json]
  run GRAPH --input VIDEO [--executor swarm|local] [--light-tasks runtime|cluster]
      [--out DIR] [--data-dir DIR] [--json]
  serve [--port 8080] [--host 127.0.0.1] [--executor swarm|local]
        [--light-tasks runtime|cluster] [--data-dir DIR] [--max-concurrent-runs N]
        [--max-lifespan-minutes M] [--allow-image IMAGE]... [--new-token] [--calibration FILE]
  export GRAPH --format fbp-json|dot [--out FILE]
  import FILE.json|FILE.fbp [--out GRAPH]

Add --debug to any command for stack traces.
`;

const COMMANDS: Record<string, Command> = {
  validate: validateCommand,
  simulate: simulateCommand,
  calibrate: calibrateCommand,
  run: runGraphCommand,
  serve: serveGraphCommand,
  export: exportCommand,
  import: importCommand,
};

/** Run the CLI; resolves to the exit code. Errors become one line on stderr (stack with --debug). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`reelflow: unknown command '${name}' (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`reelflow ${name}: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    io.stderr(`reelflow ${name}: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 2;
  }
}
