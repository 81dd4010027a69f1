import { createStore, type StoreApi } from 'zustand/vanilla';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The path auto-layout chose for an edge: where its ends were then (in flow coordinates, as
 * React Flow places them) and the bends between. It holds only while both ends stay there:
 * once a node moves, its edges are drawn as curves again.
 */
export interface EdgeRoute {
  readonly from: Point;
  readonly to: Point;
  readonly bends: readonly Point[];
}

export type Routes = ReadonlyMap<string, EdgeRoute>;

const registry = new WeakMap<object, StoreApi<Routes>>();

/**
 * The routes of the last auto-layout of one designer store. Kept beside the document rather
 * than in it: they are a view of the positions, not part of the graph, and are dropped by
 * themselves when those positions change (see `routeHolds`).
 */
export function routesOf(owner: object): StoreApi<Routes> {
  let routes = registry.get(owner);
  if (!routes) {
    routes = createStore<Routes>()(() => new Map());
    registry.set(owner, routes);
  }
  return routes;
}

/** Whether a route still joins an edge's ends (React Flow's source and target points). */
export function routeHolds(route: EdgeRoute, from: Point, to: Point): boolean {
  const near = (a: Point, b: Point) => Math.abs(a.x - b.x) < 0.75 && Math.abs(a.y - b.y) < 0.75;
  return near(route.from, from) && near(route.to, to);
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * An SVG path along `points` with corners rounded by up to `radius` (less where a segment is
 * short), and the point halfway along it, for labels.
 */
export function routePath(points: readonly Point[], radius = 10): { path: string; mid: Point } {
  const pts = points.filter(
    (p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y,
  );
  if (pts.length === 0) return { path: '', mid: { x: 0, y: 0 } };
  let path = `M ${round(pts[0]!.x)},${round(pts[0]!.y)}`;
  for (let i = 1; i < pts.length; i++) {
    const [prev, at, next] = [pts[i - 1]!, pts[i]!, pts[i + 1]];
    if (!next) {
      path += ` L ${round(at.x)},${round(at.y)}`;
      break;
    }
    const lenIn = Math.hypot(at.x - prev.x, at.y - prev.y);
    const lenOut = Math.hypot(next.x - at.x, next.y - at.y);
    const r = Math.min(radius, lenIn / 2, lenOut / 2);
    const before = {
      x: at.x - ((at.x - prev.x) / lenIn) * r,
      y: at.y - ((at.y - prev.y) / lenIn) * r,
    };
    const after = {
      x: at.x + ((next.x - at.x) / lenOut) * r,
      y: at.y + ((next.y - at.y) / lenOut) * r,
    };
    path += ` L ${round(before.x)},${round(before.y)} Q ${round(at.x)},${round(at.y)} ${round(after.x)},${round(after.y)}`;
  }
  return { path, mid: halfway(pts) };
}

/** The point halfway along a polyline. */
function halfway(pts: readonly Point[]): Point {
  const lengths = pts.slice(1).map((p, i) => Math.hypot(p.x - pts[i]!.x, p.y - pts[i]!.y));
  let left = lengths.reduce((a, b) => a + b, 0) / 2;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    if (left <= len && len > 0) {
      const [a, b] = [pts[i]!, pts[i + 1]!];
      return { x: a.x + ((b.x - a.x) * left) / len, y: a.y + ((b.y - a.y) * left) / len };
    }
    left -= len;
  }
  return pts[pts.length - 1]!;
}
