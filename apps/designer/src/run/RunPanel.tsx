import { isPlayableOutput, type Graph, type OutputFile } from '@reelflow/fbp-model';
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { errorMessage, withAccessToken } from '../api.js';
import { useCommands } from '../commands.js';
import { selectFocusNode, selectGraph } from '../store/selectors.js';
import { useDesigner, type DesignerState } from '../store/store.js';
import { Player, playableOutput } from './Player.js';
import {
  changedParams,
  formatBytes,
  formatDuration,
  groupOutputs,
  showValue,
} from './run-rules.js';
import type { RunView } from './run-view.js';

/** What the panel shows of a run: everything but per-node progress, which changes most. */
type RunSummary = Omit<RunView, 'nodes'>;
const summaryOf = (s: DesignerState): RunSummary | undefined => {
  if (!s.run) return undefined;
  const { nodes: _nodes, ...rest } = s.run;
  return rest;
};

const ACTIVE = new Set(['queued', 'validating', 'deploying', 'running']);
/** Is a run in this state still going? */
export const isActiveRunState = (state: string): boolean => ACTIVE.has(state);

const formatElapsed = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** Elapsed time, ticking while the run is active. */
function Elapsed({ run }: { run: RunSummary }) {
  const [now, setNow] = useState(() => Date.now());
  const active = isActiveRunState(run.state);
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [active]);
  if (run.startedAt === undefined) return null;
  return (
    <span className="elapsed" data-testid="elapsed">
      {formatElapsed((run.endedAt ?? now) - run.startedAt)}
    </span>
  );
}

function InputPicker({ run }: { run: RunSummary | undefined }) {
  const c = useCommands();
  const upload = run?.upload;
  const fraction = upload && upload.total > 0 ? upload.loaded / upload.total : 0;
  return (
    <div className="run-input">
      <label className="file-pick">
        <input
          type="file"
          accept="video/*,.mkv,.mp4,.mov,.webm"
          data-testid="input-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            // Forget the choice, so choosing the same file again fires `change` and uploads again.
            e.target.value = '';
            if (file) void c.run.upload(file);
          }}
        />
        <span className="btn">Choose input video…</span>
      </label>
      {upload && (
        <div
          className="upload"
          data-testid="upload"
          data-state={upload.error ? 'failed' : upload.uploadId ? 'done' : 'uploading'}
        >
          <div className="upload-name">
            {upload.name}
            {upload.durationSeconds !== undefined && (
              <span className="muted"> · {upload.durationSeconds.toFixed(1)} s</span>
            )}
          </div>
          <div className="bar">
            <div
              className={`bar-fill${upload.error ? ' failed' : ''}`}
              style={{ width: `${Math.round(fraction * 100)}%` }}
            />
          </div>
          {upload.error && (
            <div className="form-error" data-testid="upload-error" role="alert">
              {upload.name} was not taken: {upload.error}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Logs of the selected node: what the runtime had stored when it was asked, then the live
 * lines that arrived after that (earlier live lines are already in the stored text).
 */
function Logs({ run }: { run: RunSummary | undefined }) {
  const focus = useDesigner(selectFocusNode);
  const c = useCommands();
  const [stored, setStored] = useState<{ text: string; liveSeen: number }>({
    text: '',
    liveSeen: 0,
  });
  const live = (focus && run?.logs[focus]) || [];
  const liveCount = useRef(0);
  liveCount.current = live.length;
  const runId = run?.runId;
  const state = run?.state;
  useEffect(() => {
    setStored({ text: '', liveSeen: 0 });
    if (!focus || !runId) return;
    let cancelled = false;
    const seen = liveCount.current;
    void c.run.logs(focus).then((text) => {
      if (!cancelled) setStored({ text, liveSeen: seen });
    });
    return () => {
      cancelled = true;
    };
  }, [focus, runId, state, c]);
  const fresh = live.slice(stored.liveSeen);
  // Follow the tail, as `tail -f` does.
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [stored, fresh.length]);
  return (
    <div className="logs-wrap">
      <div className="panel-subtitle">
        Logs {focus ? <code>{focus}</code> : <span className="muted">· select a node</span>}
      </div>
      <pre ref={pre} className="logs" data-testid="logs" data-node={focus ?? ''}>
        {stored.text.trimEnd()}
        {stored.text && fresh.length > 0 ? '\n' : ''}
        {fresh.join('\n')}
      </pre>
    </div>
  );
}

/** The failed nodes of the shown run, each with the parameters it will retry with. */
const failedOf = (s: DesignerState): string =>
  Object.entries(s.run?.nodes ?? {})
    .filter(([, n]) => n.state === 'failed')
    .map(([id]) => id)
    .join(',');

/**
 * What Retry does, said before it is clicked: it reruns the failed tasks with the settings the
 * run started with. When those were edited since, the person can start a new run instead.
 */
function RetryNote({ run }: { run: RunSummary }) {
  const c = useCommands();
  const graph = useDesigner(selectGraph);
  const failed = useDesigner(failedOf);
  const [ran, setRan] = useState<Graph | undefined>();
  useEffect(() => {
    setRan(undefined);
    if (run.state !== 'failed') return;
    let live = true;
    void c.run.ranGraph().then(
      (g) => live && setRan(g),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [c, run.runId, run.state]);
  if (run.state !== 'failed' || !failed) return null;
  const changes = ran
    ? failed.split(',').flatMap((id) => changedParams(ran, graph, id).map((ch) => ({ id, ...ch })))
    : [];
  return (
    <div className="retry-note" data-testid="retry-note">
      {changes.length === 0 ? (
        <p className="small">
          <b>Retry</b> on a failed node reruns its failed tasks with the settings the run started
          with; finished work is kept.
        </p>
      ) : (
        <>
          <p className="small">
            <b>Retry</b> reruns the failed tasks with the settings the run started with, not your
            edits:
          </p>
          <ul className="small" data-testid="retry-changes">
            {changes.map((ch) => (
              <li key={`${ch.id}.${ch.name}`}>
                <code>
                  {ch.id}.{ch.name}
                </code>{' '}
                ran with {showValue(ch.ran)}, now {showValue(ch.now)}
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="btn btn-small primary"
            data-testid="rerun"
            onClick={() => void c.run.start()}
          >
            Run again with current settings
          </button>
        </>
      )}
    </div>
  );
}

/** A run's output files: type, size, duration, a download link, and Play for playable ones. */
function Outputs({
  run,
  playing,
  onPlay,
}: {
  run: RunSummary;
  playing: string | undefined;
  onPlay(path: string): void;
}) {
  const c = useCommands();
  const [files, setFiles] = useState<OutputFile[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const count = run.outputs.length;
  useEffect(() => {
    setError(undefined);
    if (!run.runId) return setFiles(undefined);
    let live = true;
    c.run.outputs().then(
      (list) => live && setFiles(list),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [c, run.runId, run.state, count]);
  if (!run.runId) return null;
  const url = (path: string) =>
    withAccessToken(`/api/runs/${encodeURIComponent(run.runId!)}/outputs/${path}`);
  const entry = (f: OutputFile) => (
    <li key={f.path} className="output" data-testid="output" data-path={f.path} data-kind={f.kind}>
      <span className="output-name" title={f.path}>
        {f.path}
      </span>
      <span className={`output-kind kind-${f.kind}`}>{f.kind}</span>
      <span className="muted small output-facts">
        {formatBytes(f.bytes)}
        {f.durationSeconds !== undefined && ` · ${formatDuration(f.durationSeconds)}`}
      </span>
      {isPlayableOutput(f.kind) && (
        <button
          type="button"
          className={`btn btn-small${playing === f.path ? ' active' : ''}`}
          data-testid="output-play"
          aria-pressed={playing === f.path}
          onClick={() => onPlay(f.path)}
        >
          ▶ Play
        </button>
      )}
      <a className="btn btn-small" href={url(f.path)} download data-testid="output-download">
        ↓
      </a>
    </li>
  );
  const grouped = files && groupOutputs(files);
  return (
    <div className="outputs-wrap">
      <div className="panel-subtitle">Outputs</div>
      {error && <p className="form-error">Outputs: {error}</p>}
      <ul className="outputs" data-testid="outputs">
        {grouped?.files.length === 0 && grouped.segments.length === 0 && (
          <li className="muted small">No output yet.</li>
        )}
        {grouped?.files.map(entry)}
        {grouped?.segments.map((g) => (
          <li key={g.folder} className="output-group">
            <details>
              <summary className="small">
                {g.folder}: {g.files.length} segment{g.files.length === 1 ? '' : 's'},{' '}
                {formatBytes(g.bytes)}
              </summary>
              <ul className="outputs">{g.files.map(entry)}</ul>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Input, run status, output player, outputs and logs. */
export function RunPanel() {
  // Compared field by field: progress events replace `nodes` only, so the panel stays put.
  const run = useDesigner(useShallow(summaryOf));
  const c = useCommands();
  const [chosen, setChosen] = useState<{ runId: string; path: string } | undefined>();
  const state = run?.state ?? 'idle';
  const picked = chosen && chosen.runId === run?.runId ? chosen.path : undefined;
  const output = picked
    ? { path: picked, hls: picked.endsWith('.m3u8') }
    : run
      ? playableOutput(run.outputs)
      : undefined;
  const src =
    output && run?.runId
      ? `/api/runs/${encodeURIComponent(run.runId)}/outputs/${output.path}`
      : undefined;
  return (
    <section className="run-panel">
      <InputPicker run={run} />
      <div className={`run-state state-${state}`} data-testid="run-state" data-state={state}>
        <span className="run-dot" />
        <span className="run-state-text">{state}</span>
        {run && <Elapsed run={run} />}
        {run?.runId && (
          <code className="muted small run-id" title={run.runId}>
            {run.runId.slice(0, 8)}
          </code>
        )}
        {run?.runId && !isActiveRunState(state) && (
          <button type="button" className="btn btn-small" onClick={c.run.close}>
            Clear
          </button>
        )}
      </div>
      {run?.reason && <p className="form-error">{run.reason}</p>}
      {run && <RetryNote run={run} />}
      <div className="player-wrap">
        <Player src={src} hls={output?.hls ?? false} />
        {!src && (
          <div className="player-empty">
            The output plays here as soon as its first segments exist.
          </div>
        )}
      </div>
      {run && (
        <Outputs
          run={run}
          playing={output?.path}
          onPlay={(path) => run.runId && setChosen({ runId: run.runId, path })}
        />
      )}
      <Logs run={run} />
    </section>
  );
}
