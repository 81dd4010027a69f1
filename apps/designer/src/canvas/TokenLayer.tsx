import { useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { useDesigner, useDesignerStore } from '../store/store.js';
import type { DesignerFlowEdge, DesignerFlowNode } from './derive.js';
import { selectLiveEdges, selectManyLive } from './live-edges.js';
import { routeHolds, routesOf } from './routes.js';
import {
  curveTrack,
  edgeCubic,
  handlePoint,
  polylineTrack,
  tokenParams,
  trackPoint,
  type Track,
} from './token-geometry.js';

const COLOURS: Record<string, string> = { chunk: '#0d9488', audio: '#d97706' };
const DEFAULT_COLOUR = '#7c3aed';

/**
 * Token dots of many moving edges, drawn on one canvas under the edges each animation frame.
 * The canvas is its own compositing layer, so redrawing it repaints nothing else; the SVG
 * dots of `TypedEdge` take over again when few edges move.
 */
export function TokenLayer() {
  const many = useDesigner(selectManyLive);
  const designer = useDesignerStore();
  const flow = useStoreApi<DesignerFlowNode, DesignerFlowEdge>();
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!many || !el || !ctx) return undefined;
    let frame = 0;
    /** Each edge's track, with the node positions, handles and route it was worked out from. */
    const curves = new Map<string, { at: unknown[]; curve: Track | undefined }>();
    const routes = routesOf(designer);
    const draw = (now: number) => {
      frame = window.requestAnimationFrame(draw);
      const { width, height, transform, nodeLookup, edgeLookup } = flow.getState();
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(width * dpr);
      const h = Math.round(height * dpr);
      if (el.width !== w || el.height !== h) {
        el.width = w;
        el.height = h;
      }
      const [tx, ty, zoom] = transform;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, w, h);
      // Flow coordinates to device pixels; the radius keeps dots visible when zoomed far out.
      ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
      const r = Math.max(5, 2.5 / zoom);
      const params = tokenParams(now);
      const byColour = new Map<string, Track[]>();
      for (const id of selectLiveEdges(designer.getState()).ids) {
        const edge = edgeLookup.get(id);
        const source = edge && nodeLookup.get(edge.source);
        const target = edge && nodeLookup.get(edge.target);
        if (!edge || !source || !target) continue;
        // The curve is worked out again only when an end node moved or was measured again.
        const route = routes.getState().get(id);
        const at = [
          source.internals.positionAbsolute.x,
          source.internals.positionAbsolute.y,
          target.internals.positionAbsolute.x,
          target.internals.positionAbsolute.y,
          source.internals.handleBounds,
          target.internals.handleBounds,
          route,
        ];
        let known = curves.get(id);
        if (!known || known.at.some((v, i) => v !== at[i])) {
          const from = handlePoint(source, 'source', edge.sourceHandle);
          const to = handlePoint(target, 'target', edge.targetHandle);
          // Along the layout's route while it holds, as TypedEdge draws it; else the curve.
          const cubic = from && to && edgeCubic(from.point, from.position, to.point, to.position);
          const curve =
            from && to && route && routeHolds(route, from.point, to.point)
              ? polylineTrack([from.point, ...route.bends, to.point])
              : cubic && curveTrack(cubic);
          known = { at, curve };
          curves.set(id, known);
        }
        const { curve } = known;
        if (!curve || !onScreen(curve, tx, ty, zoom, width, height, r)) continue;
        const colour = COLOURS[edge.data?.dataType ?? ''] ?? DEFAULT_COLOUR;
        const list = byColour.get(colour) ?? [];
        list.push(curve);
        byColour.set(colour, list);
      }
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = Math.min(1.5, r / 3);
      for (const [colour, curves] of byColour) {
        ctx.beginPath();
        for (const c of curves)
          for (const t of params) {
            const p = trackPoint(c, t);
            ctx.moveTo(p.x + r, p.y);
            ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
          }
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.stroke();
      }
    };
    frame = window.requestAnimationFrame(draw);
    return () => {
      window.cancelAnimationFrame(frame);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, el.width, el.height);
    };
  }, [many, designer, flow]);

  return <canvas ref={canvas} className="token-layer react-flow__container" hidden={!many} />;
}

/** Whether a track's control hulls (which hold its pieces) meet the visible area. */
function onScreen(
  track: Track,
  tx: number,
  ty: number,
  zoom: number,
  width: number,
  height: number,
  r: number,
): boolean {
  const points = track.pieces.flat();
  const xs = points.map((p) => p.x * zoom + tx);
  const ys = points.map((p) => p.y * zoom + ty);
  const pad = r * zoom;
  return (
    Math.max(...xs) >= -pad &&
    Math.min(...xs) <= width + pad &&
    Math.max(...ys) >= -pad &&
    Math.min(...ys) <= height + pad
  );
}
