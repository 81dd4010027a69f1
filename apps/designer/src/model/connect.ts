import { findPort, type Graph, type NodeLibrary, type PortSpec } from '@reelflow/fbp-model';

/** A connection being drawn: React Flow's handle ids are port names. */
export interface PortConnection {
  readonly source: string;
  readonly sourceHandle?: string | null;
  readonly target: string;
  readonly targetHandle?: string | null;
}

export type ConnectVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

function portOf(
  graph: Graph,
  library: NodeLibrary,
  nodeId: string,
  port: string | null | undefined,
  direction: 'in' | 'out',
): PortSpec | undefined {
  const node = graph.nodes.find((n) => n.id === nodeId);
  const def = node && library.get(node.type);
  return def && port ? findPort(def, port, direction) : undefined;
}

/**
 * Would this connection be accepted? Used while dragging (`isValidConnection`) and on drop,
 * so the canvas refuses the same edges validation would report: wrong data type, a second
 * edge into a single-valued input, a self-loop or a duplicate.
 */
export function checkConnection(
  graph: Graph,
  library: NodeLibrary,
  c: PortConnection,
): ConnectVerdict {
  const from = portOf(graph, library, c.source, c.sourceHandle, 'out');
  const to = portOf(graph, library, c.target, c.targetHandle, 'in');
  if (!from || !to) return { ok: false, reason: 'connect an output port to an input port' };
  if (c.source === c.target) return { ok: false, reason: 'a node cannot feed itself' };
  if (from.dataType !== to.dataType) {
    return {
      ok: false,
      reason: `${c.source}.${from.name} carries ${from.dataType} but ${c.target}.${to.name} takes ${to.dataType}`,
    };
  }
  const incoming = graph.edges.filter((e) => e.to.node === c.target && e.to.port === to.name);
  if (incoming.some((e) => e.from.node === c.source && e.from.port === from.name)) {
    return { ok: false, reason: 'these ports are already connected' };
  }
  if (to.multiplicity === 'one' && incoming.length > 0) {
    return { ok: false, reason: `${c.target}.${to.name} takes a single edge and already has one` };
  }
  return { ok: true };
}
