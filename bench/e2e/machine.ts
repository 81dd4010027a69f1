import { readFileSync } from 'node:fs';
import { availableParallelism, getPriority, loadavg, totalmem } from 'node:os';
import { run } from './proc.js';

/** The machine a session ran on, for reading its figures. */
export interface Machine {
  readonly cpuModel: string;
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly ffmpeg: string;
  readonly docker?: string;
  readonly kernel: string;
  /** The benchmark's nice value (19 when started with `nice -n 19` to spare other work). */
  readonly niceness: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function firstLine(argv: string[]): Promise<string | undefined> {
  try {
    const r = await run(argv);
    return r.code === 0 ? r.stdout.trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

export async function describeMachine(): Promise<Machine> {
  const docker = await firstLine(['docker', 'version', '--format', '{{.Server.Version}}']);
  return {
    cpuModel: cpuModel(),
    nproc: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    ffmpeg: (await firstLine(['ffmpeg', '-hide_banner', '-version'])) ?? 'not found',
    ...(docker ? { docker } : {}),
    kernel: (await firstLine(['uname', '-r'])) ?? 'unknown',
    niceness: getPriority(),
  };
}

/** One-minute load average, sampled through a session: how busy the machine was besides us. */
export interface LoadSummary {
  readonly samples: number;
  readonly median: number;
  readonly max: number;
}

/**
 * Sample the 1-minute load average every `intervalMs` until stopped. Other work on a 2-core
 * machine moves wall times a lot; RESULTS.md says how much there was.
 */
export function monitorLoad(intervalMs = 5000): { stop(): LoadSummary } {
  const values = [loadavg()[0]!];
  const timer = setInterval(() => values.push(loadavg()[0]!), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const sorted = [...values].sort((a, b) => a - b);
      return { samples: values.length, median: sorted[sorted.length >> 1]!, max: sorted.at(-1)! };
    },
  };
}
