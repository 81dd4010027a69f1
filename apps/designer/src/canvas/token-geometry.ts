import { getBezierPath, Position, type InternalNode } from '@xyflow/react';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A cubic Bézier curve: start, two control points, end. */
export type Cubic = readonly [Point, Point, Point, Point];

/** Seconds a token takes along an edge, and the tokens on one edge, as the SVG dots do. */
export const TOKEN_PERIOD_MS = 1100;
export const TOKENS_PER_EDGE = 3;

/** The point at parameter t (0..1) of a cubic curve. */
export function cubicPoint([p0, p1, p2, p3]: Cubic, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return {
    x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
    y: a * p0.y + b * p1.y + c * p2.y + d * p3.y,
  };
}

/**
 * The curve React Flow draws for a bezier edge between two points, taken from its own
 * `getBezierPath` ("M x,y C x,y x,y x,y") so dots follow exactly the line on screen.
 */
export function edgeCubic(
  source: Point,
  sourcePosition: Position,
  target: Point,
  targetPosition: Position,
): Cubic | undefined {
  const [path] = getBezierPath({
    sourceX: source.x,
    sourceY: source.y,
    sourcePosition,
    targetX: target.x,
    targetY: target.y,
    targetPosition,
  });
  const n = path.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)?.map(Number);
  if (!n || n.length !== 8) return undefined;
  return [
    { x: n[0]!, y: n[1]! },
    { x: n[2]!, y: n[3]! },
    { x: n[4]!, y: n[5]! },
    { x: n[6]!, y: n[7]! },
  ];
}

/** Where an edge meets a handle of a node, in flow coordinates (as React Flow computes it). */
export function handlePoint(
  node: InternalNode,
  kind: 'source' | 'target',
  handleId: string | null | undefined,
): { point: Point; position: Position } | undefined {
  const handles = node.internals.handleBounds?.[kind];
  const handle = handles?.find((h) => h.id === handleId) ?? (handleId ? undefined : handles?.[0]);
  if (!handle) return undefined;
  const x = node.internals.positionAbsolute.x + handle.x;
  const y = node.internals.positionAbsolute.y + handle.y;
  switch (handle.position) {
    case Position.Top:
      return { point: { x: x + handle.width / 2, y }, position: handle.position };
    case Position.Bottom:
      return {
        point: { x: x + handle.width / 2, y: y + handle.height },
        position: handle.position,
      };
    case Position.Left:
      return { point: { x, y: y + handle.height / 2 }, position: handle.position };
    default:
      return {
        point: { x: x + handle.width, y: y + handle.height / 2 },
        position: handle.position,
      };
  }
}

/**
 * The line tokens travel along: pieces (cubic curves; a straight piece is a cubic with its
 * control points on the line) and where each ends, as a share of the whole (0..1].
 */
export interface Track {
  readonly pieces: readonly Cubic[];
  readonly ends: readonly number[];
}

/** A track of one curve (a bezier edge). */
export function curveTrack(curve: Cubic): Track {
  return { pieces: [curve], ends: [1] };
}

/** A track along straight segments through `points` (a routed edge), shared out by length. */
export function polylineTrack(points: readonly Point[]): Track | undefined {
  const pieces: Cubic[] = [];
  const lengths: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len === 0) continue;
    const third = (k: number) => ({
      x: a.x + ((b.x - a.x) * k) / 3,
      y: a.y + ((b.y - a.y) * k) / 3,
    });
    pieces.push([a, third(1), third(2), b]);
    lengths.push(len);
  }
  const total = lengths.reduce((x, y) => x + y, 0);
  if (total === 0) return undefined;
  let sum = 0;
  return { pieces, ends: lengths.map((len) => (sum += len) / total) };
}

/** The point at share t (0..1) of a track. */
export function trackPoint(track: Track, t: number): Point {
  let i = track.ends.findIndex((end) => t <= end);
  if (i < 0) i = track.ends.length - 1;
  const start = i === 0 ? 0 : track.ends[i - 1]!;
  const span = track.ends[i]! - start;
  return cubicPoint(track.pieces[i]!, span > 0 ? (t - start) / span : 0);
}

/** Parameters along an edge of its tokens at time `ms`, evenly spaced and moving on. */
export function tokenParams(ms: number): number[] {
  const phase = (ms % TOKEN_PERIOD_MS) / TOKEN_PERIOD_MS;
  return Array.from({ length: TOKENS_PER_EDGE }, (_, k) => (phase + k / TOKENS_PER_EDGE) % 1);
}
