/**
 * Every benchmark under bench/, in one session: the other issues' benchmarks (validation,
 * simulation, designer) first, then the end-to-end, quality, prediction and scheduling
 * benchmarks of bench/e2e. Writes bench/results.json, bench/e2e/results.json and
 * bench/RESULTS.md. Started by `npm run bench` (scripts/bench.sh), which sets up the
 * engine, image and build first.
 *
 *   tsx --tsconfig bench/e2e/tsconfig.json bench/run-all.ts [--quick|--full]
 *       [--only e2e,scheduling,latency,ladder,others] [--no-profile] [--keep] [--skip-others]
 *   tsx --tsconfig bench/e2e/tsconfig.json bench/run-all.ts --render   (RESULTS.md from the JSON)
 *   tsx --tsconfig bench/e2e/tsconfig.json bench/run-all.ts --repredict   (predictions again, then --render)
 *
 * Environment: BENCH_MATRIX=quick|full, and BENCH_DURATIONS, BENCH_SIZES, BENCH_PRESETS,
 * BENCH_EXECUTORS, BENCH_REPS to narrow the matrix (see e2e/matrix.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OTHER_BENCHMARKS, runOther, type OtherBenchmark } from './e2e/collect.js';
import { REPO } from './e2e/encode.js';
import type { Figure } from './e2e/figures.js';
import { writeJson } from './e2e/json.js';
import { describeMachine, monitorLoad } from './e2e/machine.js';
import { describeMatrix, matrixFrom } from './e2e/matrix.js';
import { renderReport, type Report } from './e2e/report.js';
import {
  repredict,
  runSuite,
  SECTIONS,
  withPredictions,
  type Section,
  type SuiteResults,
} from './e2e/suite.js';

const BENCH = join(REPO, 'bench');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      'no-profile': { type: 'boolean' },
      keep: { type: 'boolean' },
      'skip-others': { type: 'boolean' },
      render: { type: 'boolean' },
      repredict: { type: 'boolean' },
    },
  });
  const quick = values.quick ?? (values.full ? false : process.env.BENCH_MATRIX === 'quick');
  const wanted = values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS, 'others'];
  for (const w of wanted) {
    if (![...SECTIONS, 'others'].includes(w))
      throw new Error(`--only: unknown part '${w}' (use ${[...SECTIONS, 'others'].join(', ')})`);
  }
  return {
    quick,
    sections: new Set(
      wanted.filter((w): w is Section => (SECTIONS as readonly string[]).includes(w)),
    ),
    others: wanted.includes('others'),
    skipOthers: values['skip-others'] ?? false,
    profile: !values['no-profile'],
    keep: values.keep ?? false,
    render: values.render ?? false,
    repredict: values.repredict ?? false,
  };
}

async function readFindings(): Promise<string | undefined> {
  const file = join(BENCH, 'e2e', 'FINDINGS.md');
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}

/**
 * `--render`: write RESULTS.md again from the last session's JSON, e.g. after editing
 * FINDINGS.md, without measuring anything.
 */
async function render(): Promise<void> {
  const results = JSON.parse(await readFile(join(BENCH, 'results.json'), 'utf8')) as Omit<
    Report,
    'findings' | 'suite'
  >;
  const e2e = join(BENCH, 'e2e', 'results.json');
  const suite = existsSync(e2e)
    ? (JSON.parse(await readFile(e2e, 'utf8')) as SuiteResults)
    : undefined;
  await writeFile(
    join(BENCH, 'RESULTS.md'),
    renderReport({ ...results, suite, findings: await readFindings() }),
  );
  log('wrote bench/RESULTS.md from bench/results.json and bench/e2e/results.json');
}

/**
 * `--repredict`: the last session's predictions computed again with the current cost model
 * from its recorded calibrations and run times (nothing is measured), then RESULTS.md.
 */
async function repredictLast(): Promise<void> {
  const e2eFile = join(BENCH, 'e2e', 'results.json');
  const recorded = JSON.parse(await readFile(e2eFile, 'utf8')) as SuiteResults & {
    date: string;
  };
  const suite = await repredict(recorded, join(BENCH, '.work'));
  await writeJson(e2eFile, suite);
  const resultsFile = join(BENCH, 'results.json');
  const results = JSON.parse(await readFile(resultsFile, 'utf8')) as { figures: Figure[] };
  await writeJson(resultsFile, {
    ...results,
    figures: withPredictions(results.figures, suite.figures),
  });
  log('recomputed the predictions from the recorded calibrations and run times');
  await render();
}

/**
 * A ladder-only session (`--only ladder`) measures one section: the last session's other
 * suite figures and details are kept beside it, so RESULTS.md stays whole.
 */
async function withLast(suite: SuiteResults): Promise<SuiteResults> {
  const file = join(BENCH, 'e2e', 'results.json');
  if (!existsSync(file) || !suite.ladder) return suite;
  const {
    date: _d,
    machine: _m,
    ...last
  } = JSON.parse(await readFile(file, 'utf8')) as SuiteResults & {
    date?: string;
    machine?: unknown;
  };
  const fresh = new Set(
    suite.figures.filter((f) => f.group.startsWith('ladder')).map((f) => f.group),
  );
  return {
    ...last,
    ladder: suite.ladder,
    figures: [
      ...last.figures.filter((f) => !fresh.has(f.group)),
      ...suite.figures.filter((f) => fresh.has(f.group)),
    ],
    errors: [...last.errors.filter((e) => !e.startsWith('ladder')), ...suite.errors],
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const opts = options();
  if (opts.render) return render();
  if (opts.repredict) return repredictLast();
  const matrix = matrixFrom(opts.quick);
  const machine = await describeMachine();
  const load = monitorLoad();
  log(`machine: ${machine.cpuModel}, nproc ${machine.nproc}`);
  log(`matrix: ${describeMatrix(matrix)}`);

  const others: OtherBenchmark[] = [];
  for (const name of OTHER_BENCHMARKS) {
    others.push(await runOther(name, !opts.others || opts.skipOthers, log));
  }

  const workDir = join(BENCH, '.work');
  await mkdir(workDir, { recursive: true });
  let suite: SuiteResults | undefined;
  if (opts.sections.size > 0) {
    suite = await runSuite({
      matrix,
      workDir,
      sections: opts.sections,
      profile: opts.profile,
      keep: opts.keep,
      log,
    });
    if (opts.sections.size === 1 && opts.sections.has('ladder')) suite = await withLast(suite);
    await writeJson(join(BENCH, 'e2e', 'results.json'), {
      date: new Date().toISOString(),
      machine,
      ...suite,
    });
  }

  const figures = [...(suite?.figures ?? []), ...others.flatMap((o) => o.figures)];
  const loadAverage = load.stop();
  const findings = await readFindings();
  const date = new Date().toISOString();
  const elapsedSeconds = (Date.now() - started) / 1000;
  const results = {
    date,
    machine,
    loadAverage,
    matrix: suite ? { ...suite.matrix, description: describeMatrix(suite.matrix) } : undefined,
    elapsedSeconds,
    figures,
    others: others.map(({ figures: _f, ...o }) => o),
    errors: suite?.errors ?? [],
  };
  await writeJson(join(BENCH, 'results.json'), results);
  await writeFile(
    join(BENCH, 'RESULTS.md'),
    renderReport({ date, machine, loadAverage, suite, others, figures, findings, elapsedSeconds }),
  );
  const missed = figures.filter((f) => f.met === false).length;
  log(
    `wrote bench/RESULTS.md and bench/results.json: ${figures.length} figures, ${missed} target(s) missed`,
  );
  // A missed target is a result; a benchmark that could not run is a failure of the session.
  const broken = results.errors.length + others.filter((o) => o.ran === 'failed').length;
  if (broken > 0) {
    log(`${broken} part(s) failed; see "Errors" in bench/RESULTS.md`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
