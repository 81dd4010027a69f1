import {
  emptyGraph,
  fromFbpJson,
  GraphConflictSchema,
  GraphSummarySchema,
  GraphVersionSchema,
  loadGraph,
  looksLikeFbpJson,
  serializeGraph,
  toFbpJson,
  type Graph,
  type GraphSummary,
  type GraphVersion,
} from '@reelflow/fbp-model';
import { z } from 'zod';
import { api, apiCall, ApiError, errorMessage } from '../api.js';
import type { DesignerStore } from '../store/store.js';
import {
  idForName,
  isDirty,
  newFlowId,
  preconditionHeaders,
  savePrecondition,
  unstoredDoc,
  versionOfEtag,
  type SavePrecondition,
} from './document.js';

export type ExportFormat = 'reelflow' | 'fbp-json';

/** New, open, save, save as, restore, import and export: every way a document changes hands. */
export interface FileCommands {
  /** An empty flow with an id of its own (after asking about unsaved changes). */
  newFlow(): Promise<void>;
  /** Save on the runtime; asks before replacing a stored graph this document is not. */
  save(): Promise<boolean>;
  /** Save under a new name and id; the graph it came from stays as it was. */
  saveAs(): Promise<boolean>;
  listGraphs(): Promise<GraphSummary[]>;
  listVersions(id: string): Promise<GraphVersion[]>;
  openGraph(id: string): Promise<void>;
  /** Make an earlier save of a graph its newest version, and open it. */
  restoreVersion(id: string, version: number): Promise<void>;
  exportGraph(format: ExportFormat): void;
  importFile(file: File): Promise<void>;
  /** Open a document (Reelflow or FBP JSON) as a new, unsaved flow; false when it is refused. */
  loadDocument(doc: unknown, origin: string): Promise<boolean>;
  /** True when there are no unsaved changes, or the person lets them go (or saves them). */
  confirmDiscard(action: string): Promise<boolean>;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

const graphPath = (id: string) => `/api/graphs/${encodeURIComponent(id)}`;

export function createFileCommands(store: DesignerStore): FileCommands {
  const s = () => store.getState();
  const listGraphs = () => api('/api/graphs', z.array(GraphSummarySchema));

  /** A document from JSON: a Reelflow graph or an FBP JSON one, or a notice saying why not. */
  const parse = (doc: unknown, origin: string): Graph | undefined => {
    // With the library, an FBP initial packet into a Reelflow parameter becomes that param.
    const result = looksLikeFbpJson(doc)
      ? fromFbpJson(doc, { library: s().library })
      : loadGraph(doc);
    if (!result.graph) {
      const first = result.diagnostics[0]?.message ?? 'not a graph document';
      s().notify('error', `${origin} is not a valid graph: ${first}`);
    }
    return result.graph;
  };

  const confirmDiscard = async (action: string): Promise<boolean> => {
    const { graph, doc } = s();
    if (!isDirty(graph, doc)) return true;
    const answer = await s().ask({
      title: 'Unsaved changes',
      text: `“${graph.name}” has changes that are not saved. ${action} and lose them?`,
      ok: 'Discard changes',
      alt: 'Save first',
      cancel: 'Keep editing',
      tone: 'danger',
    });
    if (answer.choice === 'alt') return save();
    return answer.choice === 'ok';
  };

  /**
   * PUT `sent` under its precondition. On success the document becomes `sent` (its id and
   * name carried onto edits made while the save was under way); on a conflict the person
   * chooses between replacing what is stored, a copy, and not saving.
   */
  const put = async (
    sent: Graph,
    from: Graph,
    precondition: SavePrecondition,
  ): Promise<boolean> => {
    try {
      const { headers } = await apiCall(graphPath(sent.id), undefined, {
        method: 'PUT',
        body: serializeGraph(sent),
        headers: preconditionHeaders(precondition),
      });
      const version = versionOfEtag(headers.get('etag'));
      if (version === undefined) throw new Error('the runtime did not say which version it saved');
      const now = s().graph;
      const adopted = now === from ? sent : { ...now, id: sent.id, name: sent.name };
      if (adopted !== now) s().dispatch([{ kind: 'replace-graph', graph: adopted }], 'skip');
      s().markSaved(sent, { id: sent.id, version });
      s().notify('success', `Saved “${sent.name}” (version ${version})`);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 412)) {
        s().notify('error', `Save failed: ${errorMessage(err)}`);
        return false;
      }
      const current = GraphConflictSchema.safeParse(err.body).data?.current ?? null;
      // What we opened was deleted meanwhile: nothing to overwrite, so save it anew.
      if (!current) return precondition.kind === 'replace' && put(sent, from, { kind: 'create' });
      const answer = await s().ask({
        title: 'Replace a saved graph?',
        text:
          precondition.kind === 'replace'
            ? `“${current.name}” (${current.id}) was saved again on the runtime since you opened it (version ${current.version}, ${when(current.updatedAt)}). Replace that save with yours? It stays in the graph's history.`
            : `A different graph, “${current.name}”, is saved under the id ${current.id} (version ${current.version}, ${when(current.updatedAt)}). Replace it with this flow? It stays in that graph's history.`,
        ok: 'Replace',
        alt: 'Save as a copy',
        cancel: 'Cancel',
        tone: 'danger',
      });
      if (answer.choice === 'ok')
        return put(sent, from, { kind: 'replace', version: current.version });
      if (answer.choice === 'alt') return saveAs();
      s().notify('info', 'Not saved');
      return false;
    }
  };

  const save = async (): Promise<boolean> => {
    const { graph, doc } = s();
    let sent = graph;
    if (doc.provisionalId && !doc.stored) {
      // A new flow is saved under an id made from its name, one no stored graph has.
      try {
        sent = {
          ...graph,
          id: idForName(
            graph.name,
            (await listGraphs()).map((g) => g.id),
          ),
        };
      } catch (err) {
        s().notify('error', `Save failed: ${errorMessage(err)}`);
        return false;
      }
    }
    return put(sent, graph, savePrecondition(sent, doc));
  };

  const saveAs = async (): Promise<boolean> => {
    const { graph } = s();
    const answer = await s().ask({
      title: 'Save as',
      text: 'Save this flow as a new graph. The graph it came from stays as it is.',
      ok: 'Save',
      cancel: 'Cancel',
      input: { label: 'Name', value: s().doc.stored ? `${graph.name} (copy)` : graph.name },
    });
    if (answer.choice !== 'ok') return false;
    const name = answer.value?.trim() ?? '';
    if (!name) {
      s().notify('error', 'Not saved: the flow needs a name');
      return false;
    }
    try {
      const id = idForName(
        name,
        (await listGraphs()).map((g) => g.id),
      );
      return await put({ ...s().graph, id, name }, s().graph, { kind: 'create' });
    } catch (err) {
      s().notify('error', `Save failed: ${errorMessage(err)}`);
      return false;
    }
  };

  /** The stored graph `id` with its version, checked against the schema. */
  const fetchStored = async (id: string) => {
    const { body, headers } = await apiCall<unknown>(graphPath(id), undefined);
    const graph = parse(body, `Graph ${id}`);
    const version = versionOfEtag(headers.get('etag'));
    if (graph && version === undefined)
      throw new Error('the runtime did not say which version it sent');
    return graph && { graph, version: version ?? 0 };
  };

  const loadDocument = async (doc: unknown, origin: string): Promise<boolean> => {
    const graph = parse(doc, origin);
    if (!graph || !(await confirmDiscard(`Open ${origin}`))) return false;
    s().openDocument(graph, unstoredDoc(graph));
    return true;
  };

  return {
    confirmDiscard,
    save,
    saveAs,
    listGraphs,
    listVersions: (id) => api(`${graphPath(id)}/versions`, z.array(GraphVersionSchema)),
    async newFlow() {
      if (!(await confirmDiscard('Start a new flow'))) return;
      const graph = emptyGraph(newFlowId());
      s().openDocument(graph, unstoredDoc(graph, true));
      s().notify('info', 'New flow');
    },
    loadDocument,
    async openGraph(id) {
      if (!(await confirmDiscard(`Open “${id}”`))) return;
      try {
        const stored = await fetchStored(id);
        if (!stored) return;
        s().openDocument(stored.graph, {
          baseline: stored.graph,
          stored: { id, version: stored.version },
          provisionalId: false,
        });
        s().notify('success', `Opened “${stored.graph.name}”`);
      } catch (err) {
        s().notify('error', `Open failed: ${errorMessage(err)}`);
      }
    },
    async restoreVersion(id, version) {
      if (!(await confirmDiscard(`Restore version ${version} of “${id}”`))) return;
      try {
        const [old, stored] = await Promise.all([
          api<unknown>(`${graphPath(id)}/versions/${version}`, undefined),
          fetchStored(id),
        ]);
        const graph = parse(old, `Version ${version} of ${id}`);
        if (!graph || !stored) return;
        // Open it as an unsaved change of the stored graph, then save it as the newest version:
        // if that save is refused, the restored graph is still on screen, marked unsaved.
        s().openDocument(graph, {
          baseline: stored.graph,
          stored: { id, version: stored.version },
          provisionalId: false,
        });
        if (await put(graph, graph, { kind: 'replace', version: stored.version }))
          s().notify('success', `Restored version ${version} of “${graph.name}”`);
      } catch (err) {
        s().notify('error', `Restore failed: ${errorMessage(err)}`);
      }
    },
    exportGraph(format) {
      const { graph } = s();
      if (format === 'fbp-json')
        download(`${graph.id}.fbp.json`, `${JSON.stringify(toFbpJson(graph), null, 2)}\n`);
      else download(`${graph.id}.reelflow.json`, serializeGraph(graph));
    },
    async importFile(file) {
      let doc: unknown;
      try {
        doc = JSON.parse(await file.text());
      } catch (err) {
        return s().notify('error', `${file.name} is not JSON: ${errorMessage(err)}`);
      }
      if (await loadDocument(doc, file.name)) s().notify('success', `Imported ${file.name}`);
    },
  };
}
