import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLibrary, type Graph, type NodeTypeDef } from '@reelflow/fbp-model';
import { admitNodes, withoutInputs } from './admission.js';

const kind = (type: string, admit?: NodeTypeDef<{ required: boolean }>['admit']) =>
  ({
    type,
    title: type,
    description: type,
    ports: [],
    params: z.strictObject({ required: z.boolean().default(false) }),
    firing: 'map',
    compile: () => [],
    estimateSeconds: () => 0,
    cores: () => 1,
    ...(admit ? { admit } : {}),
  }) as NodeTypeDef<{ required: boolean }>;

const library = createLibrary([
  kind('plain'),
  kind('needs-audio', (p, source) =>
    source.audio ? undefined : p.required ? { refuse: 'no audio' } : { skip: 'no audio' },
  ),
]);

const graph: Graph = {
  schemaVersion: 1,
  id: 'g',
  name: 'g',
  nodes: [
    { id: 'a', type: 'plain', params: {} },
    { id: 'b', type: 'needs-audio', params: {} },
    { id: 'c', type: 'needs-audio', params: { required: true } },
    { id: 'd', type: 'needs-audio', params: { required: 'yes' } },
  ],
  edges: [
    { id: 'e1', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
    { id: 'e2', from: { node: 'b', port: 'out' }, to: { node: 'c', port: 'in' } },
  ],
};

describe('admission', () => {
  it('asks each node type with an admit hook, with its parsed parameters', () => {
    expect(admitNodes(graph, library, { durationSeconds: 1 })).toEqual({
      refused: [{ nodeId: 'c', reason: 'no audio' }],
      // `d` has invalid parameters: validation reports them, admission leaves it alone.
      skipped: [{ nodeId: 'b', reason: 'no audio' }],
    });
    expect(admitNodes(graph, library, { durationSeconds: 1, audio: { channels: 2 } })).toEqual({
      refused: [],
      skipped: [],
    });
  });

  it('drops only the edges into skipped nodes', () => {
    expect(withoutInputs(graph, ['b']).edges.map((e) => e.id)).toEqual(['e2']);
    expect(withoutInputs(graph, [])).toBe(graph);
  });
});
