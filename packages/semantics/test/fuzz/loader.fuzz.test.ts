/**
 * Fuzzing the graph loader of @reelflow/fbp-model (issue 8 item 8): `loadGraph`, `parseGraph`
 * and `fromFbpJson` take random JSON, random text and mutated documents and always answer
 * with well-formed diagnostics, never a throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GraphSchema,
  fromFbpJson,
  loadGraph,
  parseGraph,
  serializeGraph,
  toFbpJson,
  type Graph,
  type LoadResult,
} from '@reelflow/fbp-model';
import { expectDiagnostics, expectPrototypeIntact } from './checks.js';
import {
  EXAMPLE_TEXT,
  anyDocument,
  exampleDocument,
  largeGraph,
  mutationsOf,
  nest,
  mutatedExample,
  randomJson,
  toJsonText,
} from './graph-arbitraries.js';
import { depthOf } from './json-text.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** Nesting that `serializeGraph` is known to write (it overflows from about 4,000 levels). */
const SAVABLE_DEPTH = 1_000;

/** A load answers with a graph and no diagnostics, or with diagnostics and no graph. */
function expectWellFormedLoad(result: LoadResult): void {
  expectDiagnostics(result.diagnostics);
  expect(result.migrations.every((m) => typeof m === 'string')).toBe(true);
  if (result.graph) {
    expect(result.diagnostics).toEqual([]);
    expect(GraphSchema.safeParse(result.graph).success).toBe(true);
  } else {
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.code === 'schema')).toBe(true);
  }
  expectPrototypeIntact();
}

/**
 * A loaded graph saves and loads back to what was saved. (Compared with the saved JSON, not
 * the in-process value: JSON itself turns -0 into 0 and drops `undefined`.)
 */
function expectRoundTrip(graph: Graph): void {
  const saved = serializeGraph(graph);
  const again = parseGraph(saved);
  expect(again.diagnostics).toEqual([]);
  expect(again.graph).toEqual(JSON.parse(saved));
}

/** Text damage: cut it short, flip bytes, splice junk in. */
const damagedText = fc
  .tuple(
    fc.constantFrom('truncate', 'flip', 'splice'),
    fc.nat(),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  )
  .map(([how, at, junk]) => {
    const i = at % (EXAMPLE_TEXT.length + 1);
    if (how === 'truncate') return EXAMPLE_TEXT.slice(0, i);
    if (how === 'flip')
      return EXAMPLE_TEXT.slice(0, i) + junk.slice(0, 1) + EXAMPLE_TEXT.slice(i + 1);
    return EXAMPLE_TEXT.slice(0, i) + junk + EXAMPLE_TEXT.slice(i);
  });

describe('graph loader fuzzing', () => {
  it(
    'loadGraph answers any value with a graph or schema diagnostics, never a throw',
    () => {
      fc.assert(
        fc.property(fc.oneof(anyDocument, fc.anything()), (doc) => {
          const result = loadGraph(doc);
          expectWellFormedLoad(result);
          // Deeper documents do not round-trip yet: see loader-regressions.test.ts.
          if (result.graph && depthOf(doc) <= SAVABLE_DEPTH) expectRoundTrip(result.graph);
        }),
        fuzzParams(3),
      );
    },
    fuzzTimeout(3),
  );

  it(
    'parseGraph answers random and damaged text, reporting JSON syntax errors as diagnostics',
    () => {
      const text = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        damagedText,
        mutatedExample.map(toJsonText),
      );
      fc.assert(
        fc.property(text, (t) => {
          const result = parseGraph(t);
          expectWellFormedLoad(result);
          if (result.syntaxError !== undefined) expect(result.graph).toBeUndefined();
        }),
        fuzzParams(3),
      );
    },
    fuzzTimeout(3),
  );

  it(
    'fromFbpJson imports random and mutated FBP JSON without throwing',
    () => {
      const fbp = toFbpJson(loadGraph(exampleDocument()).graph!);
      const mutatedFbp = mutationsOf(() => structuredClone(fbp));
      fc.assert(
        fc.property(fc.oneof(randomJson, mutatedFbp, anyDocument), (doc) => {
          expectWellFormedLoad(fromFbpJson(doc));
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it(
    'loads graphs of thousands of nodes',
    () => {
      fc.assert(
        fc.property(largeGraph, (doc) => {
          const result = loadGraph(doc);
          expectWellFormedLoad(result);
          expect(result.graph?.nodes.length).toBe((doc as Graph).nodes.length);
        }),
        fuzzParams(0.05),
      );
    },
    fuzzTimeout(0.05, 2_000),
  );

  it('keeps a "__proto__" key as data, without touching any prototype', () => {
    const doc = JSON.parse(
      EXAMPLE_TEXT.replace('"params": {}', '"params": { "__proto__": { "polluted": "yes" } }'),
    ) as unknown;
    const result = loadGraph(doc);
    expectWellFormedLoad(result);
    const params = result.graph!.nodes[0]!.params;
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect((params as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("the fuzz suite's own JSON writer", () => {
  it('writes what JSON.stringify writes, and documents too deep for it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          randomJson,
          mutatedExample.filter((d) => toJsonText(d).length < 1e6),
        ),
        (doc) => {
          let expected: string | undefined;
          try {
            expected = JSON.stringify(doc);
          } catch {
            return; // too deep for the built-in: the case toJsonText exists for
          }
          if (expected !== undefined) expect(toJsonText(doc)).toBe(expected);
        },
      ),
      fuzzParams(1),
    );
    expect(JSON.parse(toJsonText(nest(1, 20_000, 'array')))).toBeDefined();
  });
});
