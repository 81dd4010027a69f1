/**
 * Fuzzing the constraint language (issue 8 item 8): the OCL parser and evaluator take random
 * text, token soup, mutated and grammar-generated constraints and pathological ones (deep
 * nesting, closures over large cyclic graphs) and always answer with diagnostics.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGraph, type Diagnostic, type Graph } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { evaluateConstraints, parseConstraints, validateDocument } from '@reelflow/semantics';
import {
  expectDiagnostics,
  expectNoRuleException,
  expectPrototypeIntact,
  expectValidationResult,
} from './checks.js';
import { chainGraph, exampleDocument, mutatedExample, randomGraph } from './graph-arbitraries.js';
import {
  anyConstraintText,
  mutatedConstraints,
  oclConstraint,
  oclFile,
  tokenSoup,
} from './ocl-arbitraries.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

const SOURCE = 'fuzz.ocl';
const example = loadGraph(exampleDocument()).graph!;

/** Names the invariants of a text declare (`inv NAME`), which a violation reports as code. */
const declaredNames = (text: string): Set<string> =>
  new Set([...text.matchAll(/\binv\s+([A-Za-z_][\w-]*)/g)].map((m) => m[1]!));

/** Parse, and check every answer is an `ocl-syntax` error that says `fuzz.ocl:line:column`. */
function parseChecked(text: string) {
  const parsed = parseConstraints(text, { source: SOURCE });
  expectDiagnostics(parsed.diagnostics);
  const lines = text.split('\n').length;
  for (const d of parsed.diagnostics) {
    expect(d).toMatchObject({ code: 'ocl-syntax', severity: 'error' });
    const [, line, column] = /^fuzz\.ocl:(\d+):(\d+): \S/.exec(d.message) ?? [];
    expect(line, `no line:column in ${d.message}`).toBeDefined();
    expect(Number(line)).toBeGreaterThanOrEqual(1);
    expect(Number(line)).toBeLessThanOrEqual(lines);
    expect(Number(column)).toBeGreaterThanOrEqual(1);
  }
  return parsed;
}

/** Evaluate on a graph; every diagnostic is syntax, evaluation, or a declared constraint's. */
function evaluateChecked(graph: Graph, text: string): Diagnostic[] {
  const diagnostics = evaluateConstraints(graph, library, [
    parseConstraints(text, { source: SOURCE }),
  ]);
  expectDiagnostics(diagnostics);
  expectNoRuleException(diagnostics);
  const allowed = new Set(['ocl-syntax', 'ocl-eval', ...declaredNames(text)]);
  for (const d of diagnostics) expect(allowed, d.message).toContain(d.code);
  expectPrototypeIntact();
  return diagnostics;
}

/**
 * The graph of a document, or nothing when it does not load. The loader's own failures are
 * the loader fuzzers' business (loader-regressions.test.ts), not this suite's.
 */
function loadedOrNothing(doc: unknown): Graph | undefined {
  try {
    return loadGraph(doc).graph;
  } catch {
    return undefined;
  }
}

describe('OCL parser fuzzing', () => {
  it(
    'parses any text into constraints and ocl-syntax diagnostics with line:column, never a throw',
    () => {
      fc.assert(
        fc.property(anyConstraintText, (text) => {
          parseChecked(text);
        }),
        fuzzParams(5),
      );
    },
    fuzzTimeout(5),
  );

  it(
    'parses every grammar-generated constraint file without a syntax error',
    () => {
      fc.assert(
        fc.property(oclFile, (text) => {
          const parsed = parseChecked(text);
          expect(parsed.diagnostics).toEqual([]);
          expect(parsed.constraints).toHaveLength(text.split('\n').length);
        }),
        fuzzParams(3),
      );
    },
    fuzzTimeout(3),
  );

  it('refuses 10,000 nested parentheses, nots and Set literals with one diagnostic each', () => {
    const deep = [
      `${'('.repeat(10_000)}true${')'.repeat(10_000)}`,
      `${'('.repeat(10_000)}`,
      `${'not '.repeat(10_000)}true`,
      `${'Set{'.repeat(10_000)}1${'}'.repeat(10_000)}->size() = 1`,
      `${'if true then '.repeat(10_000)}true`,
      `${'let x = 1 in '.repeat(10_000)}true`,
      `self${'->closure(x | x.successors'.repeat(10_000)}`,
    ];
    for (const body of deep) {
      const { diagnostics } = parseChecked(`context Node inv deep: ${body}`);
      expect(diagnostics.length, body.slice(0, 40)).toBeGreaterThanOrEqual(1);
    }
  });

  it('reports unterminated strings and messages of 100,000 characters', () => {
    for (const text of [
      `context Node inv a: '${'x'.repeat(100_000)}`,
      `context Node inv a '${'{'.repeat(100_000)}': true`,
      `context Node inv a '${'x'.repeat(100_000)}`,
      `-- ${'x'.repeat(100_000)}`,
    ]) {
      parseChecked(text);
    }
  });
});

describe('OCL evaluation fuzzing', () => {
  it(
    'evaluates any constraint text on the example graph into well-formed diagnostics',
    () => {
      fc.assert(
        fc.property(fc.oneof(oclFile, mutatedConstraints, tokenSoup), (text) => {
          evaluateChecked(example, text);
        }),
        fuzzParams(3),
      );
    },
    fuzzTimeout(3),
  );

  it(
    'evaluates generated constraints on random and mutated graphs',
    () => {
      const graphs = fc
        .oneof(randomGraph, mutatedExample)
        .map(loadedOrNothing)
        .filter((g) => g !== undefined);
      fc.assert(
        fc.property(graphs, oclConstraint, (graph, text) => {
          evaluateChecked(graph, text);
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it(
    'validates documents with random user constraints, keeping the built-in rules',
    () => {
      fc.assert(
        fc.property(fc.oneof(randomGraph, mutatedExample), anyConstraintText, (doc, text) => {
          const result = validateDocument(doc, library, { mode: 'all', constraints: [text] });
          expectValidationResult(result);
          expectNoRuleException(result.diagnostics);
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it('stops runaway closures over a large cyclic graph with an ocl-eval diagnostic', () => {
    const ring = loadGraph(chainGraph(1_500, [[1_499, 0]])).graph!;
    const text = [
      'context Node inv reach: self->closure(n | n.successors)->size() >= 0',
      'context Node inv nested: self->closure(n | n.successors->closure(m | m.predecessors))->notEmpty()',
      'context Graph inv all: self.nodes->forAll(a | a->closure(n | n.successors)->includes(a))',
    ].join('\n');
    const diagnostics = evaluateChecked(ring, text);
    expect(
      diagnostics.some((d) => d.code === 'ocl-eval' && /gave up|closure|steps/.test(d.message)),
    ).toBe(true);
  }, 120_000);
});
