import {
  fromFbpJson,
  GraphSummarySchema,
  loadGraph,
  looksLikeFbpJson,
  serializeGraph,
  toFbpJson,
  type Graph,
} from '@reelflow/fbp-model';
import { z } from 'zod';
import { api, errorMessage } from '../api.js';
import type { DesignerStore } from '../store/store.js';

export type ExportFormat = 'reelflow' | 'fbp-json';

/** Saving, opening, importing and exporting graphs. */
export interface FileCommands {
  save(): Promise<void>;
  listGraphs(): Promise<z.infer<typeof GraphSummarySchema>[]>;
  openGraph(id: string): Promise<void>;
  exportGraph(format: ExportFormat): void;
  importFile(file: File): Promise<void>;
  /** Load a document (Reelflow or FBP JSON) as the current graph; false when it has schema errors. */
  loadDocument(doc: unknown, origin: string): boolean;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'untitled';

export function createFileCommands(store: DesignerStore): FileCommands {
  const s = () => store.getState();
  const replace = (graph: Graph) => {
    s().dispatch([{ kind: 'replace-graph', graph }]);
    s().select([], []);
    s().requestFit();
  };
  const loadDocument = (doc: unknown, origin: string): boolean => {
    // With the library, an FBP initial packet into a Reelflow parameter becomes that param.
    const result = looksLikeFbpJson(doc)
      ? fromFbpJson(doc, { library: s().library })
      : loadGraph(doc);
    if (!result.graph) {
      const first = result.diagnostics[0]?.message ?? 'not a graph document';
      s().notify('error', `${origin} is not a valid graph: ${first}`);
      return false;
    }
    replace(result.graph);
    return true;
  };
  return {
    loadDocument,
    async save() {
      // A new flow gets an id from its name, so two new flows do not overwrite each other.
      if (s().graph.id === 'untitled' && slug(s().graph.name) !== 'untitled-flow') {
        s().dispatch(
          [{ kind: 'replace-graph', graph: { ...s().graph, id: slug(s().graph.name) } }],
          'skip',
        );
      }
      const { graph } = s();
      try {
        await api(`/api/graphs/${encodeURIComponent(graph.id)}`, undefined, {
          method: 'PUT',
          body: serializeGraph(graph),
        });
        s().notify('success', `Saved “${graph.name}”`);
      } catch (err) {
        s().notify('error', `Save failed: ${errorMessage(err)}`);
      }
    },
    listGraphs: () => api('/api/graphs', z.array(GraphSummarySchema)),
    async openGraph(id) {
      try {
        const doc = await api<unknown>(`/api/graphs/${encodeURIComponent(id)}`, undefined);
        if (loadDocument(doc, `Graph ${id}`)) s().notify('success', `Opened ${id}`);
      } catch (err) {
        s().notify('error', `Open failed: ${errorMessage(err)}`);
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
      if (loadDocument(doc, file.name)) s().notify('success', `Imported ${file.name}`);
    },
  };
}
