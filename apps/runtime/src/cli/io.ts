import { readFile } from 'node:fs/promises';

/** Where a command writes: injectable so tests capture output without a subprocess. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

/** An error a person caused (bad argument, unreadable file): exit 2 with one line. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Read a file as text; a missing or unreadable file is a UsageError naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String((err as Error).message);
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}

/** Read and parse a JSON file; a syntax error is a UsageError with the file name. */
export async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
