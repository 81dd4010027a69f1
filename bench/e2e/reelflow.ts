import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO } from './encode.js';
import type { ExecutorName } from './matrix.js';
import { run } from './proc.js';
import { runTimings, type RunTimings, type StoredEvent } from './timings.js';

/**
 * The built CLI (npm run build makes it). REELFLOW_BIN may name another entry point, e.g. a
 * TypeScript one, which runs through tsx.
 */
export const REELFLOW_BIN = process.env.REELFLOW_BIN ?? join(REPO, 'apps/runtime/bin/reelflow.js');

/** argv that starts the CLI with `nodeArgs` for node itself (e.g. `--cpu-prof`). */
export const reelflowArgv = (nodeArgs: readonly string[], ...args: string[]): string[] => [
  process.execPath,
  ...nodeArgs,
  ...(REELFLOW_BIN.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []),
  REELFLOW_BIN,
  ...args,
];

/** The last line of `reelflow run --json` (CONTRACTS section 3). */
export interface RunSummary {
  readonly runId: string;
  readonly state: string;
  readonly outputs: string[];
  readonly nodes: Record<string, { state: string; tasks: number }>;
}

export interface ReelflowRun {
  /** Wall seconds of the whole `reelflow run` process: what a user waits for. */
  readonly wallSeconds: number;
  readonly summary: RunSummary;
  /** The merged video among the outputs. */
  readonly video?: string;
  readonly timings?: RunTimings;
  readonly stderrTail: string;
}

/** Parse the JSON summary, the last non-empty stdout line. */
export function parseSummary(stdout: string): RunSummary | undefined {
  const last = stdout.trim().split('\n').at(-1);
  if (!last) return undefined;
  try {
    const value = JSON.parse(last) as RunSummary;
    return typeof value.runId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The runtime's event log of one run, oldest first, from its SQLite database. */
export function readEvents(dbFile: string, runId: string): StoredEvent[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT at, type, payload FROM events WHERE run_id = ? ORDER BY id')
      .all(runId) as Array<{ at: string; type: string; payload: string }>;
    return rows.map((r) => ({ at: r.at, type: r.type, payload: JSON.parse(r.payload) }));
  } finally {
    db.close();
  }
}

/**
 * `reelflow run GRAPH --input CLIP --executor E --out OUT --data-dir DIR --json`, in
 * `workDir`, so its database and run directory are this run's own.
 * Throws when the run does not succeed, with the CLI's last stderr lines.
 */
export async function reelflowRun(
  graphPath: string,
  nodeTypes: Readonly<Record<string, string>>,
  input: string,
  executor: ExecutorName,
  workDir: string,
): Promise<ReelflowRun> {
  await mkdir(workDir, { recursive: true });
  const out = join(workDir, 'out');
  const dataDir = join(workDir, '.reelflow', 'cli');
  // prettier-ignore
  const argv = reelflowArgv(
    [], 'run', graphPath,
    '--input', input, '--executor', executor, '--out', out, '--data-dir', dataDir, '--json',
  );
  const result = await run(argv, { cwd: workDir });
  const stderrTail = result.stderr.trim().split('\n').slice(-5).join('\n');
  await writeFile(join(workDir, 'reelflow.stderr.log'), result.stderr);
  const summary = parseSummary(result.stdout);
  if (result.code !== 0 || !summary || summary.state !== 'succeeded') {
    const why =
      result.stderr.split('\n').find((l) => l.startsWith('reelflow') || /Error/.test(l)) ??
      stderrTail;
    throw new Error(
      `reelflow run (${executor}) exited ${result.code}: ${why.trim()} (log: ${join(workDir, 'reelflow.stderr.log')})`,
    );
  }
  const dbFile = join(dataDir, 'reelflow.db');
  const timings = existsSync(dbFile)
    ? runTimings(readEvents(dbFile, summary.runId), nodeTypes)
    : undefined;
  const video = summary.outputs.find((p) => p.endsWith('.mp4'));
  return { wallSeconds: result.seconds, summary, video, timings, stderrTail };
}

/** Node id → node type of a graph file. */
export async function nodeTypesOf(graphPath: string): Promise<Record<string, string>> {
  const doc = JSON.parse(await readFile(graphPath, 'utf8')) as {
    nodes: Array<{ id: string; type: string }>;
  };
  return Object.fromEntries(doc.nodes.map((n) => [n.id, n.type]));
}
