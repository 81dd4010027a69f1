import { emptyGraph, type Graph } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { applyGraphChanges, freshEdgeId, freshId } from './changes.js';
import { copySelection, pasteClip } from './clipboard.js';
import { emptyHistory, record, redo, undo } from './history.js';

const chain: Graph = {
  ...emptyGraph('g'),
  nodes: [
    { id: 'a', type: 'source', position: { x: 0, y: 0 }, params: {} },
    { id: 'b', type: 'split', position: { x: 200, y: 0 }, params: { segmentSeconds: 10 } },
    { id: 'c', type: 'stream', position: { x: 400, y: 0 }, params: {} },
  ],
  edges: [
    { id: 'e1', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
    { id: 'e2', from: { node: 'b', port: 'out' }, to: { node: 'c', port: 'in' } },
  ],
};

describe('applyGraphChanges', () => {
  it('never mutates the graph it is given', () => {
    const before = structuredClone(chain);
    applyGraphChanges(chain, [
      { kind: 'move-node', id: 'a', position: { x: 5, y: 5 } },
      { kind: 'remove-node', id: 'b' },
    ]);
    expect(chain).toEqual(before);
  });

  it('removes the edges of a removed node', () => {
    const g = applyGraphChanges(chain, [{ kind: 'remove-node', id: 'b' }]);
    expect(g.nodes.map((n) => n.id)).toEqual(['a', 'c']);
    expect(g.edges).toEqual([]);
  });

  it('applies moves and parameter edits in order, keeping untouched nodes identical', () => {
    const g = applyGraphChanges(chain, [
      { kind: 'move-node', id: 'b', position: { x: 1, y: 2 } },
      { kind: 'set-params', id: 'b', params: { segmentSeconds: 4 } },
      { kind: 'move-node', id: 'b', position: { x: 3, y: 4 } },
    ]);
    expect(g.nodes[1]).toEqual({
      id: 'b',
      type: 'split',
      position: { x: 3, y: 4 },
      params: { segmentSeconds: 4 },
    });
    expect(g.nodes[0]).toBe(chain.nodes[0]);
  });

  it('drops an empty label instead of saving it', () => {
    const labelled = applyGraphChanges(chain, [{ kind: 'set-label', id: 'a', label: 'Input' }]);
    expect(labelled.nodes[0]!.label).toBe('Input');
    expect(
      'label' in applyGraphChanges(labelled, [{ kind: 'set-label', id: 'a', label: '' }]).nodes[0]!,
    ).toBe(false);
  });
});

describe('fresh ids', () => {
  it('uses the type name first, then numbered copies', () => {
    expect(freshId('encode', new Set())).toBe('encode');
    expect(freshId('encode', new Set(['encode', 'encode-2']))).toBe('encode-3');
    expect(freshEdgeId(new Set(['e1', 'e3']))).toBe('e4');
  });
});

describe('copy and paste', () => {
  it('keeps only the edges inside the selection and rewires them to the copies', () => {
    const clip = copySelection(chain, new Set(['a', 'b']));
    expect(clip.edges.map((e) => e.id)).toEqual(['e1']);
    const { changes, nodeIds } = pasteClip(chain, clip, { x: 40, y: 40 });
    const g = applyGraphChanges(chain, changes);
    expect(nodeIds).toEqual(['a-2', 'b-2']);
    expect(g.edges.at(-1)).toMatchObject({
      from: { node: 'a-2', port: 'out' },
      to: { node: 'b-2', port: 'in' },
    });
    expect(g.nodes.find((n) => n.id === 'b-2')!.position).toEqual({ x: 240, y: 40 });
  });
});

describe('history', () => {
  it('undoes and redoes whole snapshots, and a new edit forgets the redo stack', () => {
    const g1 = applyGraphChanges(chain, [{ kind: 'remove-edge', id: 'e2' }]);
    let h = record(emptyHistory, chain);
    const back = undo(h, g1)!;
    expect(back.graph).toBe(chain);
    const again = redo(back.history, back.graph)!;
    expect(again.graph).toBe(g1);
    h = record(back.history, chain);
    expect(h.future).toEqual([]);
    expect(undo(emptyHistory, chain)).toBeUndefined();
  });
});
