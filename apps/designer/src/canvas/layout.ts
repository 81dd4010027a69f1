import type { Graph, NodeLibrary } from '@reelflow/fbp-model';
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api.js';
import type { GraphChange } from '../model/changes.js';
import type { Size } from '../store/store.js';
import type { EdgeRoute, Point } from './routes.js';

const FALLBACK: Size = { width: 180, height: 110 };
const portId = (node: string, port: string, direction: string) => `${node}::${port}::${direction}`;

/**
 * Where a node's edges meet its ports, relative to the node's top-left corner, by port name:
 * `out` for outputs (right side), `in` for inputs (left side). Taken from the handles React
 * Flow measured, so the layout routes edges to the points where they are drawn.
 */
export interface PortAnchors {
  readonly out: ReadonlyMap<string, Point>;
  readonly in: ReadonlyMap<string, Point>;
}

/** A node as React Flow measured it: its handles' boxes relative to the node. */
interface MeasuredHandles {
  readonly internals: {
    readonly handleBounds?: {
      readonly source?: readonly HandleBox[] | null;
      readonly target?: readonly HandleBox[] | null;
    };
  };
}
interface HandleBox {
  readonly id?: string | null;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The anchors of a measured node, the way React Flow attaches edges: outputs at the middle of
 * the handle's right side, inputs at the middle of its left side.
 */
export function anchorsOf(node: MeasuredHandles | undefined): PortAnchors | undefined {
  const bounds = node?.internals.handleBounds;
  if (!bounds) return undefined;
  const map = (boxes: readonly HandleBox[] | null | undefined, right: boolean) =>
    new Map(
      (boxes ?? []).map((h) => [
        h.id ?? '',
        { x: h.x + (right ? h.width : 0), y: h.y + h.height / 2 },
      ]),
    );
  return { out: map(bounds.source, true), in: map(bounds.target, false) };
}

/** What a layout changes: node moves (one edit) and the edge routes that go with them. */
export interface Layout {
  readonly moves: Extract<GraphChange, { kind: 'move-node' }>[];
  readonly routes: ReadonlyMap<string, EdgeRoute>;
}

/**
 * Auto-layout with ELK's layered algorithm, left to right. Each node keeps its real size and
 * its ports where they are drawn (FIXED_POS, from the measured handles; FIXED_ORDER by the
 * library's order when a node was not measured yet), so ELK's crossing minimisation works on
 * the picture the user sees. Edges are routed orthogonally; the routes come back with the
 * moves, since a curve drawn straight from end to end would cut through the nodes of the
 * layers a long edge skips. The graph's own order breaks ties, so laying out twice changes
 * nothing. ELK is loaded on first use: it is large and most sessions never lay out.
 */
export async function layoutGraph(
  graph: Graph,
  library: NodeLibrary,
  measured: ReadonlyMap<string, Size>,
  anchors: (nodeId: string) => PortAnchors | undefined = () => undefined,
): Promise<Layout> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const anchorOf = new Map<string, Point>();
  const nodeOf = new Map<string, string>();
  const children: ElkNode[] = graph.nodes.map((n) => {
    const size = measured.get(n.id) ?? FALLBACK;
    const defs = library.get(n.type)?.ports ?? [];
    const at = anchors(n.id);
    const fixed = at !== undefined && defs.every((p) => at[p.direction].has(p.name));
    const inputs = defs.filter((p) => p.direction === 'in');
    const outputs = defs.filter((p) => p.direction === 'out');
    const ports: ElkPort[] = defs.map((p) => {
      const id = portId(n.id, p.name, p.direction);
      const west = p.direction === 'in';
      const anchor = at?.[p.direction].get(p.name);
      nodeOf.set(id, n.id);
      if (anchor) anchorOf.set(id, anchor);
      // FIXED_ORDER numbers ports clockwise from the top left: east top to bottom, then west
      // bottom to top.
      const index = west
        ? outputs.length + inputs.length - 1 - inputs.indexOf(p)
        : outputs.indexOf(p);
      return {
        id,
        width: 0,
        height: 0,
        ...(fixed && anchor ? { x: anchor.x, y: anchor.y } : {}),
        layoutOptions: { 'elk.port.side': west ? 'WEST' : 'EAST', 'elk.port.index': `${index}` },
      };
    });
    return {
      id: n.id,
      width: size.width,
      height: size.height,
      ports,
      layoutOptions: { 'elk.portConstraints': fixed ? 'FIXED_POS' : 'FIXED_ORDER' },
    };
  });
  // ELK rejects edges to missing ports; such edges are already reported by validation.
  const known = new Set(children.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  const edges: ElkExtendedEdge[] = graph.edges
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
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '36',
      'elk.spacing.edgeNode': '18',
      'elk.spacing.edgeEdge': '12',
      'elk.layered.spacing.nodeNodeBetweenLayers': '64',
      'elk.layered.spacing.edgeNodeBetweenLayers': '20',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
    },
    children,
    edges,
  };
  const laid = await elk.layout(root);
  const position = new Map(
    (laid.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]),
  );
  const routes = new Map<string, EdgeRoute>();
  for (const e of laid.edges ?? []) {
    const section = e.sections?.[0];
    const [source, target] = [e.sources[0]!, e.targets[0]!];
    const [a, b] = [anchorOf.get(source), anchorOf.get(target)];
    const [pa, pb] = [position.get(nodeOf.get(source)!), position.get(nodeOf.get(target)!)];
    if (!section || e.sections!.length > 1 || !a || !b || !pa || !pb) continue;
    routes.set(e.id, {
      from: { x: pa.x + a.x, y: pa.y + a.y },
      to: { x: pb.x + b.x, y: pb.y + b.y },
      bends: section.bendPoints ?? [],
    });
  }
  const moves = [...position].map(([id, p]) => ({
    kind: 'move-node' as const,
    id,
    position: p,
  }));
  return { moves, routes };
}
