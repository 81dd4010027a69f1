import type { Edge, Graph, GraphNode, Position } from '@reelflow/fbp-model';

/**
 * One edit of the graph document. Every user action becomes a list of these, applied by the
 * pure {@link applyGraphChanges} (as xyflow's `applyNodeChanges`), so undo, paste, layout and
 * the JSON editor all go through one path.
 */
export type GraphChange =
  | { readonly kind: 'add-node'; readonly node: GraphNode }
  | { readonly kind: 'remove-node'; readonly id: string }
  | { readonly kind: 'move-node'; readonly id: string; readonly position: Position }
  | { readonly kind: 'set-params'; readonly id: string; readonly params: Record<string, unknown> }
  | { readonly kind: 'set-label'; readonly id: string; readonly label: string | undefined }
  | { readonly kind: 'add-edge'; readonly edge: Edge }
  | { readonly kind: 'remove-edge'; readonly id: string }
  | { readonly kind: 'set-name'; readonly name: string }
  | { readonly kind: 'replace-graph'; readonly graph: Graph };

type NodePatch = (node: GraphNode) => GraphNode;

function patchFor(change: GraphChange): NodePatch | undefined {
  switch (change.kind) {
    case 'move-node':
      return (n) => ({ ...n, position: { x: change.position.x, y: change.position.y } });
    case 'set-params':
      return (n) => ({ ...n, params: change.params });
    case 'set-label':
      return (n) => {
        const { label: _old, ...rest } = n;
        return change.label === undefined || change.label === ''
          ? rest
          : { ...rest, label: change.label };
      };
    default:
      return undefined;
  }
}

/**
 * Apply changes in order and return a new graph; the input is never mutated. Node patches are
 * batched so that moving a thousand nodes (layout, multi-drag) costs one pass, not a thousand.
 * Removing a node also removes the edges that touch it.
 */
export function applyGraphChanges(graph: Graph, changes: readonly GraphChange[]): Graph {
  let current = graph;
  let patches = new Map<string, NodePatch[]>();
  const flush = () => {
    if (patches.size === 0) return;
    const pending = patches;
    current = {
      ...current,
      nodes: current.nodes.map((n) => pending.get(n.id)?.reduce((acc, p) => p(acc), n) ?? n),
    };
    patches = new Map();
  };
  for (const change of changes) {
    const patch = patchFor(change);
    if (patch && 'id' in change) {
      patches.set(change.id, [...(patches.get(change.id) ?? []), patch]);
      continue;
    }
    flush();
    current = applyStructural(current, change);
  }
  flush();
  return current;
}

function applyStructural(graph: Graph, change: GraphChange): Graph {
  switch (change.kind) {
    case 'add-node':
      return { ...graph, nodes: [...graph.nodes, change.node] };
    case 'remove-node':
      return {
        ...graph,
        nodes: graph.nodes.filter((n) => n.id !== change.id),
        edges: graph.edges.filter((e) => e.from.node !== change.id && e.to.node !== change.id),
      };
    case 'add-edge':
      return { ...graph, edges: [...graph.edges, change.edge] };
    case 'remove-edge':
      return { ...graph, edges: graph.edges.filter((e) => e.id !== change.id) };
    case 'set-name':
      return { ...graph, name: change.name };
    case 'replace-graph':
      return change.graph;
    default:
      return graph;
  }
}

/** A fresh id from `base`: `base` itself when free, else `base-2`, `base-3`, … */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The next free edge id of the form `e<N>`. */
export function freshEdgeId(taken: ReadonlySet<string>): string {
  for (let i = taken.size + 1; ; i++) {
    if (!taken.has(`e${i}`)) return `e${i}`;
  }
}
