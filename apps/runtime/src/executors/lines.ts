/**
 * Splits a byte stream into text lines. ffmpeg ends its status lines with `\r`, so both `\r`
 * and `\n` end a line; empty lines are dropped. Bytes are decoded as UTF-8 across chunk
 * boundaries, so a character split between two chunks is not mangled.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = (this.partial + text).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.emit(line);
  }

  /** Emit what is left after the last line break (the stream ended). */
  end(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    this.emit(rest);
  }

  private emit(line: string): void {
    if (line.trim() !== '') this.onLine(line);
  }
}

/** All complete lines of a text, split the way {@link LineSplitter} splits a stream. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push(text);
  splitter.end();
  return lines;
}
