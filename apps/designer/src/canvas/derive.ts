import type { Edge as FlowEdge, Node as FlowNode } from '@xyflow/react';
import {
  findPort,
  type DataType,
  type Edge,
  type GraphNode,
  type NodeLibrary,
} from '@reelflow/fbp-model';
import type { Size } from '../store/store.js';

export type NodeData = { readonly node: GraphNode };
export type EdgeData = { readonly dataType: DataType | 'unknown' };
export type DesignerFlowNode = FlowNode<NodeData, 'reelflow'>;
export type DesignerFlowEdge = FlowEdge<EdgeData, 'typed'>;

/**
 * Derive React Flow nodes from the graph document, reusing the previous object for every node
 * whose inputs did not change. React Flow skips unchanged node objects, which keeps a drag in a
 * thousand-node graph cheap; `measured` must be carried over or nodes would render hidden.
 */
export function deriveNodes(
  nodes: readonly GraphNode[],
  selected: ReadonlySet<string>,
  measured: ReadonlyMap<string, Size>,
  previous: ReadonlyMap<string, DesignerFlowNode>,
): Map<string, DesignerFlowNode> {
  const out = new Map<string, DesignerFlowNode>();
  for (const node of nodes) {
    const prev = previous.get(node.id);
    const isSelected = selected.has(node.id);
    const size = measured.get(node.id);
    if (prev && prev.data.node === node && prev.selected === isSelected && prev.measured === size) {
      out.set(node.id, prev);
      continue;
    }
    out.set(node.id, {
      id: node.id,
      type: 'reelflow',
      position: node.position ?? { x: 0, y: 0 },
      data: { node },
      selected: isSelected,
      ...(size ? { measured: size } : {}),
    });
  }
  return out;
}

/** Derive React Flow edges; each carries the data type of its source port for colouring. */
export function deriveEdges(
  edges: readonly Edge[],
  typeOf: ReadonlyMap<string, string>,
  library: NodeLibrary,
  selected: ReadonlySet<string>,
): DesignerFlowEdge[] {
  const dataTypeOf = (nodeId: string, port: string): DataType | 'unknown' => {
    const def = library.get(typeOf.get(nodeId) ?? '');
    return (def && findPort(def, port, 'out')?.dataType) ?? 'unknown';
  };
  return edges.map((e) => ({
    id: e.id,
    type: 'typed',
    source: e.from.node,
    sourceHandle: e.from.port,
    target: e.to.node,
    targetHandle: e.to.port,
    selected: selected.has(e.id),
    data: { dataType: dataTypeOf(e.from.node, e.from.port) },
  }));
}
