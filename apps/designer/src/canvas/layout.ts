import type { Graph, NodeLibrary } from '@reelflow/fbp-model';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { GraphChange } from '../model/changes.js';
import type { Size } from '../store/store.js';

const FALLBACK: Size = { width: 180, height: 110 };
const portId = (node: string, port: string, direction: string) => `${node}::${port}::${direction}`;

/**
 * Auto-layout with ELK's layered algorithm, left to right, ports in a fixed order so edges
 * leave outputs on the right and enter inputs on the left. Returns moves, applied as one edit.
 * ELK is loaded on first use: it is large and most sessions never lay out.
 */
export async function layoutGraph(
  graph: Graph,
  library: NodeLibrary,
  measured: ReadonlyMap<string, Size>,
): Promise<GraphChange[]> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const children = graph.nodes.map((n) => {
    const size = measured.get(n.id) ?? FALLBACK;
    const ports = library.get(n.type)?.ports ?? [];
    return {
      id: n.id,
      width: size.width,
      height: size.height,
      ports: ports.map((p) => ({
        id: portId(n.id, p.name, p.direction),
        layoutOptions: { 'elk.port.side': p.direction === 'in' ? 'WEST' : 'EAST' },
      })),
    };
  });
  // ELK rejects edges to missing ports; such edges are already reported by validation.
  const known = new Set(children.flatMap((c) => c.ports.map((p) => p.id)));
  const edges = graph.edges
    .map((e) => ({
      id: e.id,
      sources: [portId(e.from.node, e.from.port, 'out')],
      targets: [portId(e.to.node, e.to.port, 'in')],
    }))
    .filter((e) => known.has(e.sources[0]!) && known.has(e.targets[0]!));
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '36',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.portConstraints': 'FIXED_ORDER',
    },
    children,
    edges,
  };
  const laid = await elk.layout(root);
  return (laid.children ?? []).map((c) => ({
    kind: 'move-node' as const,
    id: c.id,
    position: { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) },
  }));
}
