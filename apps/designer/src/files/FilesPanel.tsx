import { RunViewSchema, type GraphSummary, type RunView } from '@reelflow/fbp-model';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../api.js';
import { useCommands } from '../commands.js';
import { selectGraph, selectRunId, selectRunState } from '../store/selectors.js';
import { useDesigner } from '../store/store.js';

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

/** Graphs stored on the runtime, exports, and the run history of the current graph. */
export function FilesPanel() {
  const c = useCommands();
  const graph = useDesigner(selectGraph);
  const shownState = useDesigner(selectRunState);
  const shownId = useDesigner(selectRunId);
  const [graphs, setGraphs] = useState<GraphSummary[] | undefined>();
  const [runs, setRuns] = useState<RunView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = useCallback(async () => {
    setError(undefined);
    try {
      const [g, r] = await Promise.all([c.listGraphs(), api('/api/runs', z.array(RunViewSchema))]);
      setGraphs(g);
      setRuns(r);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [c]);
  useEffect(() => {
    void refresh();
  }, [refresh, shownState]);
  const history = runs?.filter((r) => r.graphId === graph.id) ?? [];
  return (
    <section className="files-panel">
      <div className="panel-row">
        <span className="panel-subtitle">Saved graphs</span>
        <button type="button" className="btn btn-small" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error && <p className="form-error">Runtime: {error}</p>}
      <ul className="list" data-testid="graph-list">
        {graphs?.length === 0 && <li className="muted small">Nothing saved yet.</li>}
        {graphs?.map((g) => (
          <li key={g.id}>
            <button
              type="button"
              className="list-item"
              data-testid={`open-${g.id}`}
              onClick={() => void c.openGraph(g.id)}
            >
              <span className="list-title">{g.name}</span>
              <span className="muted small">
                {g.id} · {when(g.updatedAt)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="panel-subtitle">Export</div>
      <div className="btn-row">
        <button type="button" className="btn" onClick={() => c.exportGraph('reelflow')}>
          Reelflow JSON
        </button>
        <button
          type="button"
          className="btn"
          data-testid="export-fbp"
          onClick={() => c.exportGraph('fbp-json')}
        >
          NoFlo FBP JSON
        </button>
      </div>
      <div className="panel-subtitle">Runs of “{graph.name}”</div>
      <ul className="list" data-testid="run-history">
        {history.length === 0 && <li className="muted small">No runs of this graph yet.</li>}
        {history.map((r) => (
          <li key={r.runId}>
            <button
              type="button"
              className={`list-item${shownId === r.runId ? ' current' : ''}`}
              data-testid={`history-${r.runId}`}
              onClick={() => void c.run.show(r.runId)}
            >
              <span className={`status-pill state-${r.state}`}>{r.state}</span>
              <span className="muted small">
                {when(r.createdAt)} · {r.executor}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
