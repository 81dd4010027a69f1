import type { Graph, GraphNode } from '@reelflow/fbp-model';

/**
 * The nearest encode node upstream of each video input of a delivery node, in the order of
 * its incoming `in` edges (the order a gather fires them in): walking back over merges,
 * transfers and filters, the first encode on the way. Undefined where none is found.
 */
export function ladderEncodes(graph: Graph, nodeId: string): (GraphNode | undefined)[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nearestEncode = (start: string): GraphNode | undefined => {
    const seen = new Set<string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = byId.get(id);
      if (node?.type === 'encode') return node;
      if (node?.type === 'split' || node?.type === 'source') continue;
      for (const e of graph.edges) if (e.to.node === id) queue.push(e.from.node);
    }
    return undefined;
  };
  return graph.edges
    .filter((e) => e.to.node === nodeId && e.to.port === 'in')
    .map((e) => nearestEncode(e.from.node));
}

/** What a rung asked for, and what its rendition turned out to be. */
export interface RungOutcome {
  /** The rendition's name in notes (its playlist). */
  readonly name: string;
  /** The encode's requested size and upscale policy, when an encode feeds it. */
  readonly requested?: {
    readonly encode: string;
    readonly width?: number;
    readonly height?: number;
    readonly upscale: 'never' | 'allow';
  };
  readonly width?: number;
  readonly height?: number;
}

/** Whether a rung was capped at the source: it asked for more than it got, under `never`. */
function capped(r: RungOutcome): boolean {
  const q = r.requested;
  if (!q || q.upscale !== 'never') return false;
  return (
    (q.height !== undefined && r.height !== undefined && r.height < q.height) ||
    (q.width !== undefined && r.width !== undefined && r.width < q.width)
  );
}

/**
 * Which renditions a master playlist lists. A rung above the source (its encode asked for
 * more than the source has, with `upscale: never`, and so was capped at the source size) is
 * left out with a note: it would repeat a smaller rung at a higher bit rate. When every rung
 * is above the source, the smallest one asked for stays, so the master is never empty.
 */
export function selectRungs(rungs: readonly RungOutcome[]): { keep: boolean[]; notes: string[] } {
  const keep = rungs.map((r) => !capped(r));
  if (!keep.some(Boolean) && rungs.length > 0) {
    const size = (r: RungOutcome) => r.requested?.height ?? r.requested?.width ?? Infinity;
    let best = 0;
    rungs.forEach((r, i) => {
      if (size(r) < size(rungs[best]!)) best = i;
    });
    keep[best] = true;
  }
  const notes = rungs.flatMap((r, i) => {
    if (keep[i]) return [];
    const q = r.requested!;
    const asked = q.height !== undefined ? `${q.height} px high` : `${q.width} px wide`;
    return [
      `${r.name} left out of the master playlist: encode ${q.encode} asked for ${asked}, above the source (${r.width}x${r.height}), and has upscale: never`,
    ];
  });
  return { keep, notes };
}
