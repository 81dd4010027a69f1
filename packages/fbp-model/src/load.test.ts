import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findNonFinite, loadGraph, parseGraph, serializeGraph } from './load.js';

const example = JSON.parse(
  readFileSync(new URL('../../../examples/transcode-720p.reelflow.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('loadGraph', () => {
  it('loads the contract example without diagnostics', () => {
    const result = loadGraph(example);
    expect(result.diagnostics).toEqual([]);
    expect(result.graph?.nodes).toHaveLength(7);
    expect(result.graph?.edges).toHaveLength(6);
  });

  it('reports every schema problem with its JSON path and never throws', () => {
    const doc = structuredClone(example);
    const nodes = doc.nodes as Array<Record<string, unknown>>;
    delete nodes[1]!.type;
    nodes[2]!.position = { x: 'left', y: 0 };
    (doc.edges as Array<Record<string, unknown>>)[0]!.to = 'split.in';
    const result = loadGraph(doc);
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.property])).toEqual(
      expect.arrayContaining([
        ['schema', '$.nodes[1].type'],
        ['schema', '$.nodes[2].position.x'],
        ['schema', '$.edges[0].to'],
      ]),
    );
    expect(result.diagnostics).toHaveLength(3);
    expect(result.diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('keeps unknown top-level keys through load and save', () => {
    const doc = { ...structuredClone(example), owner: 'studio-b', tags: ['hd'] };
    const result = loadGraph(doc);
    expect(result.graph).toMatchObject({ owner: 'studio-b', tags: ['hd'] });
    expect(JSON.parse(serializeGraph(result.graph!))).toMatchObject({ owner: 'studio-b' });
  });

  it('keeps node and edge metadata and an array-port index through load and save', () => {
    const doc = structuredClone(example) as {
      nodes: Array<Record<string, unknown>>;
      edges: Array<Record<string, unknown>>;
    };
    doc.nodes[0]!.metadata = { width: 72, icon: 'film' };
    doc.edges[0]!.metadata = { route: 5 };
    doc.edges[0]!.to = { node: 'split', port: 'in', index: 2 };
    const result = loadGraph(doc);
    expect(result.diagnostics).toEqual([]);
    const saved = JSON.parse(serializeGraph(result.graph!));
    expect(saved.nodes[0].metadata).toEqual({ width: 72, icon: 'film' });
    expect(saved.edges[0]).toMatchObject({
      metadata: { route: 5 },
      to: { node: 'split', port: 'in', index: 2 },
    });
    // Older documents, without these fields, load as before: no new schema version.
    expect(loadGraph(example).graph?.nodes[0]).not.toHaveProperty('metadata');
    doc.edges[1]!.from = { node: 'split', port: 'out', index: -1 };
    expect(loadGraph(doc).diagnostics.map((d) => d.property)).toEqual(['$.edges[1].from.index']);
  });

  it.each([null, 42, 'graph', [1, 2], undefined])(
    'reports a non-object document (%j) as one schema error',
    (doc) => {
      const result = loadGraph(doc);
      expect(result.graph).toBeUndefined();
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ code: 'schema', property: '$' }),
      ]);
    },
  );

  it('refuses a document from a newer schema version', () => {
    const result = loadGraph({ ...example, schemaVersion: 99 });
    expect(result.diagnostics[0]).toMatchObject({ code: 'schema', property: '$.schemaVersion' });
    expect(result.diagnostics[0]!.message).toMatch(/newer/);
  });

  it('refuses a document nested deeper than the limit with one schema diagnostic, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const result = loadGraph({ ...example, extra: deep });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'schema',
        message: expect.stringMatching(/nests deeper than 64 levels/),
      }),
    ]);
    expect(result.diagnostics[0]!.property).toMatch(/^\$\.extra\[0\]/);
  });

  it('names a bad schemaVersion briefly, never echoing a big value', () => {
    const result = loadGraph({ ...example, schemaVersion: 'x'.repeat(100_000) });
    expect(result.diagnostics[0]!.message.length).toBeLessThan(120);
    expect(loadGraph({ ...example, schemaVersion: [[1]] }).diagnostics[0]!.message).toMatch(
      /got an array/,
    );
  });

  it('defaults missing params to an empty object', () => {
    const result = loadGraph({
      schemaVersion: 1,
      id: 'g',
      name: 'g',
      nodes: [{ id: 'a', type: 'source' }],
      edges: [],
    });
    expect(result.graph?.nodes[0]!.params).toEqual({});
  });
});

describe('parseGraph', () => {
  it('reports text that is not JSON as a syntax error, not a throw', () => {
    const result = parseGraph('{ "nodes": [ }');
    expect(result.syntaxError).toMatch(/not valid JSON/);
    expect(result.graph).toBeUndefined();
  });
});

describe('findNonFinite', () => {
  it('names the first number JSON cannot carry, and nothing in a clean document', () => {
    expect(findNonFinite(example)).toBeUndefined();
    expect(findNonFinite(JSON.parse('{"a":[1,{"b":1e999}],"c":-1e999}'))).toBe('$.a[1].b');
    expect(findNonFinite({ x: NaN })).toBe('$.x');
    expect(findNonFinite(Infinity)).toBe('$');
  });
});
