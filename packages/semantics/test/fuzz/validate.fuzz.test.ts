/**
 * Fuzzing whole-document validation (issue 8 item 8): `validateDocument(doc, library,
 * { mode: 'all' })` answers random JSON, mutated and random graphs and graphs of thousands of
 * nodes with `{ valid, diagnostics }`, never a throw, and no rule throws behind its back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { library } from '@reelflow/library';
import { validateDocument } from '@reelflow/semantics';
import { expectNoRuleException, expectPrototypeIntact, expectValidationResult } from './checks.js';
import {
  anyDocument,
  chainGraph,
  exampleDocument,
  largeGraph,
  mutatedExample,
  randomGraph,
} from './graph-arbitraries.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** Validate and check the answer's shape; returns it for further checks. */
function validateChecked(doc: unknown) {
  const result = validateDocument(doc, library, { mode: 'all' });
  expectValidationResult(result);
  expectNoRuleException(result.diagnostics);
  expectPrototypeIntact();
  return result;
}

/** Whether a `chainGraph` has an edge from a transfer back to itself or an earlier one. */
function closesCycle(doc: unknown): boolean {
  const index = (id: string): number => (id.startsWith('t') ? Number(id.slice(1)) : NaN);
  const { edges } = doc as { edges: { from: { node: string }; to: { node: string } }[] };
  return edges.some((e) => index(e.from.node) >= index(e.to.node));
}

describe('validateDocument fuzzing', () => {
  it('accepts the example it mutates (the baseline)', () => {
    expect(validateChecked(exampleDocument())).toEqual({ valid: true, diagnostics: [] });
  });

  it(
    'answers random JSON and mutations of the example with well-formed diagnostics',
    () => {
      fc.assert(
        fc.property(fc.oneof(anyDocument, mutatedExample), (doc) => {
          validateChecked(doc);
        }),
        fuzzParams(3),
      );
    },
    fuzzTimeout(3),
  );

  it(
    'answers random graphs over the library (cycles, fan-in, dangling edges, hostile params)',
    () => {
      fc.assert(
        fc.property(randomGraph, (doc) => {
          validateChecked(doc);
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it(
    'validates graphs of thousands of nodes with cycles',
    () => {
      fc.assert(
        fc.property(largeGraph, (doc) => {
          const { diagnostics } = validateChecked(doc);
          if (closesCycle(doc)) expect(diagnostics.map((d) => d.code)).toContain('cycle');
        }),
        fuzzParams(0.03),
      );
    },
    fuzzTimeout(0.03, 10_000),
  );

  it('finds a graph of 3,000 transfers valid, and one closing cycle over all of them not', () => {
    expect(validateChecked(chainGraph(3_000)).valid).toBe(true);
    const cyclic = validateChecked(chainGraph(3_000, [[2_999, 0]]));
    expect(cyclic.diagnostics.filter((d) => d.code === 'cycle').length).toBeGreaterThan(0);
  });
});
