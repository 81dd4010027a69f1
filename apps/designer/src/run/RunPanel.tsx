import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useCommands } from '../commands.js';
import { selectFocusNode } from '../store/selectors.js';
import { useDesigner, type DesignerState } from '../store/store.js';
import { Player, playableOutput } from './Player.js';
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
          {upload.error && <div className="form-error">{upload.error}</div>}
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

/** Input, run status, output player and logs. */
export function RunPanel() {
  // Compared field by field: progress events replace `nodes` only, so the panel stays put.
  const run = useDesigner(useShallow(summaryOf));
  const c = useCommands();
  const state = run?.state ?? 'idle';
  const output = run ? playableOutput(run.outputs) : undefined;
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
      <div className="player-wrap">
        <Player src={src} hls={output?.hls ?? false} />
        {!src && (
          <div className="player-empty">
            The output plays here as soon as its first segments exist.
          </div>
        )}
      </div>
      <Logs run={run} />
    </section>
  );
}
