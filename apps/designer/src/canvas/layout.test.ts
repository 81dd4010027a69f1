import type { Graph } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { createServices } from '../model/services.js';
import { layoutGraph, type PortAnchors } from './layout.js';
import { routePath, routeHolds } from './routes.js';

const { library } = createServices();
const SIZE = { width: 168, height: 80 };

/** Branches of one, two and three steps from one split into one merge, nodes shuffled. */
const fanIn: Graph = {
  schemaVersion: 1,
  id: 'fan-in',
  name: 'fan in',
  nodes: (
    [
      ['m', 'merge'],
      ['e2', 'encode'],
      ['split', 'split'],
      ['b1', 'transfer'],
      ['out', 'stream'],
      ['x1', 'transfer'],
      ['src', 'source'],
      ['e1', 'encode'],
    ] as const
  ).map(([id, type]) => ({ id, type, position: { x: 0, y: 0 }, params: {} })),
  edges: (
    [
      ['src', 'split'],
      ['split', 'x1'],
      ['x1', 'e1'],
      ['e1', 'b1'],
      ['b1', 'm'],
      ['split', 'e2'],
      ['e2', 'm'],
      ['m', 'out'],
    ] as const
  ).map(([a, b], i) => ({
    id: `w${i}`,
    from: { node: a, port: 'out' },
    to: { node: b, port: 'in' },
  })),
};

const measured = new Map(fanIn.nodes.map((n) => [n.id, SIZE]));
/** The anchors React Flow measures for these nodes: ports 40 px down, 5.5 px outside. */
const anchors = (): PortAnchors => ({
  in: new Map([['in', { x: -5.5, y: 40 }]]),
  out: new Map([['out', { x: SIZE.width + 5.5, y: 40 }]]),
});

describe('layoutGraph', () => {
  it('places every edge left to right and routes the long ones between the nodes', async () => {
    const { moves, routes } = await layoutGraph(fanIn, library, measured, anchors);
    const at = new Map(moves.map((m) => [m.id, m.position]));
    for (const e of fanIn.edges)
      expect(at.get(e.to.node)!.x).toBeGreaterThan(at.get(e.from.node)!.x + SIZE.width);
    expect(routes.size).toBe(fanIn.edges.length);
    // e2 → m skips the layer of b1; its route must not cut through any node.
    for (const [id, route] of routes) {
      const e = fanIn.edges.find((x) => x.id === id)!;
      const points = [route.from, ...route.bends, route.to];
      for (const [nodeId, p] of at) {
        if (nodeId === e.from.node || nodeId === e.to.node) continue;
        for (let i = 1; i < points.length; i++) {
          const [a, b] = [points[i - 1]!, points[i]!];
          const overlapsX = Math.max(a.x, b.x) > p.x && Math.min(a.x, b.x) < p.x + SIZE.width;
          const overlapsY = Math.max(a.y, b.y) > p.y && Math.min(a.y, b.y) < p.y + SIZE.height;
          expect(overlapsX && overlapsY, `${id} through ${nodeId}`).toBe(false);
        }
      }
      // Each route starts and ends where React Flow draws the edge's ends.
      expect(route.from).toEqual({
        x: at.get(e.from.node)!.x + 173.5,
        y: at.get(e.from.node)!.y + 40,
      });
      expect(route.to).toEqual({ x: at.get(e.to.node)!.x - 5.5, y: at.get(e.to.node)!.y + 40 });
    }
  });

  it('gives the same layout twice', async () => {
    const first = await layoutGraph(fanIn, library, measured, anchors);
    const second = await layoutGraph(fanIn, library, measured, anchors);
    expect(second.moves).toEqual(first.moves);
  });

  it('still lays out nodes it has no handles for, without routes', async () => {
    const { moves, routes } = await layoutGraph(fanIn, library, new Map());
    expect(moves).toHaveLength(fanIn.nodes.length);
    expect(routes.size).toBe(0);
  });
});

describe('routes', () => {
  it('hold only while both ends stay where the layout put them', () => {
    const route = { from: { x: 0, y: 0 }, to: { x: 100, y: 50 }, bends: [] };
    expect(routeHolds(route, { x: 0.2, y: 0 }, { x: 100, y: 50 })).toBe(true);
    expect(routeHolds(route, { x: 0, y: 0 }, { x: 120, y: 50 })).toBe(false);
  });

  it('draw a polyline with rounded corners and find its middle', () => {
    const { path, mid } = routePath([
      { x: 0, y: 0 },
      { x: 50, y: 0 },
      { x: 50, y: 100 },
      { x: 100, y: 100 },
    ]);
    expect(path).toBe('M 0,0 L 40,0 Q 50,0 50,10 L 50,90 Q 50,100 60,100 L 100,100');
    expect(mid).toEqual({ x: 50, y: 50 });
  });
});
