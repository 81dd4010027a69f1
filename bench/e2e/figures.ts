/** The rows of the results table: one measured figure each, with its target. */
import { percentile, round, summarize } from './stats.js';

/** A target: the statistic `stat` of the figure must be `op` `value`. */
export interface Target {
  readonly op: '<=' | '>=';
  readonly value: number;
  /** Which statistic is judged; the median unless the issue names another (latency: p95). */
  readonly stat: 'median' | 'p95';
}

export interface Figure {
  /** Section of the table: end to end, quality, prediction, scheduling, validation, … */
  readonly group: string;
  readonly name: string;
  readonly unit: string;
  readonly median?: number;
  readonly min?: number;
  readonly max?: number;
  readonly p95?: number;
  /** Samples behind the figure. */
  readonly n?: number;
  readonly target?: Target;
  /** Whether the target is met; absent when there is no target or nothing was measured. */
  readonly met?: boolean;
  /** Where the figure comes from, or why it is missing. */
  readonly note?: string;
}

export const atMost = (value: number, stat: Target['stat'] = 'median'): Target => ({
  op: '<=',
  value,
  stat,
});
export const atLeast = (value: number, stat: Target['stat'] = 'median'): Target => ({
  op: '>=',
  value,
  stat,
});

/** Whether `value` meets `target`. */
export const meets = (value: number, target: Target): boolean =>
  target.op === '<=' ? value <= target.value : value >= target.value;

interface FigureInput {
  readonly group: string;
  readonly name: string;
  readonly unit: string;
  readonly target?: Target;
  readonly note?: string;
  /** Decimals kept in the stored figure. */
  readonly digits?: number;
}

/** A figure from raw samples; with no samples, a row that says it was not measured. */
export function figureOf(input: FigureInput, values: readonly number[]): Figure {
  const { digits = 3, ...rest } = input;
  const finite = values.filter(Number.isFinite);
  const s = summarize(finite);
  if (!s) return { ...rest, note: input.note ?? 'not measured' };
  const p95 = input.target?.stat === 'p95' ? percentile(finite, 95) : undefined;
  const judged = input.target?.stat === 'p95' ? p95! : s.median;
  return {
    ...rest,
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    ...(p95 === undefined ? {} : { p95: round(p95, digits) }),
    n: s.n,
    ...(input.target ? { met: meets(judged, input.target) } : {}),
  };
}

/** A figure from a summary someone else computed (median/min/max), e.g. another benchmark's JSON. */
export function figureFromSummary(
  input: FigureInput,
  summary: { median: number; min?: number; max?: number; n?: number; p95?: number },
): Figure {
  const judged = input.target?.stat === 'p95' ? summary.p95 : summary.median;
  const { digits = 3, ...rest } = input;
  const r = (v: number | undefined) => (v === undefined ? undefined : round(v, digits));
  return {
    ...rest,
    median: r(summary.median),
    min: r(summary.min),
    max: r(summary.max),
    ...(summary.p95 === undefined ? {} : { p95: r(summary.p95) }),
    ...(summary.n === undefined ? {} : { n: summary.n }),
    ...(input.target && judged !== undefined ? { met: meets(judged, input.target) } : {}),
  };
}
