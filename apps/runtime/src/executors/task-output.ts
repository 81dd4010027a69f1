import type { EventHub } from './events.js';
import { isProgressLine, ProgressParser, ProgressThrottle } from './progress.js';

/** Which task an output belongs to. */
export interface TaskIdentity {
  readonly runId: string;
  readonly key: string;
  readonly attempt: number;
}

export interface TaskOutputOptions {
  /** True when stdout carries ffmpeg `-progress` blocks (parsed, not logged). */
  readonly reportsProgress?: boolean;
  readonly durationSeconds?: number;
  /** Minimum time between two progress events of this task. */
  readonly progressIntervalMs?: number;
}

/** How ffmpeg and the C library say ENOSPC. */
const DISK_FULL = /no space left on device|ENOSPC/i;

/** Default gap between progress events of one task: at most 4 per second. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/**
 * Turns the output lines of one task into `log` and `progress` events. Both executors feed it,
 * so a task reports the same way whether it runs in a container or as a child process.
 */
export class TaskOutput {
  private readonly parser: ProgressParser;
  private readonly throttle: ProgressThrottle;
  private lastStderr: string | undefined;
  /** A line saying the disk is full: ffmpeg's last line ("Conversion failed!") would hide it. */
  private diskFull: string | undefined;

  constructor(
    private readonly hub: EventHub,
    private readonly task: TaskIdentity,
    private readonly options: TaskOutputOptions = {},
  ) {
    this.parser = new ProgressParser(options.durationSeconds);
    this.throttle = new ProgressThrottle(
      options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
    );
  }

  line(stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stdout' && this.options.reportsProgress && isProgressLine(line)) {
      this.progress(line);
      return;
    }
    if (stream === 'stderr') this.lastStderr = line;
    if (DISK_FULL.test(line)) this.diskFull ??= line;
    this.hub.emit({ type: 'log', ...this.task, stream, line });
  }

  /** The last line the task wrote to stderr: for ffmpeg, the line that says what went wrong. */
  get lastError(): string | undefined {
    return this.lastStderr;
  }

  /** A failure reason: what happened, plus the task's last stderr line when there is one. */
  failureReason(what: string): string {
    if (this.diskFull) return `${what}: disk full: ${this.diskFull}`;
    return this.lastStderr ? `${what}: ${this.lastStderr}` : what;
  }

  private progress(line: string): void {
    const sample = this.parser.push(line);
    if (!sample || !this.throttle.admit(sample)) return;
    this.hub.emit({
      type: 'progress',
      ...this.task,
      fraction: sample.fraction,
      outTimeSeconds: sample.outTimeSeconds,
      ...(sample.speed === undefined ? {} : { speed: sample.speed }),
    });
  }
}
