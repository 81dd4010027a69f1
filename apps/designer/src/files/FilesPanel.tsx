import {
  RunViewSchema,
  type GraphSummary,
  type GraphVersion,
  type RunView,
} from '@reelflow/fbp-model';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../api.js';
import { useCommands } from '../commands.js';
import { selectDoc, selectGraph, selectRunId, selectRunState } from '../store/selectors.js';
import { useDesigner } from '../store/store.js';

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

/** The kept saves of one stored graph, each restorable. */
function Versions({
  id,
  current,
  onRestored,
}: {
  id: string;
  current: number;
  onRestored(): void;
}) {
  const c = useCommands();
  const [versions, setVersions] = useState<GraphVersion[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    c.listVersions(id).then(setVersions, (err: unknown) => setError(errorMessage(err)));
  }, [c, id, current]);
  if (error) return <p className="form-error">History: {error}</p>;
  if (!versions) return <p className="muted small">Loading history…</p>;
  return (
    <ol className="versions" data-testid="versions">
      {versions.map((v) => (
        <li key={v.version} data-testid="version" data-version={v.version}>
          <span className="version-no">v{v.version}</span>
          <span className="version-what">
            {v.name}
            <span className="muted small">
              {' '}
              · {v.nodes} node{v.nodes === 1 ? '' : 's'} · {when(v.savedAt)}
            </span>
          </span>
          {v.version === current ? (
            <span className="muted small">current</span>
          ) : (
            <button
              type="button"
              className="btn btn-small"
              data-testid={`restore-${v.version}`}
              onClick={() => void c.restoreVersion(id, v.version).then(onRestored)}
            >
              Restore
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Graphs stored on the runtime, exports, and the run history of the current graph. */
export function FilesPanel() {
  const c = useCommands();
  const graph = useDesigner(selectGraph);
  const shownState = useDesigner(selectRunState);
  const shownId = useDesigner(selectRunId);
  const doc = useDesigner(selectDoc);
  const [historyOf, setHistoryOf] = useState<string | undefined>();
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
  }, [refresh, shownState, doc.stored?.version]);
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
          <li key={g.id} className={doc.stored?.id === g.id ? 'current-graph' : undefined}>
            <div className="list-row">
              <button
                type="button"
                className="list-item"
                data-testid={`open-${g.id}`}
                onClick={() => void c.openGraph(g.id)}
              >
                <span className="list-title">{g.name}</span>
                <span className="muted small">
                  {g.id} · v{g.version} · {when(g.updatedAt)}
                </span>
              </button>
              <button
                type="button"
                className="btn btn-small"
                data-testid={`history-of-${g.id}`}
                aria-expanded={historyOf === g.id}
                title="Earlier saves of this graph"
                onClick={() => setHistoryOf(historyOf === g.id ? undefined : g.id)}
              >
                History
              </button>
            </div>
            {historyOf === g.id && (
              <Versions id={g.id} current={g.version} onRestored={() => void refresh()} />
            )}
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
