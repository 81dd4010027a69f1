import type { Graph } from '@reelflow/fbp-model';
import { freshId } from '../model/changes.js';

/**
 * What the designer knows about the document being edited, beside the graph itself: the
 * graph as last opened or saved (unsaved changes are any difference from it) and, once it
 * is on the runtime, which stored graph and version it is.
 */
export interface DocState {
  /** The graph as opened, created or last saved: the current graph is dirty when it differs. */
  readonly baseline: Graph;
  /** The stored graph this document is, and the version it was opened or saved at. */
  readonly stored?: { readonly id: string; readonly version: number };
  /** The id was made up for a new flow: the first save names it after the flow instead. */
  readonly provisionalId: boolean;
}

/** A made-up id for a new flow, unique enough that two new flows never share one. */
export function newFlowId(random: () => number = Math.random): string {
  return `flow-${Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

/** A new document around a graph that is not stored yet. */
export function unstoredDoc(graph: Graph, provisionalId = false): DocState {
  return { baseline: graph, provisionalId };
}

/**
 * Unsaved changes: the graph is not the one last opened or saved. Edits always make a new
 * graph object and undo brings the old object back, so identity is exactly the test.
 */
export const isDirty = (graph: Graph, doc: DocState): boolean => graph !== doc.baseline;

/** An id made from a flow's name: lower case, letters, digits and dashes. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'flow'
  );
}

/** An id for saving a flow called `name` that no stored graph has (`name`, `name-2`, …). */
export function idForName(name: string, taken: Iterable<string>): string {
  return freshId(slug(name), new Set(taken));
}

/** How a save meets what is stored: only as a new id, or only over the version we have. */
export type SavePrecondition =
  { readonly kind: 'create' } | { readonly kind: 'replace'; readonly version: number };

/** The precondition of saving `graph` from `doc`: over our stored version, else as a new graph. */
export function savePrecondition(graph: Graph, doc: DocState): SavePrecondition {
  return doc.stored && doc.stored.id === graph.id
    ? { kind: 'replace', version: doc.stored.version }
    : { kind: 'create' };
}

/** The request headers of a precondition (RFC 9110 conditional requests). */
export function preconditionHeaders(p: SavePrecondition): Record<string, string> {
  return p.kind === 'create' ? { 'if-none-match': '*' } : { 'if-match': `"${p.version}"` };
}

/** The version in an `ETag` header (`"3"`); undefined when there is none. */
export function versionOfEtag(etag: string | null): number | undefined {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(etag?.trim() ?? '');
  return m?.[1] ? Number(m[1]) : undefined;
}
