/**
 * The conformance harness: judges one case taken from Eclipse OCL's evaluation tests (or
 * the OMG specification) against this engine. A case outside the subset is excluded with
 * the reason, never dropped; a case inside it agrees or disagrees.
 */
import type { Expr } from '../ast.js';
import { Evaluator, OPERATIONS, OclEvalError } from '../evaluator.js';
import { parseExpression } from '../parser.js';
import { checkExpression } from '../typecheck.js';
import {
  OclCollection,
  OclInvalid,
  formatValue,
  isNumeric,
  valueEquals,
  type Value,
} from '../values.js';
import { createTestLibrary } from '../../validation/testing.js';

/** An expected value as the Java test states it, translated where it is plain data. */
export type Expected =
  | { readonly int: string }
  | { readonly real: number }
  | { readonly string: string }
  | { readonly bool: boolean }
  | { readonly null: true }
  | { readonly ocl: string }
  | { readonly java: string };

/** `[test method, line, assertion, context (Java), expression, expected?]`. */
export type EclipseCase = readonly [
  method: string,
  line: number,
  assertion: string,
  context: string,
  expr: string | { readonly java: string },
  expected?: Expected,
];

export type Verdict =
  | { readonly status: 'agree'; readonly got: string }
  | { readonly status: 'disagree'; readonly got: string; readonly want: string }
  | { readonly status: 'excluded'; readonly reason: string };

const library = createTestLibrary();
const evaluator = new Evaluator();

const KNOWN_OPERATIONS = {
  dot: new Set<string>([...OPERATIONS.any, ...OPERATIONS.scalar, ...OPERATIONS.collection]),
  arrow: new Set<string>([...OPERATIONS.collection]),
  iterators: new Set<string>(OPERATIONS.iterators),
};

/** Why an expression is outside the subset, or undefined when it is inside. */
export function outsideSubset(
  expr: Expr,
  bound: ReadonlySet<string> = new Set(),
): string | undefined {
  switch (expr.kind) {
    case 'literal':
    case 'invalid':
      return undefined;
    case 'var':
      if (bound.has(expr.name)) return undefined;
      return expr.name === 'self'
        ? 'uses self: needs a model element as context'
        : `names '${expr.name}', a type or model element, not a variable`;
    case 'property':
      return `navigates '${expr.name}': needs a model`;
    case 'operation':
      if (!KNOWN_OPERATIONS.dot.has(expr.name))
        return `operation ${expr.name}() is not in the subset`;
      return first([expr.source, ...expr.args], bound);
    case 'collection':
      if (!KNOWN_OPERATIONS.arrow.has(expr.name)) return `->${expr.name}() is not in the subset`;
      return first([expr.source, ...expr.args], bound);
    case 'iterator': {
      if (!KNOWN_OPERATIONS.iterators.has(expr.name))
        return `->${expr.name}() is not in the subset`;
      if (!expr.iterator) return 'an implicit iterator: needs a model';
      const inner = new Set(bound).add(expr.iterator);
      return outsideSubset(expr.source, bound) ?? outsideSubset(expr.body, inner);
    }
    case 'unary':
      return outsideSubset(expr.operand, bound);
    case 'binary':
      return first([expr.left, expr.right], bound);
    case 'if':
      return first([expr.cond, expr.then, expr.else], bound);
    case 'let':
      if (/UnlimitedNatural/.test(expr.declaredType ?? ''))
        return 'UnlimitedNatural is not in the subset';
      return (
        outsideSubset(expr.value, bound) ?? outsideSubset(expr.body, new Set(bound).add(expr.name))
      );
    case 'collectionLiteral':
      return first(
        expr.items.flatMap((i) => (i.kind === 'range' ? [i.first, i.last] : [i])),
        bound,
      );
  }
}

const first = (exprs: readonly Expr[], bound: ReadonlySet<string>): string | undefined => {
  for (const e of exprs) {
    const why = outsideSubset(e, bound);
    if (why) return why;
  }
  return undefined;
};

/** What evaluating an expression gives: a value, or a type error (static or at run time). */
type Outcome = { readonly value: Value } | { readonly error: string };

function parsed(text: string): Expr | string {
  const { expr, problem } = parseExpression(text);
  if (!expr) return `syntax outside the subset (${problem?.message ?? 'no expression'})`;
  return outsideSubset(expr) ?? expr;
}

function run(expr: Expr): Outcome {
  const problems = checkExpression(expr, library);
  if (problems.length > 0) return { error: problems[0]?.message ?? 'type error' };
  try {
    return { value: evaluator.run(expr, null) };
  } catch (err) {
    if (err instanceof OclEvalError || err instanceof RangeError) return { error: err.message };
    throw err;
  }
}

const show = (o: Outcome): string => ('error' in o ? `error: ${o.error}` : describe(o.value));

function describe(v: Value): string {
  if (v instanceof OclInvalid) return `invalid (${v.reason})`;
  if (v instanceof OclCollection) return `${v.kind}{${v.items.map(describe).join(', ')}}`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}`;
  return formatValue(v);
}

/** OCL equality, with Reals equal within a tolerance (Eclipse's Reals are decimals). */
function close(a: Value, b: Value, tolerance: number): boolean {
  if (isNumeric(a) && isNumeric(b) && (typeof a === 'number' || typeof b === 'number')) {
    const x = Number(a);
    const y = Number(b);
    return x === y || Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(y));
  }
  if (a instanceof OclCollection && b instanceof OclCollection && a.kind === b.kind) {
    if (a.items.length !== b.items.length) return false;
    if (a.kind === 'Sequence' || a.kind === 'OrderedSet')
      return a.items.every((x, i) => close(x, b.items[i] ?? null, tolerance));
  }
  return valueEquals(a, b);
}

/** The expected value of a case, or why it cannot be had. */
function expectedValue(e: Expected | undefined): { value: Value } | { reason: string } {
  if (!e) return { reason: 'no expected value' };
  if ('int' in e) return { value: BigInt(e.int) };
  if ('real' in e) return { value: e.real };
  if ('string' in e) return { value: e.string };
  if ('bool' in e) return { value: e.bool };
  if ('null' in e) return { value: null };
  if ('ocl' in e) {
    const expr = parsed(e.ocl);
    if (typeof expr === 'string') return { reason: `expected value ${e.ocl}: ${expr}` };
    const o = run(expr);
    if ('error' in o)
      return { reason: `expected value ${e.ocl} does not evaluate here: ${o.error}` };
    return { value: o.value };
  }
  return { reason: `expected value is Java code (${e.java.slice(0, 60)})` };
}

const VALUE_ASSERTIONS: Readonly<Record<string, (v: Value) => boolean>> = {
  assertQueryTrue: (v) => v === true,
  assertQueryFalse: (v) => v === false,
  assertQueryNull: (v) => v === null,
  assertQueryInvalid: (v) => v instanceof OclInvalid,
  assertQueryDefined: (v) => v !== null && !(v instanceof OclInvalid),
};

/** Judge one case. */
export function judge(c: EclipseCase): Verdict {
  const [, , assertion, context, text, expected] = c;
  if (typeof text !== 'string')
    return { status: 'excluded', reason: 'the expression is built by Java code' };
  const known =
    assertion in VALUE_ASSERTIONS ||
    assertion === 'assertQueryEquals' ||
    assertion === 'assertQueryResults' ||
    assertion === 'assertQueryNotEquals' ||
    assertion === 'assertSemanticErrorQuery';
  if (!known) return { status: 'excluded', reason: `${assertion} checks no query result` };
  const expr = parsed(text);
  if (typeof expr === 'string')
    // A context matters only to an expression that reads it (self, properties), which
    // `outsideSubset` excludes; otherwise the context is irrelevant.
    return {
      status: 'excluded',
      reason: context === 'null' ? expr : `needs a model element as context (${context})`,
    };
  const outcome = run(expr);
  const got = show(outcome);
  if (assertion === 'assertSemanticErrorQuery') {
    return 'error' in outcome
      ? { status: 'agree', got }
      : { status: 'disagree', got, want: 'a type error before evaluation' };
  }
  const check = VALUE_ASSERTIONS[assertion];
  if (check) {
    const want = assertion.replace('assertQuery', '').toLowerCase();
    return 'value' in outcome && check(outcome.value)
      ? { status: 'agree', got }
      : { status: 'disagree', got, want };
  }
  const want = expectedValue(expected);
  if ('reason' in want) return { status: 'excluded', reason: want.reason };
  const equal = 'value' in outcome && close(outcome.value, want.value, 1e-12);
  const ok = assertion === 'assertQueryNotEquals' ? !equal && 'value' in outcome : equal;
  return ok
    ? { status: 'agree', got }
    : {
        status: 'disagree',
        got,
        want: `${assertion === 'assertQueryNotEquals' ? 'not ' : ''}${describe(want.value)}`,
      };
}
