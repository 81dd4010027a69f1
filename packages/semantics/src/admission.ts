/**
 * Admission: before a run starts, each node type may look at the probed input and leave its
 * node out (an audio branch of a video without audio) or refuse the run (a node that requires
 * what the input lacks). Pure: the runtime probes, this decides.
 */
import type { Graph, NodeLibrary, SourceMedia } from '@reelflow/fbp-model';

/** One node's decision, with its reason. */
export interface AdmissionNote {
  readonly nodeId: string;
  readonly reason: string;
}

export interface AdmissionResult {
  /** Nodes that cannot work on this input: the run must not start. */
  readonly refused: readonly AdmissionNote[];
  /** Nodes left out of the run: they (and what only they feed) end `skipped`. */
  readonly skipped: readonly AdmissionNote[];
}

/** Ask every node type with an `admit` hook about the run's input. */
export function admitNodes(
  graph: Graph,
  library: NodeLibrary,
  source: SourceMedia,
): AdmissionResult {
  const refused: AdmissionNote[] = [];
  const skipped: AdmissionNote[] = [];
  for (const node of graph.nodes) {
    const def = library.get(node.type);
    if (!def?.admit) continue;
    const parsed = def.params.safeParse(node.params);
    if (!parsed.success) continue; // validation reports it
    const decision = def.admit(parsed.data, source);
    if (decision === undefined) continue;
    if ('refuse' in decision) refused.push({ nodeId: node.id, reason: decision.refuse });
    else skipped.push({ nodeId: node.id, reason: decision.skip });
  }
  return { refused, skipped };
}

/**
 * The graph the engine runs when `skipped` nodes are left out: the edges into them are dropped,
 * so no token reaches them, they close without tasks and end `skipped`, and so does every node
 * only they feed. Their nodes stay, so the run still shows them.
 */
export function withoutInputs(graph: Graph, skipped: readonly string[]): Graph {
  if (skipped.length === 0) return graph;
  const out = new Set(skipped);
  return { ...graph, edges: graph.edges.filter((e) => !out.has(e.to.node)) };
}
