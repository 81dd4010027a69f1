import { emptyGraph, type Diagnostic, type Graph, type NodeLibrary } from '@reelflow/fbp-model';
import { createContext, useCallback, useContext, useRef } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { newFlowId, unstoredDoc, type DocState } from '../files/document.js';
import { applyGraphChanges, type GraphChange } from '../model/changes.js';
import { copySelection, pasteClip, type Clip } from '../model/clipboard.js';
import { emptyHistory, record, redo, undo, type History } from '../model/history.js';
import { indexIssues, type Issue } from '../model/issues.js';
import type { DesignerServices } from '../model/services.js';
import type { RunView } from '../run/run-view.js';
import type { SimView } from '../sim/sim-view.js';

export type Mode = 'edit' | 'simulate' | 'run';
export type PanelTab = 'properties' | 'json' | 'constraints' | 'run' | 'files';

/** A short message for the user (a refused connection, a saved file). */
export interface Notice {
  readonly id: number;
  readonly tone: 'info' | 'error' | 'success';
  readonly text: string;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A question that waits for the person's answer (a confirmation, a name to save as). */
export interface Dialog {
  readonly title: string;
  readonly text: string;
  /** The confirming button's label, e.g. "Replace". */
  readonly ok: string;
  readonly cancel?: string;
  /** A third choice beside ok and cancel, e.g. "Save as a copy". */
  readonly alt?: string;
  /** A text field, e.g. the name to save as; the answer carries its value. */
  readonly input?: { readonly label: string; readonly value: string };
  /** The ok button's tone: `danger` for what discards work. */
  readonly tone?: 'danger';
}

export type DialogAnswer =
  { readonly choice: 'ok'; readonly value?: string } | { readonly choice: 'alt' | 'cancel' };

/** How an edit meets the undo history. */
export type HistoryMode = 'record' | 'skip';

export interface DesignerState {
  readonly library: NodeLibrary;
  /** The document: the single source of truth; canvas nodes and edges derive from it. */
  readonly graph: Graph;
  readonly history: History;
  readonly selectedNodes: ReadonlySet<string>;
  readonly selectedEdges: ReadonlySet<string>;
  /** Node sizes measured by React Flow, kept so derived nodes stay visible. */
  readonly measured: ReadonlyMap<string, Size>;
  /** Fast diagnostics of the current graph, plus the slow ones of the last full validation. */
  readonly diagnostics: readonly Diagnostic[];
  /** True when `diagnostics` include the slow rules (after Validate or before Run). */
  readonly fullyValidated: boolean;
  readonly issues: ReadonlyMap<string, Issue>;
  readonly constraints: string;
  readonly clip?: Clip;
  readonly notice?: Notice;
  readonly mode: Mode;
  readonly panel: PanelTab;
  readonly helpOpen: boolean;
  readonly sim?: SimView;
  readonly run?: RunView;
  /** Bumped to ask the canvas to fit the view (after a document was loaded). */
  readonly fitRequest: number;
  /** Which document the graph is: what it was opened or saved as. */
  readonly doc: DocState;
  /** Counts documents opened: a run or simulation belongs to the one it was started on. */
  readonly docSerial: number;
  /** The question on screen, if any. */
  readonly dialog?: Dialog;

  dispatch(changes: readonly GraphChange[], history?: HistoryMode): void;
  /** Remember the current graph as an undo point without changing it (start of a drag). */
  checkpoint(): void;
  undo(): void;
  redo(): void;
  select(nodes: Iterable<string>, edges?: Iterable<string>): void;
  selectAll(): void;
  deleteSelection(): void;
  copy(): void;
  paste(): void;
  setMeasured(sizes: ReadonlyMap<string, Size>): void;
  validateAll(): Diagnostic[];
  setConstraints(text: string): void;
  notify(tone: Notice['tone'], text: string): void;
  setMode(mode: Mode): void;
  setPanel(panel: PanelTab): void;
  setHelp(open: boolean): void;
  requestFit(): void;
  /**
   * Make `graph` the document being edited: a fresh undo history and selection, `doc` saying
   * where it comes from, the view fitted to it.
   */
  openDocument(graph: Graph, doc: DocState): void;
  /** The graph `graph` was saved as `stored`: it is the new baseline for unsaved changes. */
  markSaved(graph: Graph, stored: { id: string; version: number }): void;
  /** Put a question on screen; resolves with the answer (cancel when another replaces it). */
  ask(dialog: Dialog): Promise<DialogAnswer>;
  answer(answer: DialogAnswer): void;
}

export type DesignerStore = StoreApi<DesignerState>;

const onlyMoves = (changes: readonly GraphChange[]) => changes.every((c) => c.kind === 'move-node');

/** Drop selections of elements that no longer exist. */
function pruneSelection(graph: Graph, nodes: ReadonlySet<string>, edges: ReadonlySet<string>) {
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  return {
    selectedNodes: new Set([...nodes].filter((id) => nodeIds.has(id))),
    selectedEdges: new Set([...edges].filter((id) => edgeIds.has(id))),
  };
}

/**
 * Make a designer store. A factory rather than a module singleton (as xyflow's
 * `createStore`) so every test and every embedded editor has its own state.
 */
export function createDesignerStore(
  services: DesignerServices,
  initial: Graph = emptyGraph(newFlowId()),
): DesignerStore {
  let noticeId = 0;
  let pendingAnswer: ((answer: DialogAnswer) => void) | undefined;
  const diagnose = (graph: Graph) => {
    // A blank canvas is a start, not an error: "no source" and "no sink" wait for the first node.
    const diagnostics = graph.nodes.length === 0 ? [] : services.validateFast(graph);
    return { diagnostics, issues: indexIssues(diagnostics, graph), fullyValidated: false };
  };

  return createStore<DesignerState>()((set, get) => {
    /** Show a graph that came from history: same validation, selection pruned. */
    const show = (graph: Graph, history: History) => {
      const s = get();
      set({
        graph,
        history,
        ...diagnose(graph),
        ...pruneSelection(graph, s.selectedNodes, s.selectedEdges),
      });
    };

    return {
      library: services.library,
      graph: initial,
      history: emptyHistory,
      selectedNodes: new Set(),
      selectedEdges: new Set(),
      measured: new Map(),
      ...diagnose(initial),
      constraints: '',
      mode: 'edit',
      panel: 'properties',
      helpOpen: false,
      fitRequest: 0,
      doc: unstoredDoc(initial, initial.nodes.length === 0),
      docSerial: 0,

      dispatch(changes, history = 'record') {
        if (changes.length === 0) return;
        const s = get();
        const graph = applyGraphChanges(s.graph, changes);
        const next: Partial<DesignerState> = {
          graph,
          history: history === 'record' ? record(s.history, s.graph) : s.history,
        };
        // Moving nodes changes no rule's verdict; skipping keeps large drags smooth.
        if (!onlyMoves(changes)) {
          Object.assign(
            next,
            diagnose(graph),
            pruneSelection(graph, s.selectedNodes, s.selectedEdges),
          );
        }
        set(next);
      },
      checkpoint() {
        const s = get();
        set({ history: record(s.history, s.graph) });
      },
      undo() {
        const s = get();
        const r = undo(s.history, s.graph);
        if (r) show(r.graph, r.history);
      },
      redo() {
        const s = get();
        const r = redo(s.history, s.graph);
        if (r) show(r.graph, r.history);
      },
      select(nodes, edges = []) {
        set({ selectedNodes: new Set(nodes), selectedEdges: new Set(edges) });
      },
      selectAll() {
        const { graph } = get();
        set({
          selectedNodes: new Set(graph.nodes.map((n) => n.id)),
          selectedEdges: new Set(graph.edges.map((e) => e.id)),
        });
      },
      deleteSelection() {
        const { selectedNodes, selectedEdges, dispatch } = get();
        dispatch([
          ...[...selectedEdges].map((id): GraphChange => ({ kind: 'remove-edge', id })),
          ...[...selectedNodes].map((id): GraphChange => ({ kind: 'remove-node', id })),
        ]);
      },
      copy() {
        const { graph, selectedNodes } = get();
        if (selectedNodes.size > 0) set({ clip: copySelection(graph, selectedNodes) });
      },
      paste() {
        const { clip, graph, dispatch } = get();
        if (!clip) return;
        const { changes, nodeIds } = pasteClip(graph, clip, { x: 40, y: 40 });
        dispatch(changes);
        set({ selectedNodes: new Set(nodeIds), selectedEdges: new Set(), clip: shiftClip(clip) });
      },
      setMeasured(sizes) {
        const measured = new Map(get().measured);
        for (const [id, size] of sizes) measured.set(id, size);
        set({ measured });
      },
      validateAll() {
        const { graph, constraints } = get();
        const diagnostics = services.validateAll(graph, constraints);
        set({ diagnostics, issues: indexIssues(diagnostics, graph), fullyValidated: true });
        return diagnostics;
      },
      setConstraints(text) {
        set({ constraints: text });
      },
      notify(tone, text) {
        set({ notice: { id: ++noticeId, tone, text } });
      },
      setMode(mode) {
        set({ mode });
      },
      setPanel(panel) {
        set({ panel });
      },
      setHelp(open) {
        set({ helpOpen: open });
      },
      requestFit() {
        set({ fitRequest: get().fitRequest + 1 });
      },
      openDocument(graph, doc) {
        set({
          graph,
          doc,
          docSerial: get().docSerial + 1,
          history: emptyHistory,
          selectedNodes: new Set(),
          selectedEdges: new Set(),
          ...diagnose(graph),
          fitRequest: get().fitRequest + 1,
        });
      },
      markSaved(graph, stored) {
        set({ doc: { baseline: graph, stored, provisionalId: false } });
      },
      ask(dialog) {
        pendingAnswer?.({ choice: 'cancel' });
        set({ dialog });
        return new Promise<DialogAnswer>((resolve) => {
          pendingAnswer = resolve;
        });
      },
      answer(answer) {
        const resolve = pendingAnswer;
        pendingAnswer = undefined;
        set({ dialog: undefined });
        resolve?.(answer);
      },
    };
  });
}

/** Pasting twice should not stack copies exactly on top of each other. */
function shiftClip(clip: Clip): Clip {
  return {
    ...clip,
    nodes: clip.nodes.map((n) => ({
      ...n,
      position: { x: (n.position?.x ?? 0) + 40, y: (n.position?.y ?? 0) + 40 },
    })),
  };
}

export const DesignerContext = createContext<DesignerStore | null>(null);

/** The store of the nearest provider. */
export function useDesignerStore(): DesignerStore {
  const store = useContext(DesignerContext);
  if (!store) throw new Error('useDesigner must be used inside <DesignerContext.Provider>');
  return store;
}

/** Subscribe to a slice of the designer state; pass selectors defined at module level. */
export function useDesigner<T>(selector: (s: DesignerState) => T): T {
  return useStore(useDesignerStore(), selector);
}

/**
 * Subscribe to a view of several fields, kept while every field is the same (`Object.is`).
 * One such subscription per canvas element, rather than one per field, matters when a
 * thousand elements are told of every store update. The selector should be made once
 * (useMemo) and return an object literal with the same keys every time.
 */
export function useDesignerView<T extends object>(selector: (s: DesignerState) => T): T {
  const last = useRef<T | undefined>(undefined);
  return useDesigner(
    useCallback(
      (s: DesignerState) => {
        const next = selector(s);
        const prev = last.current;
        if (prev && sameFields(prev, next)) return prev;
        last.current = next;
        return next;
      },
      [selector],
    ),
  );
}

function sameFields<T extends object>(a: T, b: T): boolean {
  for (const key in a) if (!Object.is(a[key], b[key])) return false;
  return true;
}
