import { getBezierPath, Position, type InternalNode } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import {
  cubicPoint,
  curveTrack,
  edgeCubic,
  handlePoint,
  polylineTrack,
  trackPoint,
  tokenParams,
  TOKEN_PERIOD_MS,
  TOKENS_PER_EDGE,
} from './token-geometry.js';

describe('token geometry', () => {
  it("follows React Flow's own bezier: same ends, same control points", () => {
    const source = { x: 10.5, y: 20 };
    const target = { x: 300, y: -40.25 };
    const curve = edgeCubic(source, Position.Right, target, Position.Left)!;
    const [path] = getBezierPath({
      sourceX: source.x,
      sourceY: source.y,
      sourcePosition: Position.Right,
      targetX: target.x,
      targetY: target.y,
      targetPosition: Position.Left,
    });
    expect(path).toBe(
      `M${curve[0].x},${curve[0].y} C${curve[1].x},${curve[1].y} ${curve[2].x},${curve[2].y} ${curve[3].x},${curve[3].y}`,
    );
    expect(cubicPoint(curve, 0)).toEqual(source);
    expect(cubicPoint(curve, 1)).toEqual(target);
    // A backwards edge (target left of source) loops out and back, as React Flow draws it.
    const back = edgeCubic({ x: 100, y: 0 }, Position.Right, { x: 0, y: 0 }, Position.Left)!;
    expect(back[1].x).toBeGreaterThan(100);
    expect(back[2].x).toBeLessThan(0);
  });

  it('puts the edge end on the outer side of the handle', () => {
    const node = {
      internals: {
        positionAbsolute: { x: 100, y: 50 },
        handleBounds: {
          source: [{ id: 'out', position: Position.Right, x: 160, y: 60, width: 11, height: 11 }],
          target: [{ id: 'in', position: Position.Left, x: -5.5, y: 60, width: 11, height: 11 }],
        },
      },
    } as unknown as InternalNode;
    expect(handlePoint(node, 'source', 'out')).toEqual({
      point: { x: 271, y: 115.5 },
      position: Position.Right,
    });
    expect(handlePoint(node, 'target', 'in')?.point).toEqual({ x: 94.5, y: 115.5 });
    expect(handlePoint(node, 'target', null)?.point).toEqual({ x: 94.5, y: 115.5 });
    expect(handlePoint(node, 'source', 'missing')).toBeUndefined();
  });

  it('spaces the tokens of an edge evenly and moves them along once a period', () => {
    const at = tokenParams(0);
    expect(at).toHaveLength(TOKENS_PER_EDGE);
    expect(at.map((t) => Math.round(t * 1000) / 1000)).toEqual([0, 0.333, 0.667]);
    const later = tokenParams(TOKEN_PERIOD_MS / 4);
    expect(later[0]).toBeCloseTo(0.25);
    expect(tokenParams(TOKEN_PERIOD_MS)).toEqual(at);
  });
});

/** Points equal up to rounding. */
function near(p: { x: number; y: number }, q: { x: number; y: number }) {
  expect(p.x).toBeCloseTo(q.x, 9);
  expect(p.y).toBeCloseTo(q.y, 9);
}

describe('token tracks', () => {
  it('share a routed edge out by length, corner to corner', () => {
    const track = polylineTrack([
      { x: 0, y: 0 },
      { x: 30, y: 0 },
      { x: 30, y: 10 },
      { x: 90, y: 10 },
    ])!;
    expect(track.ends).toEqual([0.3, 0.4, 1]);
    near(trackPoint(track, 0), { x: 0, y: 0 });
    near(trackPoint(track, 0.15), { x: 15, y: 0 });
    near(trackPoint(track, 0.35), { x: 30, y: 5 });
    near(trackPoint(track, 0.7), { x: 60, y: 10 });
    near(trackPoint(track, 1), { x: 90, y: 10 });
  });

  it('follow a single curve as before', () => {
    const curve = edgeCubic({ x: 0, y: 0 }, Position.Right, { x: 100, y: 50 }, Position.Left)!;
    expect(trackPoint(curveTrack(curve), 0.5)).toEqual(cubicPoint(curve, 0.5));
  });

  it('have no track where a route has no length', () => {
    expect(
      polylineTrack([
        { x: 1, y: 1 },
        { x: 1, y: 1 },
      ]),
    ).toBeUndefined();
  });
});
