import { describe, expect, it } from 'vitest';
import { loadGraph } from './load.js';
import { migrate } from './migrations.js';

/** A document as the prototype exported it (schema version 0). */
const v0 = {
  id: 'legacy',
  name: 'Legacy flow',
  nodes: [
    { id: 'src', kind: 'source', x: 0, y: 10, config: {} },
    { id: 'split', kind: 'split', x: 200, y: 10, config: { segmentSeconds: 5 } },
    { id: 'merge', kind: 'merge', x: 400, y: 10 },
  ],
  links: [
    { source: 'src.out', target: 'split.in' },
    { id: 'keep', source: 'split.out', target: 'merge.in' },
  ],
};

describe('migrations', () => {
  it('migrates a version 0 document to the current schema', () => {
    const result = loadGraph(v0);
    expect(result.diagnostics).toEqual([]);
    expect(result.migrations).toHaveLength(1);
    expect(result.graph).toMatchObject({
      schemaVersion: 1,
      nodes: [
        { id: 'src', type: 'source', position: { x: 0, y: 10 }, params: {} },
        { id: 'split', type: 'split', params: { segmentSeconds: 5 } },
        { id: 'merge', type: 'merge', params: {} },
      ],
      edges: [
        { id: 'e1', from: { node: 'src', port: 'out' }, to: { node: 'split', port: 'in' } },
        { id: 'keep', from: { node: 'split', port: 'out' }, to: { node: 'merge', port: 'in' } },
      ],
    });
    expect(result.graph).not.toHaveProperty('links');
  });

  it('leaves what it cannot understand for the schema check to report', () => {
    const result = loadGraph({ ...v0, links: [{ source: 7, target: 'merge.in' }] });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.some((d) => d.property === '$.edges[0].from')).toBe(true);
  });

  it('rejects a schemaVersion that is not a whole number', () => {
    expect(migrate({ schemaVersion: '1' })).toMatchObject({ ok: false });
    expect(migrate({ schemaVersion: -1 })).toMatchObject({ ok: false });
  });

  it('applies no migration to a current document', () => {
    expect(migrate({ schemaVersion: 1 })).toEqual({
      ok: true,
      doc: { schemaVersion: 1 },
      applied: [],
    });
  });
});
