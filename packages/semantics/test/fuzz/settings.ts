/**
 * Run settings of the fuzz suite (issue 8 item 8). CI runs a fixed number of cases from a
 * fixed seed, so a failure reproduces; a longer local campaign sets the environment:
 *
 *   FUZZ_RUNS=2000 FUZZ_SEED=$RANDOM npx vitest run packages/semantics/test/fuzz apps/runtime/test/fuzz
 *
 * FUZZ_RUNS is the number of cases of an ordinary property; heavy properties (thousands of
 * nodes, HTTP round trips) run a fixed share of it. fast-check prints the seed and path of a
 * failure; pass them back as FUZZ_SEED (and `path` in code) to replay it.
 */
import type { Parameters, RunDetails } from 'fast-check';
import { preview } from './json-text.js';

/** Cases of an ordinary property when FUZZ_RUNS is not set. */
export const DEFAULT_RUNS = 100;
/** Seed when FUZZ_SEED is not set: any fixed number keeps CI reproducible. */
export const DEFAULT_SEED = 20261122;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number, got ${raw}`);
  return value;
}

/** The base number of cases and the seed of this run of the suite. */
export const FUZZ = {
  runs: Math.max(1, envInt('FUZZ_RUNS', DEFAULT_RUNS)),
  seed: envInt('FUZZ_SEED', DEFAULT_SEED),
};

/**
 * fast-check parameters for one property: `share` of the base number of cases (at least
 * one), the suite's seed, and no time-based interruption (the suite never depends on the
 * clock; vitest's per-test timeout is the backstop against a hang).
 */
export function fuzzParams<T>(share = 1): Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(FUZZ.runs * share)),
    seed: FUZZ.seed,
    reporter: reportFailure,
  };
}

/**
 * Report a failure with a bounded preview of the input. fast-check's own report prints the
 * whole counterexample recursively, which overflows the stack on the deeply nested inputs
 * this suite generates and hides the real error behind a RangeError.
 */
function reportFailure<T>(details: RunDetails<T>): void {
  if (!details.failed) return;
  const input = details.counterexample === null ? '(none)' : preview(details.counterexample, 2_000);
  const cause = details.errorInstance;
  const error = new Error(
    [
      `property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}")`,
      `input: ${input}`,
      `error: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
      `replay: FUZZ_SEED=${details.seed} and { path: "${details.counterexamplePath}" } in fuzzParams`,
    ].join('\n'),
    { cause },
  );
  throw error;
}

/**
 * A vitest timeout for a property of `share`, generous for two busy cores: a call that hangs
 * fails its test instead of stalling the suite (async work only: a synchronous endless loop
 * cannot be interrupted in-process, which is why every input here is also size-bounded).
 */
export function fuzzTimeout(share = 1, msPerCase = 200): number {
  return 30_000 + Math.round(FUZZ.runs * share * msPerCase);
}
