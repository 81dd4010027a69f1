import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLibrary, loadGraph, SCHEDULING_PARAMS, type Graph } from '@reelflow/fbp-model';
import {
  edge,
  expectError,
  expectNoIssue,
  graphOf,
  node,
  validateGraph,
} from '@reelflow/semantics';
import { taskParams } from '../common.js';
import { nodeTypes } from '../index.js';
import { withConstraints } from './index.js';

// merge-mixed-stages is a semantics rule; it is tested here with the real node types,
// whose `light` transfer and parameter defaults it relies on.
const real = createLibrary(withConstraints(nodeTypes));
const validate = (g: Graph) => validateGraph(g, real);

/** source → split → (each lane's chain) → merge → stream; a lane is a list of nodes. */
function lanes(...chains: { id: string; type: string; params?: Record<string, unknown> }[][]) {
  const nodes = [node('src', 'source'), node('split', 'split'), node('merge', 'merge')];
  const edges = [edge('s', 'src.out', 'split.in'), edge('m', 'merge.out', 'out.in')];
  nodes.push(node('out', 'stream'));
  chains.forEach((chain, l) => {
    let prev = 'split';
    chain.forEach((n, i) => {
      nodes.push(node(n.id, n.type, n.params ?? {}));
      edges.push(edge(`l${l}e${i}`, `${prev}.out`, `${n.id}.in`));
      prev = n.id;
    });
    edges.push(edge(`l${l}m`, `${prev}.out`, 'merge.in'));
  });
  return graphOf(nodes, edges);
}

const enc = (id: string, params: Record<string, unknown> = {}) => ({ id, type: 'encode', params });
const xfer = (id: string) => ({ id, type: 'transfer' });

describe('merge-mixed-stages', () => {
  it('reports a merge fed both raw chunks and encoded chunks of one split, naming both paths', () => {
    const d = expectError(validate(lanes([], [enc('enc')])), 'merge-mixed-stages', {
      kind: 'node',
      element: 'merge',
    });
    expect(d.message).toContain('split → merge');
    expect(d.message).toContain('split → enc → merge');
  });

  it('reports two lanes whose encodes differ in size, codec or bitrate', () => {
    for (const other of [{ height: 720 }, { codec: 'h265' }, { bitrateKbps: 800 }]) {
      expectError(
        validate(lanes([enc('a', { height: 480 })], [enc('b', { height: 480, ...other })])),
        'merge-mixed-stages',
        { element: 'merge' },
      );
    }
  });

  it('reports a lane with a filter the other lane lacks', () => {
    expectError(
      validate(lanes([enc('a')], [{ id: 'sc', type: 'scale', params: { height: 360 } }, enc('b')])),
      'merge-mixed-stages',
      { element: 'merge' },
    );
  });

  it('accepts placement lanes: identical encodes pinned to different workers', () => {
    const g = lanes(
      [xfer('x1'), enc('a', { height: 720, placement: ['node.hostname==w1'], cpus: 1 })],
      [enc('b', { height: 720, placement: ['node.hostname==w2'] }), xfer('x2')],
    );
    expectNoIssue(validate(g), 'merge-mixed-stages');
    expect(validate(g).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('treats a default parameter and the same value written out as equal', () => {
    expectNoIssue(
      validate(lanes([enc('a')], [enc('b', { codec: 'h264', crf: 23 })])),
      'merge-mixed-stages',
    );
  });

  it('leaves chunks of two splits to split-merge-mismatch', () => {
    const g = lanes([enc('a')]);
    g.nodes.push(node('src2', 'source'), node('split2', 'split'));
    g.edges.push(edge('t1', 'src2.out', 'split2.in'), edge('t2', 'split2.out', 'merge.in'));
    const ds = validate(g);
    expectError(ds, 'split-merge-mismatch', { element: 'merge' });
    expectNoIssue(ds, 'merge-mixed-stages');
  });

  const examples = new URL('../../../../examples/', import.meta.url);
  it.each(readdirSync(examples).filter((f) => f.endsWith('.reelflow.json')))(
    'finds nothing in examples/%s',
    (file) => {
      const loaded = loadGraph(JSON.parse(readFileSync(new URL(file, examples), 'utf8')));
      expectNoIssue(validate(loaded.graph as Graph), 'merge-mixed-stages');
    },
  );

  it('SCHEDULING_PARAMS are exactly the task parameters every task node has', () => {
    expect(Object.keys(taskParams({ cpus: 1, memoryMb: 64 })).sort()).toEqual(
      [...SCHEDULING_PARAMS].sort(),
    );
  });
});
