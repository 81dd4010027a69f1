/**
 * Parser for ffmpeg's `-progress pipe:1` output, shared by every executor: ffmpeg writes
 * blocks of `key=value` lines, each closed by `progress=continue` (or `progress=end` when done).
 */

/** One closed progress block, reduced to what Reelflow shows. */
export interface ProgressSample {
  /** Media time written so far, in seconds. */
  readonly outTimeSeconds: number;
  /** 0..1 when the expected duration is known; 1 once ffmpeg reports `progress=end`. */
  readonly fraction: number;
  /** Encoding speed relative to real time (`1.5x` → 1.5), when ffmpeg knows it. */
  readonly speed?: number;
  /** True for the last block (`progress=end`). */
  readonly end: boolean;
}

const KEY_VALUE = /^([a-z][a-z0-9_]*)=(.*)$/;

/** True when a stdout line looks like part of a `-progress` block. */
export function isProgressLine(line: string): boolean {
  return KEY_VALUE.test(line.trim());
}

/** Reads `-progress` lines one at a time and returns a sample whenever a block closes. */
export class ProgressParser {
  private block = new Map<string, string>();

  /** @param durationSeconds expected media duration; without it `fraction` stays 0 until the end. */
  constructor(private readonly durationSeconds?: number) {}

  /** Feed one line; returns a sample when the line closes a block, otherwise undefined. */
  push(line: string): ProgressSample | undefined {
    const match = KEY_VALUE.exec(line.trim());
    if (!match) return undefined;
    const [, key, value] = match as unknown as [string, string, string];
    if (key !== 'progress') {
      this.block.set(key, value.trim());
      return undefined;
    }
    const sample = this.sample(value.trim() === 'end');
    this.block = new Map();
    return sample;
  }

  private sample(end: boolean): ProgressSample {
    const outTimeSeconds = outTimeOf(this.block);
    const speed = parseSpeed(this.block.get('speed'));
    const known = this.durationSeconds !== undefined && this.durationSeconds > 0;
    const fraction = end ? 1 : known ? clamp01(outTimeSeconds / this.durationSeconds!) : 0;
    return speed === undefined
      ? { outTimeSeconds, fraction, end }
      : { outTimeSeconds, fraction, speed, end };
  }
}

// `out_time_us` is the precise field; `out_time_ms` is also in microseconds (an old ffmpeg quirk);
// `out_time` (HH:MM:SS.micro) is the fallback. Values are `N/A` before the first frame.
function outTimeOf(block: ReadonlyMap<string, string>): number {
  for (const key of ['out_time_us', 'out_time_ms']) {
    const micro = Number(block.get(key) || NaN);
    if (Number.isFinite(micro) && micro >= 0) return micro / 1e6;
  }
  return parseClock(block.get('out_time')) ?? 0;
}

function parseClock(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

function parseSpeed(value: string | undefined): number | undefined {
  const speed = value === undefined ? NaN : parseFloat(value);
  return Number.isFinite(speed) ? speed : undefined;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/**
 * Lets through at most one sample per `intervalMs` (the UI needs no more), but always the
 * final one, so a task's last progress event says 100 %.
 */
export class ProgressThrottle {
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  admit(sample: ProgressSample): boolean {
    const t = this.now();
    if (!sample.end && t - this.lastAt < this.intervalMs) return false;
    this.lastAt = t;
    return true;
  }
}
