import type { FilterStep, Graph, GraphNode, NodeLibrary, NodeTypeDef } from '@reelflow/fbp-model';
import type { NodeInfo, Topology } from './types.js';

function nonNegativeInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The step a pass-through node leaves on tokens: its parameters with defaults, when valid. */
function passThroughStep(node: GraphNode, def: NodeTypeDef): FilterStep {
  const parsed = def.params.safeParse(node.params);
  // Invalid parameters travel as given: the consuming node validates them again and fails.
  const params = (parsed.success ? parsed.data : node.params) as Record<string, unknown>;
  return { node: node.id, type: node.type, params };
}

function nodeInfo(node: GraphNode, library: NodeLibrary, defaultRetries: number): NodeInfo {
  const def = library.get(node.type);
  return {
    id: node.id,
    type: node.type,
    firing: def?.firing ?? null,
    ...(def?.passThrough && def.firing === 'map'
      ? { passThrough: passThroughStep(node, def) }
      : {}),
    predecessors: [],
    successors: [],
    targetSlots: [],
    lanes: [],
    retries: nonNegativeInt(node.params.retries) ?? defaultRetries,
    incremental: node.params.incremental === true,
  };
}

/** Kahn's algorithm; nodes left over sit on a cycle and are appended in graph order. */
function topologicalOrder(
  ids: readonly string[],
  nodes: Record<string, NodeInfo>,
): { order: string[]; cycle: boolean } {
  const indegree = new Map(ids.map((id) => [id, nodes[id]!.predecessors.length]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    order.push(id);
    for (const next of nodes[id]!.successors) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  const cycle = order.length < ids.length;
  if (cycle) order.push(...ids.filter((id) => !order.includes(id)));
  return { order, cycle };
}

/**
 * The joins a chunk entering `id` can reach: through per-chunk nodes, stopping at the first
 * join on each path. Memoised; `visiting` guards against cycles.
 */
function joinsReached(
  id: string,
  nodes: Record<string, NodeInfo>,
  memo: Map<string, ReadonlySet<string>>,
  visiting = new Set<string>(),
): ReadonlySet<string> {
  const known = memo.get(id);
  if (known) return known;
  const info = nodes[id]!;
  const joins = new Set<string>();
  if (info.firing === 'join') joins.add(id);
  else if (info.firing === 'map' && !visiting.has(id)) {
    visiting.add(id);
    for (const next of info.successors)
      for (const j of joinsReached(next, nodes, memo, visiting)) joins.add(j);
    visiting.delete(id);
  }
  memo.set(id, joins);
  return joins;
}

/**
 * Group a node's outgoing edges into lanes: edges whose reachable joins overlap are
 * parallel branches of one chunk stream (a merge joining two branches), so they share the
 * chunks instead of each receiving all of them, which would hand the join every chunk twice.
 */
function laneGroups(info: NodeInfo, reach: (id: string) => ReadonlySet<string>): number[][] {
  const groups: Array<{ edges: number[]; joins: Set<string> }> = [];
  info.successors.forEach((target, edge) => {
    const joins = reach(target);
    const overlapping = groups.filter((g) => [...joins].some((j) => g.joins.has(j)));
    const merged = { edges: [edge], joins: new Set(joins) };
    for (const g of overlapping) {
      merged.edges.push(...g.edges);
      for (const j of g.joins) merged.joins.add(j);
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(merged);
  });
  return groups.map((g) => g.edges.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
}

/** Longest path from a source: the launch preference (deepest first, then graph order). */
function depths(order: readonly string[], nodes: Record<string, NodeInfo>): Map<string, number> {
  const depth = new Map<string, number>();
  for (const id of order) {
    const d = Math.max(-1, ...nodes[id]!.predecessors.map((p) => depth.get(p) ?? -1)) + 1;
    depth.set(id, d);
  }
  return depth;
}

/**
 * Fusible siblings: nodes of one type with a `fusion`, each fed by a single edge from the same
 * node and each in a lane of its own there (so every one gets every token). Each group of two
 * or more is recorded on its members, in graph order.
 */
function markFusion(
  nodes: Record<string, NodeInfo>,
  library: NodeLibrary,
  order: readonly string[],
): void {
  const position = new Map(order.map((id, i) => [id, i]));
  for (const info of Object.values(nodes)) {
    const alone = new Set(info.lanes.filter((l) => l.length === 1).map((l) => l[0]!));
    const byType = new Map<string, string[]>();
    info.successors.forEach((target, edge) => {
      const t = nodes[target]!;
      const def = library.get(t.type);
      if (!alone.has(edge) || t.firing !== 'map' || !def?.fusion || t.predecessors.length !== 1)
        return;
      byType.set(t.type, [...(byType.get(t.type) ?? []), target]);
    });
    for (const members of byType.values()) {
      if (members.length < 2) continue;
      const group = [...new Set(members)].sort((a, b) => position.get(a)! - position.get(b)!);
      for (const id of group) (nodes[id] as { fusion?: readonly string[] }).fusion = group;
    }
  }
}

/**
 * Compile a graph into the engine's topology. Edges naming missing nodes are ignored
 * (validation reports them); node types missing from the library get `firing: null`.
 */
export function buildTopology(
  graph: Graph,
  library: NodeLibrary,
  defaultRetries: number,
  fuse = false,
): Topology {
  const nodes: Record<string, NodeInfo> = {};
  for (const node of graph.nodes) nodes[node.id] ??= nodeInfo(node, library, defaultRetries);
  for (const edge of graph.edges) {
    const from = nodes[edge.from.node];
    const to = nodes[edge.to.node];
    if (!from || !to) continue;
    (from.successors as string[]).push(to.id);
    (from.targetSlots as number[]).push(to.predecessors.length);
    (to.predecessors as string[]).push(from.id);
  }
  const memo = new Map<string, ReadonlySet<string>>();
  const reach = (id: string) => joinsReached(id, nodes, memo);
  for (const info of Object.values(nodes))
    (info.lanes as number[][]).push(...laneGroups(info, reach));
  const ids = Object.keys(nodes);
  const { order, cycle } = topologicalOrder(ids, nodes);
  if (fuse && !cycle) markFusion(nodes, library, order);
  const depth = depths(order, nodes);
  const position = new Map(order.map((id, i) => [id, i]));
  const launchOrder = [...order].sort(
    (a, b) => depth.get(b)! - depth.get(a)! || position.get(a)! - position.get(b)!,
  );
  return { nodes, order, launchOrder, cycle };
}
