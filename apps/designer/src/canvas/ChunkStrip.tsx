import type { NodeRunView } from '../run/run-view.js';

/**
 * Per-task progress of a live node as one compact strip of cells, so a split into hundreds
 * of chunks stays one canvas node. One cell per task, filled by its progress.
 */
export function ChunkStrip({ nodeId, run }: { nodeId: string; run: NodeRunView }) {
  if (run.tasks.length === 0) return null;
  const done = run.tasks.filter((t) => t.state === 'done').length;
  return (
    <div className="chunk-strip-wrap" data-testid={`progress-${nodeId}`}>
      <div className="chunk-strip">
        {run.tasks.map((t) => (
          <span
            key={t.index}
            className={`chunk chunk-${t.state}`}
            style={{
              ['--p' as string]: `${Math.round((t.state === 'done' ? 1 : t.progress) * 100)}%`,
            }}
            title={`task ${t.index}: ${t.state} ${Math.round(t.progress * 100)}%`}
          />
        ))}
      </div>
      <span className="chunk-count">
        {done}/{run.tasks.length}
      </span>
    </div>
  );
}
