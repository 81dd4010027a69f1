/**
 * The other issues' benchmarks (validation, simulation, designer): run each from its folder
 * under bench/, then turn its results.json into table rows. Their JSON shapes differ, so the
 * rows are found by convention: an explicit `figures` array when there is one, otherwise
 * every object holding `median<Unit>` (with `min<Unit>`, `max<Unit>`, `target<Unit>`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from './encode.js';
import { atLeast, atMost, figureFromSummary, type Figure } from './figures.js';
import { run } from './proc.js';

export const OTHER_BENCHMARKS = ['validation', 'simulate', 'designer'] as const;

export interface OtherBenchmark {
  readonly name: string;
  /** How it was started, or why not. */
  readonly ran: 'ok' | 'failed' | 'absent' | 'skipped';
  readonly seconds?: number;
  /** Its exit code when not 0 (some exit 1 when their own target is missed). */
  readonly exitCode?: number | null;
  readonly error?: string;
  /** Its results.json, when there is one (possibly from an earlier session: see `date`). */
  readonly results?: Record<string, unknown>;
  readonly figures: Figure[];
}

/** The command that runs bench/<name>: run.ts through tsx (with its tsconfig), or run.mjs/run.js. */
export function commandFor(name: string): string[] | undefined {
  const dir = join(REPO, 'bench', name);
  const tsx = join(REPO, 'node_modules/.bin/tsx');
  if (existsSync(join(dir, 'run.ts'))) {
    const tsconfig = join(dir, 'tsconfig.json');
    return [tsx, ...(existsSync(tsconfig) ? ['--tsconfig', tsconfig] : []), join(dir, 'run.ts')];
  }
  for (const file of ['run.mjs', 'run.js']) {
    if (existsSync(join(dir, file))) return [process.execPath, join(dir, file)];
  }
  return undefined;
}

const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
const UNITS: Record<string, string> = { ms: 'ms', s: 's', seconds: 's', fps: 'fps', '': '' };

interface Found {
  readonly path: string[];
  readonly obj: Record<string, unknown>;
  readonly suffix: string;
}

/** Every object in `value` with a numeric `median<Suffix>` key. */
function findMedians(value: unknown, path: string[] = []): Found[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const obj = value as Record<string, unknown>;
  const here = Object.keys(obj)
    .filter((k) => /^median[A-Z]?\w*$/.test(k) && typeof obj[k] === 'number')
    .map((k) => ({ path, obj, suffix: k.slice('median'.length) }));
  const below = Object.entries(obj).flatMap(([k, v]) => findMedians(v, [...path, k]));
  return [...here, ...below];
}

/** A row name from where the figure sits: `full validation (10000 nodes)`. */
function rowName(bench: string, root: Record<string, unknown>, f: Found): string {
  const where = f.path.length ? f.path.map(words).join(' › ') : String(root.benchmark ?? bench);
  const size = typeof f.obj.nodes === 'number' ? ` (${f.obj.nodes} nodes)` : '';
  const suffix =
    f.suffix && !UNITS[f.suffix.toLowerCase()] && f.suffix.toLowerCase() !== 'ms'
      ? ` ${words(f.suffix)}`
      : '';
  return `${where}${suffix}${size}`;
}

/** Table rows of one benchmark's results.json. */
export function figuresOf(bench: string, results: Record<string, unknown>): Figure[] {
  const group = bench;
  if (Array.isArray(results.figures)) {
    return (results.figures as Array<Record<string, unknown>>).flatMap((f) => {
      if (typeof f.name !== 'string' || typeof f.median !== 'number') return [];
      const target =
        typeof f.target === 'number'
          ? f.higherIsBetter
            ? atLeast(f.target)
            : atMost(f.target)
          : undefined;
      return [
        figureFromSummary(
          { group, name: f.name, unit: String(f.unit ?? ''), ...(target ? { target } : {}) },
          { median: f.median, min: num(f.min), max: num(f.max), n: num(f.n), p95: num(f.p95) },
        ),
      ];
    });
  }
  return findMedians(results).map((f) => {
    const s = f.suffix;
    const unit = UNITS[s.toLowerCase()] ?? String(f.obj.unit ?? words(s));
    const targetValue = num(f.obj[`target${s}`]) ?? num(f.obj.target);
    const higher = /fps/i.test(s) || f.obj.higherIsBetter === true;
    const target =
      targetValue === undefined ? undefined : higher ? atLeast(targetValue) : atMost(targetValue);
    return figureFromSummary(
      { group, name: rowName(bench, results, f), unit, ...(target ? { target } : {}) },
      {
        median: f.obj[`median${s}`] as number,
        min: num(f.obj[`min${s}`]),
        max: num(f.obj[`max${s}`]),
        n: num(f.obj.runs) ?? num(f.obj.n),
      },
    );
  });
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

async function readResults(name: string): Promise<Record<string, unknown> | undefined> {
  const file = join(REPO, 'bench', name, 'results.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Whether results.json was written at or after `since` (ms), judged by its `date` field. */
const freshSince = (results: Record<string, unknown> | undefined, since: number): boolean =>
  typeof results?.date === 'string' && Date.parse(results.date) >= since - 1000;

/**
 * Run one of the other benchmarks (unless `skip`), then read its results.json. Some exit
 * non-zero when their own target is missed; that still counts as a run when they wrote fresh
 * results. A benchmark that could not run keeps the results of its last good session,
 * marked as such.
 */
export async function runOther(
  name: string,
  skip: boolean,
  log: (line: string) => void,
): Promise<OtherBenchmark> {
  const argv = commandFor(name);
  let ran: OtherBenchmark['ran'] = argv ? (skip ? 'skipped' : 'ok') : 'absent';
  let error: string | undefined;
  let seconds: number | undefined;
  const started = Date.now();
  let code: number | null = 0;
  if (argv && !skip) {
    log(`${name}: ${argv.map((a) => a.replace(`${REPO}/`, '')).join(' ')}`);
    const r = await run(argv, { cwd: REPO });
    seconds = r.seconds;
    code = r.code;
    if (r.code !== 0) error = r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`;
  }
  const results = await readResults(name);
  if (ran === 'ok' && code !== 0 && !freshSince(results, started)) {
    ran = 'failed';
    log(`${name}: FAILED (${error})`);
  }
  const figures = results ? figuresOf(name, results) : [];
  const stale =
    ran !== 'ok' && results
      ? `from an earlier session (${String(results.date ?? 'undated')})`
      : undefined;
  return {
    name,
    ran,
    ...(seconds === undefined ? {} : { seconds }),
    ...(code !== 0 ? { exitCode: code } : {}),
    ...(error ? { error } : {}),
    ...(results ? { results } : {}),
    figures: figures.map((f) => (stale ? { ...f, note: stale } : f)),
  };
}
