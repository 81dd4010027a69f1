/**
 * CPU profile of one `reelflow run` (node --cpu-prof): how much of the wall time the
 * runtime's own process spends on the CPU, and in which functions. Used where an end-to-end
 * figure misses its target, to tell Reelflow's own cost from the encoder's.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { reelflowArgv } from './reelflow.js';
import { run } from './proc.js';
import { round } from './stats.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}
interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface ProfileSummary {
  readonly executor: string;
  readonly wallSeconds: number;
  /** Seconds the main thread was busy (samples not idle), and its share of the wall. */
  readonly busySeconds: number;
  readonly busyShare: number;
  readonly gcShare: number;
  /** Heaviest functions by self time, with the file (relative to the repository) and line. */
  readonly top: Array<{ fn: string; where: string; selfMs: number; share: number }>;
  readonly profileFile: string;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Self time per profile node, from the sample stream and its time deltas (µs). */
function selfTimes(p: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  return self;
}

/** Summarize a `.cpuprofile`: busy share, GC share, top functions by self time. */
export function summarizeProfile(p: CpuProfile, repo: string, topN = 12) {
  const self = selfTimes(p);
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  let idle = 0;
  let gc = 0;
  for (const node of p.nodes) {
    const us = self.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += us;
    if (functionName === '(garbage collector)') gc += us;
    if (SPECIAL.has(functionName) || us === 0) continue;
    const where = `${url.replace(`file://${repo}/`, '')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = byFn.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFn.set(key, entry);
  }
  const total = p.endTime - p.startTime;
  const busy = total - idle;
  return {
    busySeconds: round(busy / 1e6),
    busyShare: round(busy / total),
    gcShare: round(gc / total),
    top: [...byFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({
        fn: e.fn,
        where: e.where,
        selfMs: round(e.us / 1000, 1),
        share: round(e.us / total, 4),
      })),
  };
}

/** Run `reelflow run` once under `--cpu-prof` in `workDir` and summarize its profile. */
export async function profileRun(
  graphPath: string,
  input: string,
  executor: string,
  workDir: string,
  repo: string,
): Promise<ProfileSummary> {
  const dir = join(workDir, 'cpuprof');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // prettier-ignore
  // prettier-ignore
  const argv = reelflowArgv(
    ['--cpu-prof', '--cpu-prof-dir', dir], 'run', graphPath,
    '--input', input, '--executor', executor, '--out', join(workDir, 'out'),
    '--data-dir', join(workDir, '.reelflow', 'cli'), '--json',
  );
  const r = await run(argv, { cwd: workDir });
  if (r.code !== 0)
    throw new Error(
      `profiled run (${executor}) exited ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`,
    );
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('node --cpu-prof wrote no profile');
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  return {
    executor,
    wallSeconds: round(r.seconds),
    ...summarizeProfile(profile, repo),
    profileFile: join(dir, file),
  };
}
