import type { Diagnostic, Edge, Graph, GraphNode, NodeLibrary } from '@reelflow/fbp-model';
import { GraphModel } from './model.js';
import type { ValidationMode } from './registry.js';
import { createValidationSetup, syntaxFor, type ValidateOptions } from './validate.js';

/** One edit, as the designer's typed change objects describe it. */
export type GraphChange =
  | { readonly kind: 'node-added' | 'node-updated' | 'node-removed'; readonly id: string }
  | { readonly kind: 'edge-added' | 'edge-updated' | 'edge-removed'; readonly id: string };

/** Re-validates a graph after each edit, re-checking only what the edit can affect. */
export interface IncrementalValidator {
  /**
   * The full diagnostic list of `graph`, equal to `validateGraph(graph, ...)`. Graphs are
   * treated as immutable values: without `changes`, nodes and edges are compared with the
   * previous graph by reference and then by content; with `changes`, only the elements
   * named there are taken as changed.
   */
  update(graph: Graph, changes?: GraphChange | readonly GraphChange[]): Diagnostic[];
  /** Forget the previous graph; the next update validates everything. */
  reset(): void;
  /** What the last update re-checked, by id (for tests and benchmarks). */
  readonly lastChecked: { readonly nodes: readonly string[]; readonly edges: readonly string[] };
}

/** Results of one node (with its ports) or one edge, and the node ids they read. */
interface Entry {
  readonly diagnostics: readonly Diagnostic[];
  readonly reads: ReadonlySet<string>;
}

/**
 * Create an incremental validator. Per-element results are cached with the node ids each
 * read (through the graph model's recorder); an edit marks its nodes, and for an edge its
 * old and new end nodes, as changed, and every result that read one is computed again.
 * Graph-level rules (duplicates, cycles, reachability, `Graph` constraints) run every time:
 * they are linear in the graph. A graph with duplicate ids is validated in full.
 */
export function createIncrementalValidator(
  library: NodeLibrary,
  options: ValidateOptions = {},
): IncrementalValidator {
  const setup = createValidationSetup(library, options);
  const mode: ValidationMode = options.mode ?? 'all';
  let previous: Graph | undefined;
  let nodeEntries = new Map<string, Entry>();
  let edgeEntries = new Map<string, Entry>();
  let checked: { nodes: string[]; edges: string[] } = { nodes: [], edges: [] };

  function update(graph: Graph, changes?: GraphChange | readonly GraphChange[]): Diagnostic[] {
    const model = new GraphModel(graph, library, true);
    const dirty =
      previous && !model.hasDuplicateIds ? changedNodeIds(previous, graph, changes) : undefined;
    const out: Diagnostic[] = [...syntaxFor(setup, graph)];
    setup.registry.checkGraph(model, mode, out);
    checked = { nodes: [], edges: [] };
    const nextNodes = new Map<string, Entry>();
    const nextEdges = new Map<string, Entry>();
    for (const node of model.nodes) {
      const entry =
        reuse(nodeEntries.get(node.id), node.id, dirty) ??
        compute(model, checked.nodes, node.id, (o) => setup.registry.checkNode(node, mode, o));
      nextNodes.set(node.id, entry);
      if (entry.diagnostics.length > 0) out.push(...entry.diagnostics);
    }
    for (const edge of model.edges) {
      const entry =
        reuse(edgeEntries.get(edge.id), edgeKey(edge.id), dirty) ??
        compute(model, checked.edges, edge.id, (o) => setup.registry.checkEdge(edge, mode, o));
      nextEdges.set(edge.id, entry);
      if (entry.diagnostics.length > 0) out.push(...entry.diagnostics);
    }
    // With duplicate ids a key names two elements, so nothing is kept for next time.
    previous = model.hasDuplicateIds ? undefined : graph;
    nodeEntries = model.hasDuplicateIds ? new Map() : nextNodes;
    edgeEntries = model.hasDuplicateIds ? new Map() : nextEdges;
    return out;
  }

  return {
    update,
    reset: () => {
      previous = undefined;
      nodeEntries = new Map();
      edgeEntries = new Map();
    },
    get lastChecked() {
      return checked;
    },
  };
}

/** Edge ids share the dirty set with node ids under a prefix no node id can collide with. */
const edgeKey = (id: string): string => `\u0000edge:${id}`;

/** The cached entry, unless the edit touched its element or a node it read. */
function reuse(
  entry: Entry | undefined,
  key: string,
  dirty: ReadonlySet<string> | undefined,
): Entry | undefined {
  if (!entry || !dirty || dirty.has(key)) return undefined;
  for (const id of dirty) if (entry.reads.has(id)) return undefined;
  return entry;
}

/** Run one element's rules, recording the node ids they read. */
function compute(
  model: GraphModel,
  log: string[],
  id: string,
  check: (out: Diagnostic[]) => void,
): Entry {
  log.push(id);
  const diagnostics: Diagnostic[] = [];
  const { reads } = model.recording(() => check(diagnostics));
  return { diagnostics, reads };
}

/**
 * Node ids (and edge keys) an edit touched: changed nodes, changed edges, and both ends of
 * each changed edge before and after the edit, since ends see their edges.
 */
function changedNodeIds(
  before: Graph,
  after: Graph,
  changes: GraphChange | readonly GraphChange[] | undefined,
): Set<string> {
  const dirty = new Set<string>();
  let ends: ((id: string) => readonly (Edge | undefined)[]) | undefined;
  const markEdge = (id: string): void => {
    dirty.add(edgeKey(id));
    // Indexed only when an edge changed: most edits touch one node's parameters.
    ends ??= edgeLookup(before, after);
    for (const e of ends(id)) {
      if (e) {
        dirty.add(e.from.node);
        dirty.add(e.to.node);
      }
    }
  };
  if (changes) {
    for (const change of Array.isArray(changes) ? changes : [changes as GraphChange]) {
      if (change.kind.startsWith('node')) dirty.add(change.id);
      else markEdge(change.id);
    }
    return dirty;
  }
  for (const id of diffById(before.nodes, after.nodes, sameNode)) dirty.add(id);
  for (const id of diffById(before.edges, after.edges, sameEdge)) markEdge(id);
  return dirty;
}

/** The edge with an id before and after the edit. */
function edgeLookup(before: Graph, after: Graph): (id: string) => readonly (Edge | undefined)[] {
  const old = new Map(before.edges.map((e) => [e.id, e]));
  const now = new Map(after.edges.map((e) => [e.id, e]));
  return (id) => [old.get(id), now.get(id)];
}

/** Ids present in only one list, or whose elements differ. */
function diffById<T extends { id: string }>(
  before: readonly T[],
  after: readonly T[],
  same: (a: T, b: T) => boolean,
): string[] {
  const old = new Map(before.map((x) => [x.id, x]));
  const changed: string[] = [];
  for (const x of after) {
    const prev = old.get(x.id);
    if (!prev || (prev !== x && !same(prev, x))) changed.push(x.id);
    old.delete(x.id);
  }
  changed.push(...old.keys());
  return changed;
}

const sameNode = (a: GraphNode, b: GraphNode): boolean =>
  a.type === b.type && a.label === b.label && JSON.stringify(a.params) === JSON.stringify(b.params);

const sameEdge = (a: Edge, b: Edge): boolean =>
  a.from.node === b.from.node &&
  a.from.port === b.from.port &&
  a.to.node === b.to.node &&
  a.to.port === b.to.port &&
  a.label === b.label;
