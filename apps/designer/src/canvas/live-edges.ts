import type { Edge } from '@reelflow/fbp-model';
import type { RunView } from '../run/run-view.js';
import type { SimView } from '../sim/sim-view.js';
import type { DesignerState } from '../store/store.js';

/**
 * Above this many edges with moving data, token dots are drawn on one canvas layer instead of
 * three SVG dots per edge: each SVG dot is an animation the browser samples, styles and
 * layerizes on every frame, which hundreds of edges cannot afford.
 */
export const MANY_MOVING_EDGES = 30;

/** The edges whose data moves now, and whether there are many of them. */
export interface LiveEdges {
  readonly ids: ReadonlySet<string>;
  readonly many: boolean;
}

const ACTIVE = new Set(['running', 'retrying']);

/** While a run is live, data moves on an edge whose source or target is working. */
export function runMoves(run: RunView | undefined, source: string, target: string): boolean {
  if (!run || !run.runId) return false;
  const s = run.nodes[source]?.state;
  const t = run.nodes[target]?.state;
  return (s !== undefined && ACTIVE.has(s)) || (t !== undefined && ACTIVE.has(t) && s === 'done');
}

/** Edges whose tokens move: the simulation's last step, or the live run's working nodes. */
export function liveEdges(
  edges: readonly Edge[],
  run: RunView | undefined,
  sim: SimView | undefined,
): LiveEdges {
  const ids = new Set<string>();
  for (const e of edges)
    if ((sim?.moving.has(e.id) ?? false) || runMoves(run, e.from.node, e.to.node)) ids.add(e.id);
  return { ids, many: ids.size > MANY_MOVING_EDGES };
}

const noLiveEdges: LiveEdges = { ids: new Set(), many: false };
let last: { edges: readonly Edge[]; run?: RunView; sim?: SimView; out: LiveEdges } | undefined;

/**
 * The live edges of a state. Every edge component asks on every store update, so the answer
 * is kept for as long as the edges, the run and the simulation are the same objects.
 */
export function selectLiveEdges(s: DesignerState): LiveEdges {
  if (!s.run?.runId && !s.sim) return noLiveEdges;
  if (last && last.edges === s.graph.edges && last.run === s.run && last.sim === s.sim)
    return last.out;
  const out = liveEdges(s.graph.edges, s.run, s.sim);
  last = { edges: s.graph.edges, run: s.run, sim: s.sim, out };
  return out;
}

export const selectManyLive = (s: DesignerState) => selectLiveEdges(s).many;
