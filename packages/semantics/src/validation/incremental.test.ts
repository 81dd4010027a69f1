import { describe, expect, it } from 'vitest';
import { FUZZ } from '../../test/fuzz/settings.js';
import fc from 'fast-check';
import type { Edge, Graph, GraphNode } from '@reelflow/fbp-model';
import { createIncrementalValidator, type GraphChange } from './incremental.js';
import { createTestLibrary, edge, exampleGraph, node } from './testing.js';
import { validateGraph } from './validate.js';

// The library's merge/stream constraints walk far upstream (closure), the hardest case for
// dependency tracking; a copy of their shape is attached here so semantics tests stand alone.
const library = createTestLibrary([], {
  merge:
    "context merge inv upstreamCodecs: self->closure(n | if n <> self and n.firing = 'fanout' then null else n.predecessors endif)->select(n | n.type = 'encode')->forAll(e | e.params.codec <> 'vp9' or self.params.container <> 'mp4')",
  encode:
    "context encode inv fedBySplit warning: self->closure(predecessors)->exists(n | n.type = 'split')",
});

const TYPES = ['source', 'split', 'transfer', 'encode', 'merge', 'stream', 'mystery'];
const PORTS = ['in', 'out', 'bogus'];

/** One edit, chosen by indices so that it applies to whatever graph it meets. */
type Edit =
  | { op: 'addNode'; type: string }
  | { op: 'removeNode'; at: number }
  | { op: 'setParam'; at: number; key: 'codec' | 'container' | 'crf'; value: string | number }
  | { op: 'setType'; at: number; type: string }
  | { op: 'addEdge'; from: number; fromPort: string; to: number; toPort: string; dangling: boolean }
  | { op: 'removeEdge'; at: number }
  | { op: 'rewire'; at: number; to: number }
  | { op: 'duplicate'; at: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('addNode' as const), type: fc.constantFrom(...TYPES) }),
  fc.record({ op: fc.constant('removeNode' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('setParam' as const),
    at: fc.nat(),
    key: fc.constantFrom('codec' as const, 'container' as const, 'crf' as const),
    value: fc.oneof(
      fc.constantFrom('h264', 'vp9', 'mp4', 'webm', 'mkv'),
      fc.integer({ min: -5, max: 70 }),
    ),
  }),
  fc.record({ op: fc.constant('setType' as const), at: fc.nat(), type: fc.constantFrom(...TYPES) }),
  fc.record({
    op: fc.constant('addEdge' as const),
    from: fc.nat(),
    fromPort: fc.constantFrom(...PORTS),
    to: fc.nat(),
    toPort: fc.constantFrom(...PORTS),
    dangling: fc.boolean(),
  }),
  fc.record({ op: fc.constant('removeEdge' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('rewire' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

let counter = 0;

/** Apply an edit the way the designer's store does: new objects for what changed only. */
function apply(g: Graph, e: Edit): { graph: Graph; change?: GraphChange } {
  const pick = <T>(xs: readonly T[], i: number): T | undefined => xs[i % Math.max(xs.length, 1)];
  const replaceNode = (target: GraphNode, next: GraphNode): Graph => ({
    ...g,
    nodes: g.nodes.map((n) => (n === target ? next : n)),
  });
  switch (e.op) {
    case 'addNode': {
      const id = `n${counter++}`;
      return {
        graph: { ...g, nodes: [...g.nodes, node(id, e.type)] },
        change: { kind: 'node-added', id },
      };
    }
    case 'removeNode': {
      const target = pick(g.nodes, e.at);
      if (!target) return { graph: g };
      // Removing a node leaves its edges dangling: a real editor state worth checking too.
      return {
        graph: { ...g, nodes: g.nodes.filter((n) => n !== target) },
        change: { kind: 'node-removed', id: target.id },
      };
    }
    case 'setParam': {
      const target = pick(g.nodes, e.at);
      if (!target) return { graph: g };
      const next = { ...target, params: { ...target.params, [e.key]: e.value } };
      return { graph: replaceNode(target, next), change: { kind: 'node-updated', id: target.id } };
    }
    case 'setType': {
      const target = pick(g.nodes, e.at);
      if (!target) return { graph: g };
      return {
        graph: replaceNode(target, { ...target, type: e.type }),
        change: { kind: 'node-updated', id: target.id },
      };
    }
    case 'addEdge': {
      const from = pick(g.nodes, e.from);
      const to = pick(g.nodes, e.to);
      if (!from || !to) return { graph: g };
      const id = `e${counter++}`;
      const toId = e.dangling ? 'ghost' : to.id;
      return {
        graph: {
          ...g,
          edges: [...g.edges, edge(id, `${from.id}.${e.fromPort}`, `${toId}.${e.toPort}`)],
        },
        change: { kind: 'edge-added', id },
      };
    }
    case 'removeEdge': {
      const target = pick(g.edges, e.at);
      if (!target) return { graph: g };
      return {
        graph: { ...g, edges: g.edges.filter((x) => x !== target) },
        change: { kind: 'edge-removed', id: target.id },
      };
    }
    case 'rewire': {
      const target = pick(g.edges, e.at);
      const to = pick(g.nodes, e.to);
      if (!target || !to) return { graph: g };
      const next: Edge = { ...target, to: { ...target.to, node: to.id } };
      return {
        graph: { ...g, edges: g.edges.map((x) => (x === target ? next : x)) },
        change: { kind: 'edge-updated', id: target.id },
      };
    }
    case 'duplicate': {
      const target = pick(g.nodes, e.at);
      if (!target) return { graph: g };
      return {
        graph: { ...g, nodes: [...g.nodes, { ...target }] },
        change: { kind: 'node-added', id: target.id },
      };
    }
  }
}

describe('createIncrementalValidator', () => {
  it('agrees with full validation after every edit of random edit sequences', () => {
    fc.assert(
      fc.property(
        fc.array(editArb, { maxLength: 40 }),
        fc.boolean(),
        fc.constantFrom('fast' as const, 'all' as const),
        (edits, typed, mode) => {
          const validator = createIncrementalValidator(library, { mode });
          let graph = exampleGraph();
          expect(validator.update(graph)).toEqual(validateGraph(graph, library, { mode }));
          for (const e of edits) {
            const { graph: next, change } = apply(graph, e);
            graph = next;
            const incremental = validator.update(graph, typed ? change : undefined);
            expect(incremental).toEqual(validateGraph(graph, library, { mode }));
          }
        },
      ),
      { numRuns: 150, seed: FUZZ.seed },
    );
  });

  it('re-checks only the elements an edit can affect', () => {
    const validator = createIncrementalValidator(library);
    const g = exampleGraph();
    validator.update(g);
    expect(validator.lastChecked.nodes).toHaveLength(7);
    const edited: Graph = {
      ...g,
      nodes: g.nodes.map((n) => (n.id === 'enc' ? { ...n, params: { ...n.params, crf: 99 } } : n)),
    };
    const ds = validator.update(edited, { kind: 'node-updated', id: 'enc' });
    expect(ds.map((d) => d.code)).toEqual(['param-invalid']);
    // enc itself; back, whose input checks the type of enc's output; merge, whose
    // constraint reads the codecs upstream; the two edges that name enc.
    expect(validator.lastChecked).toEqual({ nodes: ['enc', 'back', 'merge'], edges: ['e3', 'e4'] });
    expect(validator.update(g)).toEqual([]);
  });

  it('validates everything again after reset', () => {
    const validator = createIncrementalValidator(library);
    const g = exampleGraph();
    validator.update(g);
    validator.reset();
    expect(validator.update({ ...g, nodes: g.nodes.slice(1) })).toEqual(
      validateGraph({ ...g, nodes: g.nodes.slice(1) }, library),
    );
  });
});
