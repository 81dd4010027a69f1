import type { Graph } from '@reelflow/fbp-model';

/** Undo/redo as stacks of whole graph snapshots; structural sharing keeps them cheap. */
export interface History {
  readonly past: readonly Graph[];
  readonly future: readonly Graph[];
}

const LIMIT = 200;

export const emptyHistory: History = { past: [], future: [] };

/** Remember `before` as an undo point; a new edit forgets the redo stack. */
export function record(history: History, before: Graph): History {
  const past = history.past.length >= LIMIT ? history.past.slice(1) : history.past;
  return { past: [...past, before], future: [] };
}

/** Step back: the graph to show and the new history, or undefined when there is nothing. */
export function undo(
  history: History,
  current: Graph,
): { graph: Graph; history: History } | undefined {
  const graph = history.past.at(-1);
  if (!graph) return undefined;
  return {
    graph,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future] },
  };
}

export function redo(
  history: History,
  current: Graph,
): { graph: Graph; history: History } | undefined {
  const [graph, ...future] = history.future;
  if (!graph) return undefined;
  return { graph, history: { past: [...history.past, current], future } };
}
