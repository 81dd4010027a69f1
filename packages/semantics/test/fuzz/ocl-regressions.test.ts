/**
 * Regressions found by the OCL fuzzers, as minimal inputs. A test marked `it.fails` documents
 * a bug that is still open: it passes while the bug is there, and fails, asking to become a
 * plain `it`, once the owner of packages/semantics/src/ocl has fixed it.
 */
import { describe, expect, it } from 'vitest';
import { loadGraph } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { evaluateConstraints, validateDocument } from '@reelflow/semantics';
import { expectDiagnostics, expectNoRuleException } from './checks.js';
import { exampleDocument } from './graph-arbitraries.js';

const example = loadGraph(exampleDocument()).graph!;

/**
 * A flat chain of `n` operands. The parser reads it in a loop (no nesting limit applies), but
 * the tree it builds is `n` deep, and the type checker and evaluator recurse over it.
 */
const chain = (n: number, operand: string, op: string): string =>
  `context Node inv long: ${Array<string>(n).fill(operand).join(` ${op} `)}`;

describe('OCL regressions found by fuzzing', () => {
  it('evaluates a chain of 1,000 ands (below the stack limit, the baseline)', () => {
    const diagnostics = evaluateConstraints(example, library, [chain(1_000, 'true', 'and')]);
    expect(diagnostics).toEqual([]);
  });

  // BUG (open): RangeError: Maximum call stack size exceeded
  //   at Checker.type (packages/semantics/src/ocl/typecheck.ts:139) ← Checker.binary (:289)
  // evaluateConstraints throws instead of answering with a diagnostic. From about 2,500
  // operands; MAX_NESTING in parser.ts counts only parentheses and unary operators.
  it('answers a chain of 5,000 ands with diagnostics instead of throwing', () => {
    const diagnostics = evaluateConstraints(example, library, [chain(5_000, 'true', 'and')]);
    expectDiagnostics(diagnostics);
  });

  // Same bug through navigation: `self.id.id.id…` and `->asSet()->asSet()…` build deep trees.
  it('answers a navigation chain of 5,000 steps with diagnostics instead of throwing', () => {
    const text = `context Node inv long: self${'.id'.repeat(5_000)} = ''`;
    expectDiagnostics(evaluateConstraints(example, library, [text]));
  });

  // Same bug in validateDocument: its catch-all turns it into one `rule-exception` and drops
  // every built-in diagnostic, here `no-source` and `no-sink` of an empty graph.
  it('keeps the built-in diagnostics when a user constraint is a chain of 5,000 sums', () => {
    const empty = { ...exampleDocument(), nodes: [], edges: [] };
    const result = validateDocument(empty, library, {
      mode: 'all',
      constraints: [chain(5_000, '1', '+').replace(/$/, ' > 0')],
    });
    expectNoRuleException(result.diagnostics);
    expect(result.diagnostics.map((d) => d.code)).toContain('no-source');
  });
});
