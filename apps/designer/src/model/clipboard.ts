import type { Edge, Graph, GraphNode } from '@reelflow/fbp-model';
import { freshEdgeId, freshId, type GraphChange } from './changes.js';

/** What copy keeps: the chosen nodes and only the edges with both ends among them. */
export interface Clip {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
}

export function copySelection(graph: Graph, nodeIds: ReadonlySet<string>): Clip {
  return {
    nodes: graph.nodes.filter((n) => nodeIds.has(n.id)),
    edges: graph.edges.filter((e) => nodeIds.has(e.from.node) && nodeIds.has(e.to.node)),
  };
}

/**
 * Changes that paste a clip with fresh ids, shifted by `offset`, keeping its inner edges
 * wired to the copies. Returns the new node ids so the paste can be selected.
 */
export function pasteClip(
  graph: Graph,
  clip: Clip,
  offset: { x: number; y: number },
): { changes: GraphChange[]; nodeIds: string[] } {
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  const rename = new Map<string, string>();
  const changes: GraphChange[] = [];
  for (const node of clip.nodes) {
    const id = freshId(node.id.replace(/-\d+$/, ''), nodeIds);
    nodeIds.add(id);
    rename.set(node.id, id);
    const position = node.position ?? { x: 0, y: 0 };
    changes.push({
      kind: 'add-node',
      node: { ...node, id, position: { x: position.x + offset.x, y: position.y + offset.y } },
    });
  }
  for (const edge of clip.edges) {
    const id = freshEdgeId(edgeIds);
    edgeIds.add(id);
    changes.push({
      kind: 'add-edge',
      edge: {
        ...edge,
        id,
        from: { ...edge.from, node: rename.get(edge.from.node) ?? edge.from.node },
        to: { ...edge.to, node: rename.get(edge.to.node) ?? edge.to.node },
      },
    });
  }
  return { changes, nodeIds: [...rename.values()] };
}
