/**
 * The Boolean operators over OCL's four values, every combination: the tables of OCL 2.4
 * (section 11.5.4 and Annex A), written out here as data, not computed by the rule the
 * evaluator uses. Each row that Eclipse OCL's EvaluateBooleanOperationsTest4 also checks
 * names its line there.
 */
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../evaluator.js';
import { parseExpression } from '../parser.js';
import { OclInvalid, type Value } from '../values.js';
import * as booleans from './eclipse-boolean.cases.js';

type V = 'true' | 'false' | 'null' | 'invalid';
const VALUES: readonly V[] = ['true', 'false', 'null', 'invalid'];

/** Rows: left operand; columns: right operand, in the order of VALUES. */
const TABLES: Readonly<Record<'and' | 'or' | 'xor' | 'implies', readonly (readonly V[])[]>> = {
  //           right: true       false      null       invalid
  and: [
    /* true    */ ['true', 'false', 'null', 'invalid'],
    /* false   */ ['false', 'false', 'false', 'false'],
    /* null    */ ['null', 'false', 'null', 'invalid'],
    /* invalid */ ['invalid', 'false', 'invalid', 'invalid'],
  ],
  or: [
    /* true    */ ['true', 'true', 'true', 'true'],
    /* false   */ ['true', 'false', 'null', 'invalid'],
    /* null    */ ['true', 'null', 'null', 'invalid'],
    /* invalid */ ['true', 'invalid', 'invalid', 'invalid'],
  ],
  xor: [
    /* true    */ ['false', 'true', 'null', 'invalid'],
    /* false   */ ['true', 'false', 'null', 'invalid'],
    /* null    */ ['null', 'null', 'null', 'invalid'],
    /* invalid */ ['invalid', 'invalid', 'invalid', 'invalid'],
  ],
  implies: [
    /* true    */ ['true', 'false', 'null', 'invalid'],
    /* false   */ ['true', 'true', 'true', 'true'],
    /* null    */ ['true', 'null', 'null', 'invalid'],
    /* invalid */ ['true', 'invalid', 'invalid', 'invalid'],
  ],
};
const NOT: Readonly<Record<V, V>> = {
  true: 'false',
  false: 'true',
  null: 'null',
  invalid: 'invalid',
};

/**
 * The combinations Eclipse OCL's EvaluateBooleanOperationsTest4 checks, read from its case
 * table: `let a : Boolean = null, b : Boolean = invalid in a and b` is `null and invalid`
 * (`Sequence{true}->at(0)` stands for invalid there). Maps the combination to its answer
 * there and the line.
 */
function eclipseCombinations(): Map<string, { want: V; line: number }> {
  const out = new Map<string, { want: V; line: number }>();
  const answers: Record<string, V> = {
    assertQueryTrue: 'true',
    assertQueryFalse: 'false',
    assertQueryNull: 'null',
    assertQueryInvalid: 'invalid',
  };
  for (const [, line, assertion, context, text] of booleans.CASES) {
    const want = answers[assertion];
    if (!want || context !== 'null' || typeof text !== 'string') continue;
    const m = /^(?:let (.*) in )?(.+)$/.exec(text.replace(/Sequence\{true\}->at\(0\)/g, 'invalid'));
    const vars = new Map<string, string>();
    for (const b of (m?.[1] ?? '').split(',')) {
      const bm = /^\s*(\w+) : Boolean = (true|false|null|invalid)\s*$/.exec(b);
      if (bm) vars.set(bm[1] as string, bm[2] as string);
    }
    const body = (m?.[2] ?? '').replace(/\b[ab]\b/g, (v) => vars.get(v) ?? v);
    if (
      /^(not (true|false|null|invalid)|(true|false|null|invalid) (and|or|xor|implies) (true|false|null|invalid))$/.test(
        body,
      )
    )
      out.set(body, { want, line });
  }
  return out;
}

const ECLIPSE = eclipseCombinations();

const evaluator = new Evaluator();

/** Evaluate with each operand bound by `let`, as Eclipse's tests do, and as a literal. */
function results(text: (a: string, b: string) => string, a: V, b: V): V[] {
  const forms = [`let a : Boolean = ${a}, b : Boolean = ${b} in ${text('a', 'b')}`, text(a, b)];
  return forms.map((form) => {
    const { expr, problem } = parseExpression(form);
    if (!expr) throw new Error(`${form}: ${problem?.message}`);
    return show(evaluator.run(expr, null));
  });
}

function show(v: Value): V {
  if (v instanceof OclInvalid) return 'invalid';
  if (v === true || v === false || v === null) return String(v) as V;
  throw new Error(`not a Boolean value: ${String(v)}`);
}

describe('OCL 2.4 truth tables', () => {
  for (const [op, rows] of Object.entries(TABLES)) {
    it(`${op}: all 16 combinations of true, false, null and invalid`, () => {
      VALUES.forEach((a, i) =>
        VALUES.forEach((b, j) => {
          const want = rows[i]?.[j];
          const name = `${a} ${op} ${b}`;
          const where = ECLIPSE[name]
            ? ` (EvaluateBooleanOperationsTest4.java:${ECLIPSE[name]})`
            : '';
          expect(
            results((x, y) => `${x} ${op} ${y}`, a, b),
            name + where,
          ).toEqual([want, want]);
        }),
      );
    });
  }

  it('not: all four values', () => {
    for (const a of VALUES)
      expect(
        results((x) => `not ${x}`, a, 'true'),
        `not ${a}`,
      ).toEqual([NOT[a], NOT[a]]);
  });

  it("agrees with every combination Eclipse OCL's tests check", () => {
    expect(ECLIPSE.size).toBeGreaterThan(40);
    for (const [name, { want, line }] of ECLIPSE) {
      const [first, op, second] = name.split(' ');
      const got =
        first === 'not'
          ? NOT[op as V]
          : TABLES[op as keyof typeof TABLES][VALUES.indexOf(first as V)]?.[
              VALUES.indexOf(second as V)
            ];
      expect(got, `${name} (EvaluateBooleanOperationsTest4.java:${line})`).toBe(want);
    }
  });

  it('counts every combination: 4 operators × 16 and not × 4', () => {
    const cells = Object.values(TABLES).reduce((n, rows) => n + rows.flat().length, 0);
    expect(cells + Object.keys(NOT).length).toBe(68);
  });
});
