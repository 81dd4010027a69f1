import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { PortSpec } from '@reelflow/fbp-model';
import { memo, useMemo } from 'react';
import { useCommands } from '../commands.js';
import type { SimView } from '../sim/sim-view.js';
import { useDesignerView, type DesignerState } from '../store/store.js';
import type { DesignerFlowNode } from './derive.js';
import { canRetry } from '../run/run-rules.js';
import { ChunkStrip } from './ChunkStrip.js';

/**
 * What a node shows of the store, as one selector (compared field by field): a node makes its
 * own once, and a thousand nodes then cost one subscription each on every store update. It
 * takes only its run state: progress events change its tasks many times a second, and only
 * its strip needs them.
 */
const nodeViewOf = (id: string) => (s: DesignerState) => ({
  library: s.library,
  issue: s.issues.get(id),
  run: s.run?.nodes[id]?.state,
  runState: s.run?.state,
  breakpoint: s.sim?.breakpoints.has(id) ?? false,
  sim: s.sim,
});

/** The state shown on a node: the live run's, else the simulation's, else idle. */
function shownState(run: string | undefined, sim: SimView | undefined, id: string): string {
  return run ?? sim?.states[id] ?? 'idle';
}

/** A short line of the node's parameters, so the canvas reads without opening each node. */
function summary(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => typeof v !== 'object')
    .slice(0, 3)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(' · ');
}

function PortRow({ input, output }: { input?: PortSpec; output?: PortSpec }) {
  return (
    <div className="port-row">
      {input && (
        <>
          <Handle
            type="target"
            position={Position.Left}
            id={input.name}
            className={`port port-${input.dataType} mult-${input.multiplicity}`}
            title={`${input.name}: ${input.dataType}${input.multiplicity === 'many' ? ' (many)' : ''}`}
          />
          <span className="port-label in">{input.name}</span>
        </>
      )}
      <span className="port-spacer" />
      {output && (
        <>
          <span className="port-label out">{output.name}</span>
          <Handle
            type="source"
            position={Position.Right}
            id={output.name}
            className={`port port-${output.dataType}`}
            title={`${output.name}: ${output.dataType}`}
          />
        </>
      )}
    </div>
  );
}

/** A node of the graph on the canvas: typed ports, issues, live state and counts. */
export const FlowNode = memo(function FlowNode({
  id,
  data,
  selected,
}: NodeProps<DesignerFlowNode>) {
  const { node } = data;
  const { library, issue, run, runState, breakpoint, sim } = useDesignerView(
    useMemo(() => nodeViewOf(id), [id]),
  );
  const def = library.get(node.type);
  const commands = useCommands();
  const state = shownState(run, sim, id);
  const inputs = def?.ports.filter((p) => p.direction === 'in') ?? [];
  const outputs = def?.ports.filter((p) => p.direction === 'out') ?? [];
  const rows = Math.max(inputs.length, outputs.length);
  const fired = sim?.fired[id];
  const classes = [
    'rf-node',
    `kind-${def?.firing ?? 'unknown'}`,
    `state-${state}`,
    issue ? `issue-${issue.severity}` : '',
    selected ? 'is-selected' : '',
    breakpoint ? 'has-breakpoint' : '',
  ];
  return (
    <div
      className={classes.join(' ')}
      data-testid={`node-${id}`}
      data-node-type={node.type}
      data-state={state}
      data-issues={issue?.count ?? 0}
    >
      <header className="rf-node-head">
        <span className={`type-dot kind-${def?.firing ?? 'unknown'}`} />
        <span className="rf-node-title">{node.label ?? def?.title ?? node.type}</span>
        {sim && (
          <button
            type="button"
            className={`bp-toggle nodrag${breakpoint ? ' on' : ''}`}
            data-testid={`breakpoint-${id}`}
            title={breakpoint ? 'Remove breakpoint' : 'Pause the simulation before this node fires'}
            onClick={() => commands.sim.toggleBreakpoint(id)}
          />
        )}
        {issue && (
          <span className={`issue-badge ${issue.severity}`} title={`${issue.count} problem(s)`}>
            {issue.count}
          </span>
        )}
      </header>
      <div className="rf-node-sub">
        <span className="rf-node-id">{node.id}</span>
        {node.label !== undefined && <span className="rf-node-type"> · {node.type}</span>}
      </div>
      {rows > 0 && (
        <div className="rf-node-ports">
          {Array.from({ length: rows }, (_, i) => (
            <PortRow key={i} input={inputs[i]} output={outputs[i]} />
          ))}
        </div>
      )}
      {summary(node.params) && <div className="rf-node-params">{summary(node.params)}</div>}
      {fired !== undefined && sim && (
        <div
          className={`rf-node-count${sim.current === id ? ' is-current' : ''}`}
          data-testid={`count-${id}`}
          data-fired={fired}
        >
          <span>
            fired <b>{fired}</b>
          </span>
          {(sim.queued[id] ?? 0) > 0 && (
            <span>
              queued <b>{sim.queued[id]}</b>
            </span>
          )}
        </div>
      )}
      {run && <ChunkStrip nodeId={id} />}
      {canRetry(runState, run) && (
        <button
          type="button"
          className="btn btn-small nodrag"
          data-testid={`retry-${id}`}
          title="Rerun this node's failed tasks with the settings the run started with"
          onClick={() => void commands.run.retry(id)}
        >
          ↻ Retry
        </button>
      )}
    </div>
  );
});
