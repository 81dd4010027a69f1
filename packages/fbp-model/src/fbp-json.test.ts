import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toDot } from './dot.js';
import fc from 'fast-check';
import { fbpSchemaErrors } from '../test/fbp-schema.js';
import { fbpJsonProblem, fromFbpJson, looksLikeFbpJson, toFbpJson } from './fbp-json.js';
import type { Graph } from './graph.js';
import { loadGraph, parseGraph, serializeGraph } from './load.js';

/** The node types the import asks about: an encode with ports `in` and `out`. */
const library = {
  get: (type: string) =>
    type === 'encode' ? { ports: [{ name: 'in' }, { name: 'out' }] } : undefined,
};

const example = loadGraph(
  JSON.parse(
    readFileSync(
      new URL('../../../examples/transcode-720p.reelflow.json', import.meta.url),
      'utf8',
    ),
  ),
).graph!;

describe('NoFlo FBP JSON', () => {
  it('exports processes, connections and positions in metadata', () => {
    const fbp = toFbpJson(example);
    expect(fbp.processes.enc).toEqual({
      component: 'encode',
      metadata: {
        params: { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 },
        x: 600,
        y: 0,
      },
    });
    expect(fbp.connections[0]).toEqual({
      src: { process: 'src', port: 'out' },
      tgt: { process: 'split', port: 'in' },
      metadata: { id: 'e1' },
    });
    expect(fbp.properties).toMatchObject({ name: example.name, id: example.id });
    expect(looksLikeFbpJson(fbp)).toBe(true);
    expect(looksLikeFbpJson(example)).toBe(false);
  });

  it('round-trips to an equal graph, extra keys and labels included', () => {
    const graph = {
      ...example,
      owner: 'studio-b',
      nodes: example.nodes.map((n, i) => (i === 0 ? { ...n, label: 'Camera A' } : n)),
    };
    const back = fromFbpJson(JSON.parse(JSON.stringify(toFbpJson(graph))));
    expect(back.diagnostics).toEqual([]);
    expect(back.graph).toEqual(graph);
  });

  it("turns initial information packets into a Reelflow node's params, and back", () => {
    const source = {
      properties: { name: 'iip' },
      processes: { enc: { component: 'encode' }, log: { component: 'core/Output' } },
      connections: [
        { data: 'x', tgt: { process: 'log', port: 'in' } },
        { data: 28, tgt: { process: 'enc', port: 'crf' }, metadata: { route: 2 } },
        { data: 'dropped?', tgt: { process: 'enc', port: 'in' } },
      ],
    };
    const result = fromFbpJson(source, { library });
    expect(result.diagnostics).toEqual([]);
    // Into a param of a Reelflow node type: a param. Into a port, or an unknown component: kept.
    expect(result.graph!.nodes.map((n) => n.params)).toEqual([{ crf: 28 }, {}]);
    const exported = toFbpJson({
      ...result.graph!,
      nodes: result.graph!.nodes.map((n) => (n.id === 'enc' ? { ...n, params: { crf: 30 } } : n)),
    });
    expect(exported.connections).toEqual([
      source.connections[0],
      { ...source.connections[1], data: 30 },
      source.connections[2],
    ]);
    expect(exported.processes.enc).toEqual({ component: 'encode' });
    // Without a library nothing is taken for a param, and everything still comes back.
    expect(fromFbpJson(source).graph!.nodes[0]!.params).toEqual({});
    expect(toFbpJson(fromFbpJson(source).graph!)).toEqual(source);
  });

  it('reports a broken FBP document as schema diagnostics instead of throwing', () => {
    const result = fromFbpJson({
      processes: { a: { component: 3 } },
      connections: [{ src: {}, tgt: {} }],
    });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(fromFbpJson('nope').diagnostics[0]!.code).toBe('schema');
  });
});

describe('FBP JSON import keeps what the format defines', () => {
  const noflo = {
    caseSensitive: false,
    properties: {
      name: 'Show',
      environment: { type: 'noflo-browser', content: '<canvas></canvas>' },
      description: 'draws',
      icon: 'paint-brush',
      library: 'noflo-canvas',
    },
    inports: { in: { process: 'Split', port: 'in', metadata: { x: 1, y: 2 } } },
    outports: { out: { process: 'Draw', port: 'out' } },
    groups: [{ name: 'g', nodes: ['Split', 'Draw'], metadata: { description: 'two' } }],
    exports: [{ public: 'legacy', private: 'split.in' }],
    processes: {
      Split: { component: 'core/Split', metadata: { x: 10, y: 20, label: 'Split', width: 72 } },
      Draw: { component: 'canvas/Draw', metadata: {} },
      Bare: { component: 'core/Kick' },
    },
    connections: [
      { data: 'hello', tgt: { process: 'Split', port: 'in' }, metadata: { route: 1 } },
      {
        src: { process: 'Split', port: 'out', index: 0 },
        tgt: { process: 'Draw', port: 'commands', index: 3 },
        metadata: { route: 5, secure: false },
      },
      { src: { process: 'Split', port: 'out' }, tgt: { process: 'Bare', port: 'in' } },
      { src: { process: 'Draw', port: 'out' }, tgt: { process: 'Bare', port: 'in' }, metadata: {} },
    ],
  };

  it('carries properties, metadata, routes, IIPs, indexes, ports, groups and exports', () => {
    const result = fromFbpJson(structuredClone(noflo));
    expect(result.diagnostics).toEqual([]);
    const graph = result.graph!;
    expect(graph.nodes[0]).toEqual({
      id: 'Split',
      type: 'core/Split',
      position: { x: 10, y: 20 },
      label: 'Split',
      params: {},
      metadata: { width: 72 },
    });
    expect(graph.edges[0]).toMatchObject({
      from: { node: 'Split', port: 'out', index: 0 },
      to: { node: 'Draw', port: 'commands', index: 3 },
      metadata: { route: 5, secure: false },
    });
    const again = parseGraph(serializeGraph(graph)).graph!;
    const exported = toFbpJson(again);
    expect(exported).toEqual(noflo);
    expect(exported.caseSensitive).toBe(false);
  });

  it('leaves caseSensitive, properties and ports out when the source had none', () => {
    const bare = {
      processes: { a: { component: 'x' } },
      connections: [{ src: { process: 'a', port: 'out' }, tgt: { process: 'a', port: 'in' } }],
    };
    const graph = fromFbpJson(bare).graph!;
    expect(graph).toMatchObject({ id: 'imported', name: 'Imported flow' });
    expect(toFbpJson(graph)).toEqual(bare);
    const noConnections = { processes: { a: { component: 'x' } } };
    expect(toFbpJson(fromFbpJson(noConnections).graph!)).toEqual(noConnections);
    // A name given in Reelflow afterwards is written.
    expect(toFbpJson({ ...graph, name: 'Mine' }).properties).toEqual({ name: 'Mine' });
  });

  it('makes up edge ids that collide with none the source names', () => {
    const graph = fromFbpJson({
      processes: { a: { component: 'x' }, b: { component: 'x' } },
      connections: [
        { src: { process: 'a', port: 'out' }, tgt: { process: 'b', port: 'in' } },
        {
          src: { process: 'b', port: 'out' },
          tgt: { process: 'a', port: 'in' },
          metadata: { id: 'e1' },
        },
        {
          src: { process: 'a', port: 'x' },
          tgt: { process: 'b', port: 'y' },
          metadata: { id: 'e2' },
        },
      ],
    }).graph!;
    expect(graph.edges.map((e) => e.id)).toEqual(['e3', 'e1', 'e2']);
  });

  it('refuses a Reelflow document and {} as not FBP JSON, with one line', () => {
    for (const doc of [example, {}, { processes: [] }, { processes: {}, connections: {} }, 3]) {
      const result = fromFbpJson(doc);
      expect(result.graph).toBeUndefined();
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ code: 'schema', property: '$' }),
      ]);
      expect(result.diagnostics[0]!.message).not.toContain('\n');
    }
    expect(fbpJsonProblem(example)).toMatch(/Reelflow graph document/);
    expect(fbpJsonProblem({})).toMatch(/no "processes"/);
    expect(fbpJsonProblem({ processes: {} })).toBeUndefined();
  });
});

describe('FBP JSON export meets the official schema', () => {
  it('keeps a node called __proto__', () => {
    const graph = {
      ...example,
      nodes: [...example.nodes, { id: '__proto__', type: 'stream', params: {} }],
    };
    const exported = JSON.parse(JSON.stringify(toFbpJson(graph)));
    expect(Object.keys(exported.processes)).toContain('__proto__');
    expect(fromFbpJson(exported).graph).toEqual(graph);
  });

  it('writes whole-pixel positions and safe process names, and maps the names back', () => {
    const graph: Graph = {
      ...example,
      nodes: [
        ...example.nodes.map((n) =>
          n.id === 'enc' ? { ...n, position: { x: 10.6, y: -0.2 } } : n,
        ),
        { id: 'my node', type: 'stream', params: {} },
        { id: 'my_node', type: 'stream', params: {} },
        { id: '→', type: 'stream', params: {} },
      ],
      edges: [
        ...example.edges,
        { id: 'x', from: { node: 'out', port: 'x' }, to: { node: '→', port: 'in' } },
      ],
    };
    const exported = JSON.parse(JSON.stringify(toFbpJson(graph)));
    expect(fbpSchemaErrors(exported)).toEqual([]);
    expect(exported.processes.enc.metadata).toMatchObject({ x: 11, y: 0 });
    expect(Object.keys(exported.processes)).toEqual(
      expect.arrayContaining(['my_node', 'my_node_2', '_']),
    );
    expect(exported.processes.my_node_2.metadata).toEqual({ reelflowId: 'my node' });
    expect(exported.processes._.metadata).toEqual({ reelflowId: '→' });
    expect(exported.connections.at(-1).tgt).toEqual({ process: '_', port: 'in' });
    const back = fromFbpJson(exported).graph!;
    expect(back.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(back.nodes.find((n) => n.id === 'enc')!.position).toEqual({ x: 11, y: 0 });
    expect(back.edges.at(-1)!.to).toEqual({ node: '→', port: 'in' });
  });

  it('for any Reelflow graph: the export validates and imports back to the same graph', () => {
    const id = fc.string({ minLength: 1, maxLength: 6 });
    const node = fc.record(
      {
        id,
        type: fc.constantFrom('source', 'encode', 'teleport/Beam'),
        label: fc.string(),
        position: fc.record({ x: fc.integer({ min: -5000, max: 5000 }), y: fc.integer() }),
        params: fc.dictionary(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: ['id', 'type', 'params'] },
    );
    const graphs = fc
      .record({
        nodes: fc.uniqueArray(node, { selector: (n) => n.id, maxLength: 6 }),
        extra: fc.jsonValue(),
      })
      .chain(({ nodes, extra }) => {
        const ids = nodes.map((n) => n.id);
        const ref =
          ids.length > 0
            ? fc.record({ node: fc.constantFrom(...ids), port: fc.string({ minLength: 1 }) })
            : fc.constant({ node: 'a', port: 'b' });
        return fc
          .uniqueArray(fc.record({ id, from: ref, to: ref }), {
            selector: (e) => e.id,
            maxLength: 6,
          })
          .map((edges) => ({ schemaVersion: 1, id: 'g', name: 'G', nodes, edges, extra }));
      });
    fc.assert(
      fc.property(graphs, (doc) => {
        const graph = JSON.parse(JSON.stringify(loadGraph(doc).graph!)) as Graph;
        const exported = JSON.parse(JSON.stringify(toFbpJson(graph)));
        expect(fbpSchemaErrors(exported)).toEqual([]);
        // JavaScript objects list integer-like keys first, so `processes` cannot keep the node
        // order of ids such as "0": the nodes come back in another order then.
        const byId = (g: Graph) => ({
          ...g,
          nodes: [...g.nodes].sort((a, b) => (a.id < b.id ? -1 : 1)),
        });
        expect(byId(fromFbpJson(exported).graph!)).toEqual(byId(graph));
      }),
      { numRuns: 200, seed: 16 },
    );
  });
});

describe('Graphviz DOT', () => {
  it('exports every node and edge, quoting ids', () => {
    const dot = toDot({
      ...example,
      nodes: [...example.nodes, { id: 'we"ird', type: 'stream', params: {} }],
    });
    expect(dot).toMatch(/^digraph "transcode-720p" \{/);
    expect(dot).toContain('"src" -> "split"');
    expect(dot).toContain('"we\\"ird"');
    expect(dot.match(/->/g)).toHaveLength(example.edges.length);
  });
});
