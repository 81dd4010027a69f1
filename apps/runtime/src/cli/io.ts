import { readFile } from 'node:fs/promises';
import { oneLine } from './format.js';

/** stdout / stderr once their reader has gone: nothing more is written to them. */
const closed = new Set<NodeJS.WriteStream>();

/** Where a command writes: injectable so tests capture output without a subprocess. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => void (closed.has(process.stdout) || process.stdout.write(text)),
  stderr: (text) => void (closed.has(process.stderr) || process.stderr.write(text)),
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

/**
 * Quietly stop writing to stdout or stderr once its reader has gone (`reelflow export ... |
 * head -1`, a closed descriptor): the command finishes and exits with its own code, where Node
 * would otherwise die of an unhandled EPIPE with a stack trace. Call once, from the binary.
 */
export function guardClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (closed.has(stream)) return;
      closed.add(stream);
      if (err.code === 'EPIPE' || err.code === 'EBADF' || err.code === 'ERR_STREAM_DESTROYED') {
        return;
      }
      if (stream === process.stdout && !closed.has(process.stderr)) {
        process.stderr.write(`reelflow: cannot write the output: ${err.message}\n`);
      }
      process.exitCode = 2;
    });
  }
}
/**
 * Text of a file read as UTF-8: a UTF-8 byte order mark is dropped; UTF-16 (by its byte order
 * mark, or by the NUL bytes it puts beside ASCII text) and other binary content are refused with
 * one line naming the file and the encoding.
 */
export function decodeText(bytes: Uint8Array, path: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    throw new UsageError(`${path} is UTF-16 (little-endian byte order mark); save it as UTF-8`);
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    throw new UsageError(`${path} is UTF-16 (big-endian byte order mark); save it as UTF-8`);
  }
  const sample = bytes.subarray(0, 4096);
  const firstNul = sample.indexOf(0);
  if (firstNul >= 0) {
    const nuls = sample.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
    if (nuls * 4 >= sample.length) {
      const order = firstNul % 2 === 1 ? 'little-endian' : 'big-endian';
      throw new UsageError(
        `${path} looks like UTF-16 (${order}, no byte order mark: NUL bytes between the characters); save it as UTF-8`,
      );
    }
    throw new UsageError(`${path} has a NUL byte at offset ${firstNul}: not a text file`);
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('utf8');
}

/** Read a file as text; a missing, unreadable or non-UTF-8 file is a UsageError naming it. */
export async function readText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : oneLine(String((err as Error).message));
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
  return decodeText(bytes, path);
}

/** Parse JSON text read from `path`; a syntax error is a one-line UsageError with the file name. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${oneLine((err as Error).message)}`);
  }
}

/** Read and parse a JSON file; a syntax error is a UsageError with the file name. */
export async function readJson(path: string): Promise<unknown> {
  return parseJsonText(await readText(path), path);
}
