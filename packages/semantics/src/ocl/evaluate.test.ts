import { describe, expect, it } from 'vitest';
import type { Graph } from '@reelflow/fbp-model';
import {
  createTestLibrary,
  edge,
  exampleGraph,
  expectError,
  expectIssue,
  expectNoIssues,
  graphOf,
  node,
} from '../validation/testing.js';
import { validateGraph } from '../validation/validate.js';
import { evaluateConstraints } from './constraints.js';

const library = createTestLibrary();

/** Evaluate constraint text on a graph (the example graph by default). */
const check = (text: string, graph: Graph = exampleGraph()) =>
  evaluateConstraints(graph, library, [text]);

/** True when `expr` holds on `self` of the given context in the example graph. */
function holds(expr: string, context = 'Graph'): boolean {
  const ds = check(`context ${context} inv t: ${expr}`);
  const errors = ds.filter((d) => d.code !== 't');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  return ds.length === 0;
}

describe('evaluating constraints', () => {
  it('navigates nodes, edges, ports and parameters', () => {
    expect(holds('self.nodes->size() = 7 and self.edges->size() = 6')).toBe(true);
    expect(holds("self.params.crf = 23 and self.params.codec = 'h264'", 'encode')).toBe(true);
    expect(
      holds(
        "self.inputs->forAll(e | e.source.type = 'transfer' and e.sourcePort = 'out')",
        'encode',
      ),
    ).toBe(true);
    expect(
      holds(
        "self.predecessors.id = Bag{'xfer'} and self.successors->collect(n | n.id)->includes('back')",
        'encode',
      ),
    ).toBe(true);
    expect(
      holds(
        "self.inputPorts->forAll(p | p.dataType = 'chunk' and p.multiplicity = 'many')",
        'merge',
      ),
    ).toBe(true);
    expect(
      holds("self.from.id = 'src.out' and self.to.node.type = 'split' or self.id <> 'e1'", 'Edge'),
    ).toBe(true);
    expect(holds("self.firing = 'join'", 'merge')).toBe(true);
  });

  it('applies parameter defaults from the node type schema', () => {
    expect(
      holds(
        "self.params.preset = 'veryfast' and self.params.bitrateKbps.oclIsUndefined()",
        'encode',
      ),
    ).toBe(true);
    expect(holds('self.params.incremental = false', 'merge')).toBe(true);
  });

  it('evaluates operators, if, let and implies', () => {
    expect(holds('1 + 2 * 3 = 7 and 7 / 2 = 3.5 and -2 < 0 and 3 >= 3 and 2 <> 3')).toBe(true);
    expect(holds("'ab' < 'b' and 'a' + 'b' = 'ab' and 'abc'.size() = 3")).toBe(true);
    expect(holds('(true xor false) and not false and (false implies 1 / 0 = 1)')).toBe(true);
    expect(holds("if self.nodes->size() > 5 then 'big' else 'small' endif = 'big'")).toBe(true);
    expect(holds('let n = self.nodes->size() in n * 2 = 14')).toBe(true);
    expect(
      holds(
        'null.oclIsUndefined() and not self.oclIsUndefined() and self.label.oclIsUndefined()',
        'Node',
      ),
    ).toBe(true);
  });

  it('evaluates the collection operations', () => {
    expect(holds("self.nodes->select(n | n.type = 'transfer')->size() = 2")).toBe(true);
    expect(holds("self.nodes->reject(n | n.type = 'transfer')->size() = 5")).toBe(true);
    expect(holds('self.nodes->collect(n | n.type)->asSet()->size() = 6')).toBe(true);
    expect(holds('self.nodes->isUnique(n | n.id) and not self.nodes->isUnique(n | n.type)')).toBe(
      true,
    );
    expect(
      holds("self.nodes->exists(n | n.type = 'merge') and self.nodes->forAll(n | n.id.size() > 0)"),
    ).toBe(true);
    expect(
      holds("self.nodes.type->includes('encode') and self.nodes.type->excludes('probe')"),
    ).toBe(true);
    expect(holds('self.edges->isEmpty() = false and self.edges->notEmpty()')).toBe(true);
    expect(
      holds("self.nodes->select(n | n.type = 'encode')->collect(n | n.params.crf)->sum() = 23"),
    ).toBe(true);
    expect(
      holds('Sequence{1, 2, 3}->sum() = 6 and Set{1, 1, 2}->size() = 2 and Sequence{}->sum() = 0'),
    ).toBe(true);
  });

  it('computes closure over successors, ending on cycles', () => {
    expect(
      holds(
        "self->closure(n | n.successors)->collect(n | n.id)->asSet() = Set{'split', 'xfer', 'enc', 'back', 'merge', 'out'}",
        'source',
      ),
    ).toBe(true);
    expect(holds('self->closure(successors)->excludes(self)', 'source')).toBe(true);
    const cyclic = exampleGraph();
    cyclic.edges.push(edge('loop', 'back.out', 'xfer.in'));
    expect(
      check('context transfer inv acyclic: self->closure(successors)->excludes(self)', cyclic).map(
        (d) => d.element.id,
      ),
    ).toEqual(['xfer', 'back']);
  });

  it('uses implicit iterators and bare property names', () => {
    expect(holds("nodes->collect(type)->includes('split')")).toBe(true);
    expect(holds("params.codec = 'h264'", 'encode')).toBe(true);
  });

  it('reports a violation with the constraint name, severity and filled-in message', () => {
    const g = exampleGraph();
    (g.nodes[3] as { params: Record<string, unknown> }).params.crf = 35;
    const ds = check(
      "context encode inv crfRange warning 'CRF {self.params.crf} of {self.id} looks blurry': self.params.crf <= 30",
      g,
    );
    expect(ds).toEqual([
      {
        code: 'crfRange',
        severity: 'warning',
        message: 'CRF 35 of enc looks blurry',
        element: { kind: 'node', id: 'enc' },
      },
    ]);
  });

  it('evaluates constraints on ports and names the port', () => {
    const ds = check("context Port inv noChunks: self.dataType <> 'chunk'");
    expectIssue(ds, 'noChunks', { kind: 'port', element: 'split.out' });
  });

  it('runs the CONTRACTS examples cleanly on the example graph', () => {
    expectNoIssues(
      check(
        [
          "context encode inv crfRange warning 'CRF above 30 looks blurry': self.params.crf <= 30",
          'context Node inv labelled: self.label <> null implies self.label.size() > 0',
          'context merge inv oneSplit: self.inputs->collect(e | e.source)->asSet()->size() >= 1',
        ].join('\n'),
      ),
    );
  });
});

describe('OCL 2.4 values: invalid, null, Integer and Real', () => {
  it('guards with the standard truth tables, without a special evaluation order', () => {
    expect(holds('self.label <> null implies self.label.size() > 0', 'Node')).toBe(true);
    expect(holds('self.label = null or self.label.size() = 0', 'Node')).toBe(true);
    expect(holds('(self.label.size() > 0 and false) = false', 'Node')).toBe(true);
    expect(holds('self.label->isEmpty()', 'Node')).toBe(true);
  });

  it('tells invalid from null and reports both', () => {
    expect(
      holds('(1 / 0).oclIsInvalid() and not null.oclIsInvalid() and null.oclIsUndefined()'),
    ).toBe(true);
    expect(holds('Sequence{}->first().oclIsInvalid() and Sequence{1}->at(2).oclIsInvalid()')).toBe(
      true,
    );
    const [invalid] = check('context Graph inv inv1: Sequence{}->first() = 1');
    expect(invalid).toMatchObject({ code: 'ocl-eval', element: { kind: 'graph' } });
    expect(invalid?.message).toBe(
      "constraint 'inv1' (constraints#1:1:37): first(): index 1 is out of range for a Sequence of size 0; the constraint is invalid on transcode-720p",
    );
    const [isNull] = check('context Graph inv n: null and true');
    expect(isNull?.code).toBe('ocl-eval');
    expect(isNull?.message).toMatch(
      /^constraint 'n' \(constraints#1:1:15\) is null on transcode-720p, neither true nor false/,
    );
  });

  it("says which operand of '+' is null", () => {
    const [d] = check("context Node inv j: self.label + 'x' = 'y'");
    expect(d?.message).toMatch(
      /1:32\): left operand of '\+' is null; '\+' joins two Strings \(guard it with oclIsUndefined\(\)\); the constraint is invalid on src/,
    );
  });

  it('keeps Integers of any size apart from Reals', () => {
    expect(
      holds(
        '9007199254740993 - 9007199254740992 = 1 and 2 * 4611686018427387904 > 9223372036854775807',
      ),
    ).toBe(true);
    expect(holds("3.1e1 = 31 and (6 / 2).toString() = '3.0' and 3.toString() = '3'")).toBe(true);
  });

  it('reads escapes, ranges, typed and multiple lets, and several iterators', () => {
    expect(holds("'a\\nb'.size() = 3 and '\\u00e9' = 'é' and 'it\\'s' = 'it''s'")).toBe(true);
    expect(holds('Sequence{1..3, 7} = Sequence{1, 2, 3, 7} and Bag{1, 1}->size() = 2')).toBe(true);
    expect(holds('let a : Integer = 1, b = a + 1 in a * b = 2')).toBe(true);
    expect(holds('Sequence{1, 2}->forAll(a, b : Integer | a <> b implies a + b = 3)')).toBe(true);
  });
});

describe('evaluation errors', () => {
  const evalError = (text: string, graph?: Graph) => expectError(check(text, graph), 'ocl-eval');

  it('reports, once and before evaluation, a parameter the node type does not have', () => {
    const ds = check('context encode inv nope: self.params.nope = 1');
    expect(ds).toHaveLength(1);
    expect(ds[0]?.element).toEqual({ kind: 'graph', id: 'transcode-720p' });
    expect(ds[0]?.message).toMatch(
      /constraint 'nope' \(constraints#1:1:38\): unknown property 'nope' of the parameters of node type 'encode' \(known: codec, preset, crf/,
    );
  });

  it('reports an unknown parameter per node when the node type is known only at evaluation', () => {
    const ds = check('context Node inv nope: self.params.nope.oclIsUndefined()');
    expectError(ds, 'ocl-eval', {
      kind: 'node',
      element: 'enc',
      message: /1:36\): unknown property 'nope' of the parameters of node type 'encode'/,
    });
    expect(ds.map((d) => d.element.id)).toEqual([
      'src',
      'split',
      'xfer',
      'enc',
      'back',
      'merge',
      'out',
    ]);
  });

  it('reports an unknown property of an element', () => {
    expect(evalError('context Edge inv x: self.weight > 1').message).toMatch(
      /1:26\): unknown property 'weight' of Edge \(known: id, label, source/,
    );
  });

  it('reports type errors before evaluation when the types are known', () => {
    expect(evalError("context Graph inv x: 'a' + 1 = 2").message).toMatch(
      /1:26\): type error: '\+' needs two numbers or two Strings, not String and Integer/,
    );
    expect(evalError('context Graph inv x: self.nodes->size()').message).toMatch(
      /must be a Boolean, not Integer/,
    );
    expect(evalError('context Graph inv x: 1 and true').message).toMatch(
      /left operand of 'and' must be a Boolean, not Integer/,
    );
    expect(evalError("context Graph inv x: 1 < 'a'").message).toMatch(
      /cannot compare Integer with String/,
    );
  });

  it('reports type errors during evaluation when the types show only then', () => {
    const d = evalError('context encode inv x: self.params.preset + 1 > 0');
    expect(d.element).toEqual({ kind: 'node', id: 'enc' });
    expect(d.message).toMatch(
      /1:42\): type error: '\+' needs two numbers or two Strings, not String 'veryfast' and Integer 1/,
    );
    expect(evalError('context encode inv x: self.params.crf').message).toMatch(
      /must be a Boolean but gave 23/,
    );
  });

  it('reports division by zero', () => {
    expect(evalError('context encode inv x: self.params.crf / 0 > 1').message).toMatch(
      /1:39\): division by zero \(23 \/ 0\)/,
    );
  });

  it('reports navigation from null', () => {
    expect(evalError('context Node inv x: self.label.size() > 0').message).toMatch(
      /1:32\): cannot call size\(\) on null/,
    );
    expect(
      evalError(
        'context Edge inv x: self.to.node.id <> null',
        graphOf([node('a', 'source')], [edge('e', 'a.out', 'b.in')]),
      ).message,
    ).toMatch(/cannot read 'node' of null/);
  });

  it('stops a closure that keeps making new values', () => {
    const d = evalError('context Graph inv x: Sequence{1}->closure(i | i + 1)->size() > 0');
    expect(d.message).toMatch(/1:35\): closure gave up after 100000 elements/);
  });

  it('stops Integers and Strings that would take the memory', () => {
    expect(
      evalError('context Graph inv x: Sequence{2}->closure(i | i * i)->size() > 0').message,
    ).toMatch(/1:49\): an Integer grew beyond 65,536 bits/);
    expect(
      evalError("context Graph inv x: Sequence{'ab'}->closure(s | s + s)->size() > 0").message,
    ).toMatch(/1:52\): a String grew beyond 1000000 characters/);
  });

  it('stops an evaluation that does too much work', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => node(`n${i}`, 'transfer'));
    const text =
      'context Graph inv x: self.nodes->forAll(a | self.nodes->forAll(b | a = b or a.id <> b.id))';
    expect(evalError(text, graphOf(nodes, [])).message).toMatch(/gave up after 1000000 steps/);
  });

  it('stops a constraint that is quadratic in the graph with one diagnostic', () => {
    const n = 3000;
    const nodes = Array.from({ length: n }, (_, i) => node(`t${i}`, 'transfer'));
    const edges = Array.from({ length: n - 1 }, (_, i) =>
      edge(`e${i}`, `t${i}.out`, `t${i + 1}.in`),
    );
    const text =
      "context transfer inv q: self->closure(successors)->forAll(s | s.type = 'transfer')";
    const ds = evaluateConstraints(graphOf(nodes, edges), library, [text], {
      limits: { maxSteps: 1_000_000, maxStepsPerGraph: 200_000, maxClosure: 100_000 },
    });
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toMatch(
      /constraint 'q' \(constraints#1:1:18\) gave up on this graph after \d+ evaluation steps/,
    );
  });

  it('reports an unknown context once', () => {
    const ds = check('context Nodes inv x: true');
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toMatch(
      /unknown context 'Nodes'; use Node, Edge, Port, Graph or a node type \(source, split/,
    );
  });

  it('keeps evaluating the other constraints when one fails', () => {
    const ds = check(
      "context Graph inv bad: 1 / 0 = 1\ncontext Graph inv violated: false\ncontext Graph inv fine: true\ncontext Graph inv 'x",
    );
    expect(ds.map((d) => d.code).sort()).toEqual(['ocl-eval', 'ocl-syntax', 'violated']);
  });

  it('reaches validateGraph as user constraints, with syntax errors on the graph', () => {
    const ds = validateGraph(exampleGraph(), library, {
      constraints: ['context encode inv lowCrf: self.params.crf < 20', 'context Node inv ('],
    });
    expectError(ds, 'lowCrf', { element: 'enc' });
    expectError(ds, 'ocl-syntax', { kind: 'graph', element: 'transcode-720p' });
  });
});
