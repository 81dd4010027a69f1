import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import { freshEdgeId, freshId, type GraphChange } from '../model/changes.js';
import { checkConnection } from '../model/connect.js';
import { defaultParams } from '../model/params.js';
import {
  selectEdges,
  selectFitRequest,
  selectGraph,
  selectLibrary,
  selectMeasured,
  selectNodes,
  selectSelectedEdges,
  selectSelectedNodes,
} from '../store/selectors.js';
import { useDesigner, useDesignerStore, type DesignerState, type Size } from '../store/store.js';
import {
  deriveEdges,
  deriveNodes,
  type DesignerFlowEdge,
  type DesignerFlowNode,
} from './derive.js';
import { FlowNode } from './FlowNode.js';
import { portHitSize } from './port-hit.js';
import { selectManyLive } from './live-edges.js';
import { TokenLayer } from './TokenLayer.js';
import { TypedEdge } from './TypedEdge.js';

const CANNOT_CONNECT = 'Cannot connect:';

/** The MIME type palette entries put on a drag. */
export const NODE_TYPE_MIME = 'application/x-reelflow-node-type';

// Props handed to React Flow are module constants: a fresh object or array on each render
// would reach React Flow's store as a change (a new `defaultEdgeOptions` re-renders every
// edge), and the canvas renders on every move of a drag.
const nodeTypes = { reelflow: FlowNode };
const edgeTypes = { typed: TypedEdge };
const multiSelectionKeys = ['Meta', 'Control'];
const proOptions = { hideAttribution: true };
const defaultEdgeOptions = { type: 'typed' };
const miniMapStyle = { width: 168, height: 108 };
/** Below this zoom node text is a few pixels high: the canvas leaves it out (see styles). */
export const FAR_ZOOM = 0.4;
const selectZoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
const onInit = (instance: ReactFlowInstance<DesignerFlowNode, DesignerFlowEdge>) => {
  if (instance.getNodes().length > 0) void instance.fitView({ padding: 0.2, maxZoom: 1.1 });
};
const miniMapColour = (n: DesignerFlowNode) =>
  n.selected
    ? '#6366f1'
    : n.data.node.type === 'source' || n.data.node.type === 'stream'
      ? '#a78bfa'
      : '#94a3b8';

/** Apply React Flow's selection changes to a set of selected ids. */
function nextSelection(
  current: ReadonlySet<string>,
  changes: readonly (NodeChange | EdgeChange)[],
) {
  let out: Set<string> | undefined;
  for (const c of changes) {
    if (c.type !== 'select') continue;
    out ??= new Set(current);
    if (c.selected) out.add(c.id);
    else out.delete(c.id);
  }
  return out;
}

/** Nodes derived from the document, reusing unchanged objects between renders. */
function useFlowNodes(): DesignerFlowNode[] {
  const graph = useDesigner(selectGraph);
  const selected = useDesigner(selectSelectedNodes);
  const measured = useDesigner(selectMeasured);
  const cache = useRef<ReadonlyMap<string, DesignerFlowNode>>(new Map());
  return useMemo(() => {
    cache.current = deriveNodes(graph.nodes, selected, measured, cache.current);
    return [...cache.current.values()];
  }, [graph.nodes, selected, measured]);
}

function useFlowEdges(): DesignerFlowEdge[] {
  const edges = useDesigner(selectEdges);
  const nodes = useDesigner(selectNodes);
  const library = useDesigner(selectLibrary);
  const selected = useDesigner(selectSelectedEdges);
  // Edge colours depend on node types only: key on them so dragging does not rebuild edges.
  const typeKey = nodes.map((n) => `${n.id}\u0000${n.type}`).join('\u0001');
  const typeOf = useMemo(() => new Map(nodes.map((n) => [n.id, n.type])), [typeKey]);
  return useMemo(
    () => deriveEdges(edges, typeOf, library, selected),
    [edges, typeOf, library, selected],
  );
}

/** The editing canvas: React Flow over the graph document, every edit through the store. */
export function Canvas() {
  const store = useDesignerStore();
  const nodes = useFlowNodes();
  const edges = useFlowEdges();
  const flow = useReactFlow();

  const onNodesChange = useCallback(
    (changes: NodeChange<DesignerFlowNode>[]) => {
      const s = store.getState();
      const moves: GraphChange[] = [];
      const sizes = new Map<string, Size>();
      for (const c of changes) {
        if (c.type === 'position' && c.position)
          moves.push({ kind: 'move-node', id: c.id, position: c.position });
        if (c.type === 'dimensions' && c.dimensions) sizes.set(c.id, c.dimensions);
      }
      // The undo point of a drag is taken at drag start; the moves themselves are not recorded.
      s.dispatch(moves, 'skip');
      if (sizes.size > 0) s.setMeasured(sizes);
      const selection = nextSelection(s.selectedNodes, changes);
      if (selection) s.select(selection, store.getState().selectedEdges);
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<DesignerFlowEdge>[]) => {
      const s = store.getState();
      const selection = nextSelection(s.selectedEdges, changes);
      if (selection) s.select(store.getState().selectedNodes, selection);
    },
    [store],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      const s = store.getState();
      return checkConnection(s.graph, s.library, c).ok;
    },
    [store],
  );

  // A refusal belongs to the drag that caused it: a new drag starts without it.
  const clearRefusal = useCallback(() => {
    if (store.getState().notice?.text.startsWith(CANNOT_CONNECT))
      store.setState({ notice: undefined });
  }, [store]);

  const onConnect = useCallback(
    (c: Connection) => {
      clearRefusal();
      const s = store.getState();
      const verdict = checkConnection(s.graph, s.library, c);
      if (!verdict.ok) return s.notify('error', `${CANNOT_CONNECT} ${verdict.reason}`);
      const id = freshEdgeId(new Set(s.graph.edges.map((e) => e.id)));
      s.dispatch([
        {
          kind: 'add-edge',
          edge: {
            id,
            from: { node: c.source, port: c.sourceHandle ?? 'out' },
            to: { node: c.target, port: c.targetHandle ?? 'in' },
          },
        },
      ]);
    },
    [store, clearRefusal],
  );

  // A refused drop onto a handle says why, so the user is not left guessing.
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
      const s = store.getState();
      const [from, to] =
        state.fromHandle.type === 'source'
          ? [state.fromHandle, state.toHandle]
          : [state.toHandle, state.fromHandle];
      const verdict = checkConnection(s.graph, s.library, {
        source: from.nodeId,
        sourceHandle: from.id ?? null,
        target: to.nodeId,
        targetHandle: to.id ?? null,
      });
      if (!verdict.ok) s.notify('error', `${CANNOT_CONNECT} ${verdict.reason}`);
    },
    [store],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_TYPE_MIME);
      if (!type) return;
      e.preventDefault();
      addNodeAt(store.getState(), type, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [store, flow],
  );

  // Fit when a document is loaded, once its nodes have been measured (next frames).
  const fitRequest = useDesigner(selectFitRequest);
  useEffect(() => {
    if (fitRequest === 0) return undefined;
    const frame = window.requestAnimationFrame(() =>
      window.requestAnimationFrame(
        () => void flow.fitView({ padding: 0.08, maxZoom: 1.1, duration: 200 }),
      ),
    );
    return () => window.cancelAnimationFrame(frame);
  }, [fitRequest, flow]);

  // Port hit squares follow the zoom (see styles): one custom property on the wrapper, set
  // outside React so zooming re-renders nothing, and only when the size steps.
  const wrap = useRef<HTMLDivElement>(null);
  const flowStore = useStoreApi<DesignerFlowNode, DesignerFlowEdge>();
  useEffect(() => {
    let last = 0;
    const apply = (zoom: number) => {
      const size = portHitSize(zoom);
      if (size === last) return;
      last = size;
      wrap.current?.style.setProperty('--port-hit', `${size}px`);
    };
    apply(flowStore.getState().transform[2]);
    return flowStore.subscribe((s) => apply(s.transform[2]));
  }, [flowStore]);

  const zoomedOut = useStore(selectZoomedOut);
  const manyLive = useDesigner(selectManyLive);

  const onNodeDragStart = useCallback(() => store.getState().checkpoint(), [store]);
  const onPaneClick = useCallback(() => store.getState().select([], []), [store]);
  // Clicking a node shows its properties, except in the Run tab where the logs follow it.
  const onNodeClick = useCallback(() => {
    const s = store.getState();
    if (s.panel !== 'run' && s.panel !== 'properties') s.setPanel('properties');
  }, [store]);

  return (
    <div
      ref={wrap}
      className={`canvas-wrap${zoomedOut ? ' zoomed-out' : ''}${manyLive ? ' many-live' : ''}`}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<DesignerFlowNode, DesignerFlowEdge>
        data-testid="canvas"
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectStart={clearRefusal}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={onNodeDragStart}
        onSelectionDragStart={onNodeDragStart}
        onPaneClick={onPaneClick}
        onNodeClick={onNodeClick}
        deleteKeyCode={null}
        multiSelectionKeyCode={multiSelectionKeys}
        selectionKeyCode="Shift"
        onlyRenderVisibleElements={nodes.length > 300}
        minZoom={0.1}
        // No `fitView` prop: it would also jump the view when the first node is dropped.
        onInit={onInit}
        proOptions={proOptions}
        defaultEdgeOptions={defaultEdgeOptions}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
        <TokenLayer />
        <MiniMap<DesignerFlowNode>
          style={miniMapStyle}
          pannable
          zoomable
          nodeColor={miniMapColour}
          nodeBorderRadius={6}
        />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** Add a node of `type` with its default parameters, selected, at a flow position. */
export function addNodeAt(
  s: DesignerState,
  type: string,
  position: { x: number; y: number },
): void {
  const def = s.library.get(type);
  if (!def) return s.notify('error', `Unknown node type "${type}"`);
  const id = freshId(type, new Set(s.graph.nodes.map((n) => n.id)));
  s.dispatch([{ kind: 'add-node', node: { id, type, position, params: defaultParams(def) } }]);
  s.select([id]);
}
