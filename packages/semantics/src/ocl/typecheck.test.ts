import { describe, expect, it } from 'vitest';
import { createTestLibrary } from '../validation/testing.js';
import { STRUCTURAL_CONSTRAINTS } from '../validation/structural-constraints.js';
import { parseConstraints } from './constraints.js';
import { ELEMENT_PROPERTIES } from './evaluator.js';
import { PROPERTY_TYPES, typeCheck } from './typecheck.js';

const library = createTestLibrary();

/** Type problems of one constraint, as `line:column message`. */
function problems(text: string): string[] {
  const { constraints, diagnostics } = parseConstraints(text);
  expect(diagnostics).toEqual([]);
  return constraints.flatMap((c) =>
    typeCheck(c, library).map((p) => `${p.pos.line}:${p.pos.column} ${p.message}`),
  );
}

describe('typeCheck', () => {
  it('knows a type for every property the evaluator navigates', () => {
    for (const [kind, names] of Object.entries(ELEMENT_PROPERTIES)) {
      expect(Object.keys(PROPERTY_TYPES[kind as keyof typeof PROPERTY_TYPES]).sort()).toEqual(
        [...names].sort(),
      );
    }
  });

  it('finds nothing wrong with the structural constraints', () => {
    expect(problems(STRUCTURAL_CONSTRAINTS)).toEqual([]);
  });

  it('reports unknown parameters of a node type context, and of a nested navigation', () => {
    expect(problems('context encode inv a: self.params.crff > 1')).toEqual([
      "1:35 unknown property 'crff' of the parameters of node type 'encode' (known: codec, preset, crf, bitrateKbps, width, height)",
    ]);
    expect(
      problems('context merge inv a: self.inputs->forAll(e | e.source.params.anything = 1)'),
    ).toEqual([]);
  });

  it('reports unknown properties through collections and iterator variables', () => {
    expect(problems('context Graph inv a: self.nodes->forAll(n | n.colour = 1)')).toEqual([
      "1:47 unknown property 'colour' of Node (known: id, type, label, params, inputs, outputs, predecessors, successors, ports, inputPorts, outputPorts, firing)",
    ]);
    expect(problems('context Graph inv a: self.edges.weight->sum() > 0')[0]).toMatch(
      /^1:33 unknown property 'weight' of Edge/,
    );
    expect(problems('context Graph inv a: nodes->forAll(colour)')[0]).toMatch(
      /unknown variable or property 'colour' of Node/,
    );
  });

  it('reports operators applied to the wrong types', () => {
    expect(problems("context Graph inv a: 'a' + 1 = 2")).toEqual([
      "1:26 type error: '+' needs two numbers or two Strings, not String and Integer",
    ]);
    expect(problems('context Graph inv a: not 3')).toEqual([
      "1:22 type error: operand of 'not' must be a Boolean, not Integer",
    ]);
    expect(problems("context Graph inv a: if 'x' then true else false endif")).toEqual([
      '1:25 type error: if condition must be a Boolean, not String',
    ]);
    expect(problems('context Graph inv a: self.nodes->select(n | n.id)->isEmpty()')).toEqual([
      '1:47 type error: select body must be a Boolean, not String',
    ]);
    expect(problems('context Graph inv a: self.nodes')).toEqual([
      '1:27 the constraint must be a Boolean, not Collection(Node)',
    ]);
  });

  it('stays quiet where only evaluation can tell', () => {
    expect(
      problems('context encode inv a: self.params.crf + 1 > 2 and self.params.codec.size() > 0'),
    ).toEqual([]);
    expect(
      problems("context Node inv a: let x = self.params in x.crf = 1 or self.label + 'x' = 'y'"),
    ).toEqual([]);
    expect(problems('context Graph inv a: Sequence{1, 2}->collect(i | i * 2)->sum() = 6')).toEqual(
      [],
    );
  });
});
