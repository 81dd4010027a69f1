import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { RunView } from '../run/run-view.js';
import { useDesigner, type DesignerState } from '../store/store.js';
import type { DesignerFlowEdge } from './derive.js';

const ACTIVE = new Set(['running', 'retrying']);

/** While a run is live, data moves on an edge whose source or target is working. */
function runMoves(run: RunView | undefined, source: string, target: string): boolean {
  if (!run || !run.runId) return false;
  const s = run.nodes[source]?.state;
  const t = run.nodes[target]?.state;
  return (s !== undefined && ACTIVE.has(s)) || (t !== undefined && ACTIVE.has(t) && s === 'done');
}

const issueOf = (id: string) => (s: DesignerState) => s.issues.get(id);
const movingOf = (id: string, source: string, target: string) => (s: DesignerState) =>
  (s.sim?.moving.has(id) ?? false) || runMoves(s.run, source, target);
const tokensOf = (id: string) => (s: DesignerState) => s.sim?.edgeTokens[id] ?? 0;

/** An edge coloured by its data type, with a marker when at fault and dots when data moves. */
export const TypedEdge = memo(function TypedEdge(props: EdgeProps<DesignerFlowEdge>) {
  const { id, source, target, data, selected } = props;
  const [path, labelX, labelY] = getBezierPath(props);
  const issue = useDesigner(useMemo(() => issueOf(id), [id]));
  const moving = useDesigner(useMemo(() => movingOf(id, source, target), [id, source, target]));
  const tokens = useDesigner(useMemo(() => tokensOf(id), [id]));
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
