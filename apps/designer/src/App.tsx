import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Canvas } from './canvas/Canvas.js';
import { CommandsContext, createCommands, type Commands } from './commands.js';
import { FilesPanel } from './files/FilesPanel.js';
import { createFileCommands } from './files/files.js';
import type { DesignerServices } from './model/services.js';
import { isDirty } from './files/document.js';
import { ConfirmDialog } from './panels/ConfirmDialog.js';
import { DiagnosticsPanel } from './panels/DiagnosticsPanel.js';
import { HelpOverlay } from './panels/HelpOverlay.js';
import { NoticeToast } from './panels/NoticeToast.js';
import { usePanelOpen } from './panels/layout-prefs.js';
import { Palette } from './panels/Palette.js';
import { PanelToggle } from './panels/PanelToggle.js';
import { PropertiesPanel } from './panels/PropertiesPanel.js';
import { Toolbar } from './panels/Toolbar.js';
import { createRunController } from './run/run-controller.js';
import { RunPanel } from './run/RunPanel.js';
import { createSimController } from './sim/sim-controller.js';
import { SimBar } from './sim/SimBar.js';
import { handleShortcut } from './shortcuts.js';
import { selectGraph, selectPanel } from './store/selectors.js';
import {
  DesignerContext,
  useDesigner,
  useDesignerStore,
  type DesignerStore,
  type PanelTab,
} from './store/store.js';
import abrLadder from '../../../examples/abr-ladder.reelflow.json';
import audioThumbs from '../../../examples/audio-thumbnails.reelflow.json';
import filtersExample from '../../../examples/filters.reelflow.json';
import example from '../../../examples/transcode-720p.reelflow.json';

// Monaco is large: it loads when a code tab is first opened, not with the canvas.
const JsonEditor = lazy(() =>
  import('./editor/Editors.js').then((m) => ({ default: m.JsonEditor })),
);
const OclEditor = lazy(() => import('./editor/Editors.js').then((m) => ({ default: m.OclEditor })));

const TABS: readonly { id: PanelTab; label: string }[] = [
  { id: 'properties', label: 'Properties' },
  { id: 'json', label: 'JSON' },
  { id: 'constraints', label: 'Constraints' },
  { id: 'run', label: 'Run' },
  { id: 'files', label: 'Files' },
];

/**
 * The side panel. Panels stay mounted while hidden, so the player keeps playing, an upload
 * keeps its progress and the editors keep their undo history when the user switches tabs;
 * the Monaco panels mount on first visit only. Collapsed, it is a rail of its tabs: a tab
 * opens it again, and so does any command that asks for a tab (Open shows Files).
 */
function SidePanel() {
  const panel = useDesigner(selectPanel);
  const store = useDesignerStore();
  const [open, setOpen] = usePanelOpen('side');
  const [visited, setVisited] = useState<ReadonlySet<PanelTab>>(() => new Set([panel]));
  const shown = useRef(panel);
  useEffect(() => {
    setVisited((v) => (v.has(panel) ? v : new Set([...v, panel])));
    if (shown.current !== panel) setOpen(true);
    shown.current = panel;
  }, [panel, setOpen]);
  const pane = (id: PanelTab, content: ReactNode) => (
    <div className="side-pane" hidden={panel !== id} key={id}>
      {content}
    </div>
  );
  return (
    <aside className={`side${open ? '' : ' collapsed'}`} aria-label="Side panel">
      <nav className="tabs" role="tablist" aria-orientation={open ? 'horizontal' : 'vertical'}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={panel === t.id}
            className={`tab${panel === t.id ? ' active' : ''}`}
            data-testid={`tab-${t.id}`}
            title={open ? undefined : `Show ${t.label}`}
            onClick={() => {
              store.getState().setPanel(t.id);
              setOpen(true);
            }}
          >
            {t.label}
          </button>
        ))}
        <PanelToggle panel="side" open={open} onToggle={() => setOpen(!open)} />
      </nav>
      <div className="side-body" hidden={!open}>
        {pane('properties', <PropertiesPanel />)}
        <Suspense fallback={<p className="empty">Loading editor…</p>}>
          {visited.has('json') && pane('json', <JsonEditor />)}
          {visited.has('constraints') && pane('constraints', <OclEditor />)}
        </Suspense>
        {pane('run', <RunPanel />)}
        {visited.has('files') && pane('files', <FilesPanel />)}
      </div>
    </aside>
  );
}

/** The examples shipped with Reelflow, offered on an empty canvas. */
const EXAMPLES = [
  {
    id: 'abr-ladder',
    label: 'ABR ladder: 1080/720/480/360 behind one master playlist',
    doc: abrLadder,
  },
  { id: 'filters', label: 'Filters: scale, crop, watermark, text', doc: filtersExample },
  {
    id: 'audio-thumbnails',
    label: 'Loudness-normalised audio and seek thumbnails',
    doc: audioThumbs,
  },
] as const;

/** Shown on an empty canvas: what to do first. */
function EmptyHint({ commands }: { commands: Commands }) {
  const graph = useDesigner(selectGraph);
  if (graph.nodes.length > 0) return null;
  return (
    <div className="empty-hint">
      <h2>Design a transcoding flow</h2>
      <p>
        Drag node types from the palette onto the canvas and connect output ports to input ports.
      </p>
      <button
        type="button"
        className="btn primary"
        data-testid="load-example"
        onClick={() => void commands.loadDocument(example, 'the example')}
      >
        Start from the 720p example
      </button>
      <ul className="example-list">
        {EXAMPLES.map((e) => (
          <li key={e.id}>
            <button
              type="button"
              className="btn btn-small"
              data-testid={`example-${e.id}`}
              onClick={() => void commands.loadDocument(e.doc, `the ${e.id} example`)}
            >
              {e.label}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Shell({ services }: { services: DesignerServices }) {
  const store = useDesignerStore();
  const flow = useReactFlow();
  const sim = useMemo(() => createSimController(store, services), [store, services]);
  const run = useMemo(() => createRunController(store), [store]);
  const files = useMemo(() => createFileCommands(store), [store]);
  const commands = useMemo(
    () => createCommands({ store, flow, sim, run, files }),
    [store, flow, sim, run, files],
  );
  // Controllers live as long as the page (and its store); nothing to dispose on re-render.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => void handleShortcut(e, commands);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [commands]);
  // Closing or reloading the tab with unsaved changes asks first (the browser's own prompt).
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      const { graph, doc } = store.getState();
      if (isDirty(graph, doc)) e.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, [store]);
  return (
    <CommandsContext.Provider value={commands}>
      <div className="app">
        <Toolbar />
        <div className="main">
          <Palette />
          <div className="centre">
            <div className="canvas-area">
              <Canvas />
              <SimBar />
              <EmptyHint commands={commands} />
              <NoticeToast />
            </div>
            <DiagnosticsPanel />
          </div>
          <SidePanel />
        </div>
        <HelpOverlay />
        <ConfirmDialog />
      </div>
    </CommandsContext.Provider>
  );
}

/** The designer: one store, handed down through context. */
export function App({ store, services }: { store: DesignerStore; services: DesignerServices }) {
  return (
    <DesignerContext.Provider value={store}>
      <ReactFlowProvider>
        <Shell services={services} />
      </ReactFlowProvider>
    </DesignerContext.Provider>
  );
}
