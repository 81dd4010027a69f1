import { describe, expect, it } from 'vitest';
import type { Graph } from '@reelflow/fbp-model';
import {
  createTestLibrary,
  edge,
  exampleGraph,
  expectError,
  expectNoIssue,
  expectNoIssues,
  expectWarning,
  graphOf,
  node,
} from './testing.js';
import { validateDocument, validateGraph } from './validate.js';

const library = createTestLibrary();
const validate = (g: Graph) => validateGraph(g, library);

/** The example graph with one change applied. */
function example(edit: (g: Graph) => void): Graph {
  const g = structuredClone(exampleGraph());
  edit(g);
  return g;
}

const byId = (g: Graph, id: string) => {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};

describe('validateGraph', () => {
  it('finds nothing wrong with the CONTRACTS example graph', () => {
    expectNoIssues(validate(exampleGraph()));
  });

  it('reports two nodes that share an id', () => {
    const g = example((x) => x.nodes.push({ ...byId(x, 'enc') }));
    expectError(validate(g), 'duplicate-id', { kind: 'node', element: 'enc' });
    expectNoIssue(validate(exampleGraph()), 'duplicate-id');
  });

  it('reports two edges that share an id', () => {
    const g = example((x) => x.edges.push(edge('e1', 'merge.out', 'out.in')));
    expectError(validate(g), 'duplicate-id', { kind: 'edge', element: 'e1' });
  });

  it('reports a node type the library does not know', () => {
    const g = example((x) => (byId(x, 'enc').type = 'sharpen'));
    expectError(validate(g), 'unknown-node-type', {
      kind: 'node',
      element: 'enc',
      message: /sharpen/,
    });
  });

  it('reports an edge that names a port the node type lacks', () => {
    const g = example((x) => (x.edges[2] = edge('e3', 'xfer.out', 'enc.input')));
    expectError(validate(g), 'unknown-port', {
      kind: 'edge',
      element: 'e3',
      message: /input port 'input'/,
    });
    expectNoIssue(validate(exampleGraph()), 'unknown-port');
  });

  it('reports an edge that uses an input as an output', () => {
    const g = example((x) => (x.edges[2] = edge('e3', 'xfer.in', 'enc.in')));
    expectError(validate(g), 'unknown-port', {
      element: 'e3',
      message: /uses input 'in' of 'xfer' as an output/,
    });
  });

  it('reports an edge that names a node that does not exist', () => {
    const g = example((x) => (x.edges[2] = edge('e3', 'ghost.out', 'enc.in')));
    expectError(validate(g), 'dangling-edge', { kind: 'edge', element: 'e3', message: /ghost/ });
    expectNoIssue(validate(exampleGraph()), 'dangling-edge');
  });

  it('reports an edge that joins a video port to a chunk port, naming the input port', () => {
    const g = example((x) => (x.edges[1] = edge('e2', 'src.out', 'xfer.in')));
    const d = expectError(validate(g), 'port-type-mismatch', { kind: 'port', element: 'xfer.in' });
    expect(d.message).toContain('takes chunk');
    expect(d.message).toContain('e2');
    expectNoIssue(validate(exampleGraph()), 'port-type-mismatch');
  });

  it('reports a single-valued input with two incoming edges', () => {
    const g = example((x) => x.edges.push(edge('e7', 'split.out', 'enc.in')));
    expectError(validate(g), 'port-multiplicity', {
      kind: 'port',
      element: 'enc.in',
      message: /e3, e7/,
    });
  });

  it('accepts several edges into a many-valued merge input', () => {
    const g = example((x) => {
      x.nodes.push(node('enc2', 'encode', { codec: 'h264', crf: 23 }));
      x.edges.push(edge('e7', 'xfer.out', 'enc2.in'), edge('e8', 'enc2.out', 'merge.in'));
      x.edges[2] = edge('e3', 'split.out', 'enc.in');
      x.edges.push(edge('e9', 'split.out', 'xfer.in'));
      x.edges.splice(1, 1);
    });
    const ds = validate(g);
    expectNoIssue(ds, 'port-multiplicity');
  });

  it('reports a required input without an incoming edge, naming the port', () => {
    const g = example((x) => x.edges.splice(3, 1));
    expectError(validate(g), 'required-input-unconnected', { kind: 'port', element: 'back.in' });
    expectNoIssue(validate(exampleGraph()), 'required-input-unconnected');
  });

  it('warns about an output that feeds nothing', () => {
    const g = example((x) => {
      x.nodes.push(node('extra', 'transfer'));
      x.edges.push(edge('e7', 'split.out', 'extra.in'));
    });
    expectWarning(validate(g), 'output-unconnected', { kind: 'port', element: 'extra.out' });
    expectNoIssue(validate(exampleGraph()), 'output-unconnected');
  });

  it('reports each edge that closes a cycle', () => {
    const g = example((x) => x.edges.push(edge('loop', 'back.out', 'xfer.in')));
    const d = expectError(validate(g), 'cycle', { kind: 'edge', element: 'loop' });
    expect(d.message).toContain('xfer → enc → back → xfer');
    expectNoIssue(validate(exampleGraph()), 'cycle');
  });

  it('reports a self-loop as a cycle', () => {
    const g = graphOf([node('t', 'transfer')], [edge('self', 't.out', 't.in')]);
    expectError(validate(g), 'cycle', { element: 'self' });
  });

  it('finds cycles in a long chain without overflowing the stack', () => {
    const n = 20_000;
    const nodes = Array.from({ length: n }, (_, i) => node(`t${i}`, 'transfer'));
    const edges = Array.from({ length: n }, (_, i) =>
      edge(`e${i}`, `t${i}.out`, `t${(i + 1) % n}.in`),
    );
    const ds = validate(graphOf(nodes, edges));
    expect(ds.filter((d) => d.code === 'cycle')).toHaveLength(1);
  });

  it('reports a graph without a source and without a sink', () => {
    const g = graphOf([node('t', 'transfer')], []);
    expectError(validate(g), 'no-source', { kind: 'graph' });
    expectError(validate(g), 'no-sink', { kind: 'graph' });
    expectNoIssue(validate(exampleGraph()), 'no-source');
    expectNoIssue(validate(exampleGraph()), 'no-sink');
  });

  it('warns about a node on no path from a source to a sink', () => {
    const g = example((x) => {
      x.nodes.push(node('lonely', 'transfer'), node('lonely2', 'transfer'));
      x.edges.push(edge('e7', 'lonely.out', 'lonely2.in'), edge('e8', 'lonely2.out', 'lonely.in'));
    });
    expectWarning(validate(g), 'unreachable-node', { kind: 'node', element: 'lonely' });
    expectNoIssue(validate(exampleGraph()), 'unreachable-node');
  });

  it('runs only fast rules in fast mode', () => {
    const g = example((x) => x.nodes.push(node('lonely', 'transfer')));
    expectNoIssue(validateGraph(g, library, { mode: 'fast' }), 'unreachable-node');
    expectWarning(validateGraph(g, library, { mode: 'all' }), 'unreachable-node');
  });

  it('names the parameter that fails its schema', () => {
    const g = example((x) => (byId(x, 'enc').params.crf = 99));
    const d = expectError(validate(g), 'param-invalid', {
      kind: 'node',
      element: 'enc',
      property: 'params.crf',
    });
    expect(d.message).toMatch(/51/);
  });

  it('reports a parameter of the wrong type', () => {
    const g = example((x) => (byId(x, 'merge').params.container = 'avi'));
    expectError(validate(g), 'param-invalid', { element: 'merge', property: 'params.container' });
    expectNoIssue(validate(exampleGraph()), 'param-invalid');
  });

  it('turns a throwing constraint-free rule into a diagnostic, not a crash', () => {
    const throwing = createTestLibrary();
    const bad = {
      ...throwing.get('encode')!,
      params: {
        safeParse: () => {
          throw new Error('boom');
        },
      },
    } as never;
    const lib = createTestLibrary([bad]);
    const ds = validateGraph(exampleGraph(), lib);
    expectError(ds, 'rule-exception', { element: 'enc', message: /boom/ });
  });
});

describe('robustness', () => {
  it('never throws, even for a graph that was not loaded through the schema', () => {
    const broken = {
      id: 'x',
      nodes: [{ id: 'a', type: 'encode' }],
      edges: null,
    } as unknown as Graph;
    const ds = validateGraph(broken, library);
    expectError(ds, 'rule-exception', { kind: 'graph', element: 'x' });
    expect(() => validateGraph(undefined as unknown as Graph, library)).not.toThrow();
  });

  it('checks a node without params against its schema defaults', () => {
    const g = example((x) => delete (byId(x, 'enc') as { params?: unknown }).params);
    const ds = validateGraph(g, library, {
      constraints: ["context encode inv c: self.params.codec = 'h264'"],
    });
    expectError(ds, 'param-invalid', { element: 'enc', property: 'params' });
    expectNoIssue(ds, 'rule-exception');
  });
});

describe('validateDocument', () => {
  it('reports schema problems with their JSON path and runs no rules', () => {
    const result = validateDocument(
      { schemaVersion: 1, id: 'x', name: 'x', nodes: [{ id: 'a' }], edges: [] },
      library,
    );
    expect(result.valid).toBe(false);
    expectError(result.diagnostics, 'schema', { property: '$.nodes[0].type' });
  });

  it('is valid for the example document', () => {
    const result = validateDocument(JSON.parse(JSON.stringify(exampleGraph())), library);
    expect(result).toEqual({ valid: true, diagnostics: [] });
  });

  it('is still valid with only warnings', () => {
    const g = example((x) => {
      x.nodes.push(node('extra', 'transfer'));
      x.edges.push(edge('e7', 'split.out', 'extra.in'));
    });
    const result = validateDocument(g, library);
    expect(result.valid).toBe(true);
    expectWarning(result.diagnostics, 'unreachable-node', { element: 'extra' });
  });
});
