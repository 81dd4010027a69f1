import { spawn } from 'node:child_process';

/** What a finished child process left behind. */
export interface ProcResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock seconds from spawn to exit. */
  readonly seconds: number;
}

export interface ProcOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Forward stderr lines to this process's stderr as they come (progress of long runs). */
  readonly echoStderr?: boolean;
}

/**
 * This process's environment without tsx's own settings: tsx hands its (relative)
 * tsconfig path to children, which breaks a TypeScript child started in another directory.
 */
export function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TSX_')));
}

/** Run `argv` (never through a shell), timing it with the monotonic clock. */
export function run(argv: readonly string[], options: ProcOptions = {}): Promise<ProcResult> {
  const [program, ...args] = argv;
  if (!program) throw new Error('run: empty argv');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (options.echoStderr) process.stderr.write(b);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      }),
    );
  });
}

/** Run and insist on exit 0; the error names the command and its last stderr line. */
export async function runOk(
  argv: readonly string[],
  options: ProcOptions = {},
): Promise<ProcResult> {
  const result = await run(argv, options);
  if (result.code !== 0) {
    const last = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${argv.slice(0, 3).join(' ')} … exited ${result.code}: ${last}`);
  }
  return result;
}
