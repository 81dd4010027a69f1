import { SCHEDULING_PARAMS } from '@reelflow/fbp-model';
import type { NodeView } from './model.js';
import type { Acceptor } from './registry.js';

/** Past this many different stage chains into one node, further ones are not tracked. */
const MAX_CHAINS = 8;

/** One way chunks reach a node: the stages they passed, and one path with those stages. */
interface Chain {
  /** Interned id of (split, stage sequence): equal ids, equal chains. */
  readonly key: number;
  /** The fanout node the chain starts at. */
  readonly origin: string;
  /** The last node of one path with this chain, and the path before it. */
  readonly last: string;
  readonly prev: Chain | undefined;
}

const pathOf = (chain: Chain | undefined): string[] => {
  const ids: string[] = [];
  for (let c = chain; c; c = c.prev) ids.push(c.last);
  return ids.reverse();
};

/**
 * A stage leaves the data as it is when it only moves or rewraps bytes (`light`) and runs per
 * chunk (`map`): a transfer. It is left out of the chain; so are the scheduling parameters
 * (`SCHEDULING_PARAMS`: placement, cpus, …) of the stages that stay.
 */
function stageKey(node: NodeView): string | undefined {
  if (node.def?.light && node.def.firing === 'map') return undefined;
  const params = Object.entries(node.params())
    .filter(([name]) => !SCHEDULING_PARAMS.includes(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${node.node.type}${JSON.stringify(params)}`;
}

/** Chunk-carrying incoming edges of a node, with their source nodes. */
function chunkSources(node: NodeView): NodeView[] {
  const out: NodeView[] = [];
  for (const edge of node.model.incoming(node.id)) {
    if (edge.targetPort()?.spec.dataType !== 'chunk') continue;
    const from = edge.source();
    if (from) out.push(from);
  }
  return out;
}

/**
 * The distinct chains of stages by which chunks reach `join`: walk back over chunk edges to
 * the nearest fanouts (iteratively: chains of thousands of nodes must not overflow the stack),
 * then propagate chains forward in topological order. Nodes on a cycle (`cycle` reports it)
 * contribute nothing.
 */
function chainsInto(join: NodeView): Chain[] {
  // Backward discovery of the chunk subgraph feeding the join, then a post-order over it.
  const order: NodeView[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { node: NodeView; sources: NodeView[]; next: number }[] = [];
  const enter = (n: NodeView) => {
    state.set(n.id, 'open');
    const stop = n !== join && n.def?.firing === 'fanout';
    stack.push({ node: n, sources: stop ? [] : chunkSources(n), next: 0 });
  };
  enter(join);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const from = top.sources[top.next++];
    if (from) {
      if (!state.has(from.id)) enter(from);
      continue;
    }
    state.set(top.node.id, 'done');
    order.push(top.node);
    stack.pop();
  }

  const interned = new Map<string, number>();
  const intern = (s: string): number => {
    let id = interned.get(s);
    if (id === undefined) interned.set(s, (id = interned.size));
    return id;
  };
  const chains = new Map<string, Chain[]>();
  for (const n of order) {
    if (n !== join && n.def?.firing === 'fanout') {
      chains.set(n.id, [
        { key: intern(`split:${n.id}`), origin: n.id, last: n.id, prev: undefined },
      ]);
      continue;
    }
    const stage = n === join ? undefined : stageKey(n);
    const mine = new Map<number, Chain>();
    for (const from of chunkSources(n)) {
      for (const c of chains.get(from.id) ?? []) {
        const key = stage === undefined ? c.key : intern(`${c.key}>${stage}`);
        if (!mine.has(key) && mine.size < MAX_CHAINS)
          mine.set(key, { key, origin: c.origin, last: n.id, prev: c });
      }
    }
    chains.set(n.id, [...mine.values()]);
  }
  return chains.get(join.id) ?? [];
}

/**
 * `merge-mixed-stages`: every path by which a join (merge) receives the chunks of its split
 * must pass the same stages, with the same data-changing parameters; otherwise the joined
 * file mixes renditions (raw chunks with encoded ones, 720p with 1080p). Parallel lanes that
 * differ only in transfers or scheduling parameters (placement, cpus) are fine. Chunks from
 * several splits are `split-merge-mismatch`'s business and are not compared here.
 */
export function checkMergeMixedStages(node: NodeView, accept: Acceptor): void {
  if (node.def?.firing !== 'join') return;
  const chains = chainsInto(node);
  const origins = new Set(chains.map((c) => c.origin));
  if (chains.length < 2 || origins.size > 1) return;
  const paths = chains.map((c) => pathOf(c).join(' → '));
  accept(
    'error',
    `merge '${node.id}' receives chunks of split '${[...origins][0] ?? '?'}' through ${chains.length} different chains of stages (${paths.join('; ')}); every lane from the split to the merge must pass the same node types with the same parameters (transfers, placement and resources may differ), or the merged file mixes renditions`,
  );
}
