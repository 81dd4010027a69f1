import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { useStore } from 'zustand';
import { useDesignerStore, useDesignerView, type DesignerState } from '../store/store.js';
import type { DesignerFlowEdge } from './derive.js';
import { selectLiveEdges } from './live-edges.js';
import { routeHolds, routePath, routesOf } from './routes.js';

/** What an edge shows of the store, as one selector compared field by field (see FlowNode). */
const edgeViewOf = (id: string) => (s: DesignerState) => {
  const live = selectLiveEdges(s);
  return {
    issue: s.issues.get(id),
    moving: live.ids.has(id),
    // With many moving edges, the canvas token layer draws the dots of all of them.
    onLayer: live.many,
    tokens: s.sim?.edgeTokens[id] ?? 0,
  };
};

/**
 * An edge coloured by its data type, with a marker when at fault and dots when data moves.
 * Drawn along the route auto-layout gave it while its ends stay where the layout put them,
 * else as a curve.
 */
export const TypedEdge = memo(function TypedEdge(props: EdgeProps<DesignerFlowEdge>) {
  const { id, data, selected, sourceX, sourceY, targetX, targetY } = props;
  const route = useStore(routesOf(useDesignerStore()), (r) => r.get(id));
  const [path, labelX, labelY] = useMemo(() => {
    const [from, to] = [
      { x: sourceX, y: sourceY },
      { x: targetX, y: targetY },
    ];
    if (route && routeHolds(route, from, to)) {
      const { path, mid } = routePath([from, ...route.bends, to]);
      return [path, mid.x, mid.y] as const;
    }
    return getBezierPath(props);
    // The curve depends on the ends and their sides only, not on the rest of the props.
  }, [route, sourceX, sourceY, targetX, targetY, props.sourcePosition, props.targetPosition]);
  const { issue, moving, onLayer, tokens } = useDesignerView(useMemo(() => edgeViewOf(id), [id]));
  const classes = [
    'typed-edge',
    `edge-${data?.dataType ?? 'unknown'}`,
    issue ? `edge-issue-${issue.severity}` : '',
    selected ? 'edge-selected' : '',
    moving ? 'edge-moving' : '',
  ].join(' ');
  return (
    <>
      <BaseEdge id={id} path={path} className={classes} interactionWidth={16} />
      {moving &&
        !onLayer &&
        [0, 0.33, 0.66].map((delay) => (
          <circle key={delay} r={5} className={`token-dot edge-${data?.dataType ?? 'unknown'}`}>
            <animateMotion
              dur="1.1s"
              begin={`${delay * 1.1}s`}
              repeatCount="indefinite"
              path={path}
            />
          </circle>
        ))}
      {(issue || tokens > 0) && (
        <EdgeLabelRenderer>
          <div
            className="edge-label"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-${id}`}
            data-issues={issue?.count ?? 0}
          >
            {issue && <span className={`issue-badge ${issue.severity}`}>!</span>}
            {tokens > 0 && <span className="token-count">{tokens}</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
