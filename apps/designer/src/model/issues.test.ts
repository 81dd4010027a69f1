import { diagnostic, emptyGraph, type Graph } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { indexIssues } from './issues.js';

const graph: Graph = {
  ...emptyGraph('g'),
  nodes: [
    { id: 'src', type: 'source', params: {} },
    { id: 'enc', type: 'encode', params: {} },
  ],
  edges: [{ id: 'e1', from: { node: 'src', port: 'out' }, to: { node: 'enc', port: 'in' } }],
};

describe('indexIssues', () => {
  it('marks a node for its port problems, and the edges on the port for edge-like codes', () => {
    const issues = indexIssues(
      [
        diagnostic('port-type-mismatch', 'error', 'x', { kind: 'port', id: 'enc.in' }),
        diagnostic('output-unconnected', 'warning', 'y', { kind: 'port', id: 'enc.out' }),
      ],
      graph,
    );
    expect(issues.get('enc')).toEqual({ count: 2, severity: 'error' });
    expect(issues.get('e1')).toEqual({ count: 1, severity: 'error' });
    expect(issues.has('src')).toBe(false);
  });

  it('leaves graph-level diagnostics off the canvas', () => {
    expect(
      indexIssues([diagnostic('no-sink', 'error', 'z', { kind: 'graph', id: 'g' })], graph).size,
    ).toBe(0);
  });
});
