import {
  CreateRunResponseSchema,
  InvalidGraphResponseSchema,
  isTerminalRunState,
  RunStateSchema,
  RunViewSchema,
  UploadResponseSchema,
  hasErrors,
  loadGraph,
  OutputFileSchema,
  type Graph,
  type OutputFile,
} from '@reelflow/fbp-model';
import { z } from 'zod';
import { api, ApiError, errorMessage, uploadWithProgress } from '../api.js';
import { indexIssues } from '../model/issues.js';
import type { DesignerStore } from '../store/store.js';
import { startLiveChannel, type LiveMessage } from './live-channel.js';
import { applyRunEvents, fromWireRun, type RunEvent } from './run-events.js';
import { idleRun, type RunView } from './run-view.js';

/** Uploads, starts, follows and controls runs on the runtime. */
export interface RunController {
  upload(file: File): Promise<void>;
  start(): Promise<void>;
  cancel(): Promise<void>;
  retry(nodeId: string): Promise<void>;
  /** Show a past or running run on the canvas (`quiet`: no notice when it cannot be had). */
  show(runId: string, opts?: { quiet?: boolean }): Promise<void>;
  /** Leave run mode and clear the run's colours. */
  close(): void;
  /** Fetch the stored logs of a node of the shown run. */
  logs(nodeId: string): Promise<string>;
  /** The shown run's output files with kind, size and duration. */
  outputs(): Promise<OutputFile[]>;
  /** The graph the shown run started with (what a retry uses). */
  ranGraph(): Promise<Graph | undefined>;
  dispose(): void;
}

const POLL_MS = 1500;

/**
 * The run controller. Socket events arrive from the live channel (a worker) in batches, are
 * queued and folded into the store once per animation frame, so thousands of progress events
 * a second cost one render each frame. A slow poll of `GET /api/runs/:id` fills in what
 * events do not carry (output files) and heals gaps.
 */
export function createRunController(store: DesignerStore): RunController {
  let channel: ReturnType<typeof startLiveChannel> | undefined;
  let queue: RunEvent[] = [];
  let frame: number | undefined;
  let poll: number | undefined;
  const s = () => store.getState();
  const run = (): RunView => s().run ?? idleRun;
  const currentRun = run;
  const setRun = (next: RunView) => store.setState({ run: next });

  const flush = () => {
    frame = undefined;
    const batch = queue;
    queue = [];
    const before = run();
    const after = applyRunEvents(before, batch, Date.now());
    if (after !== before) setRun(after);
    // A run that just ended gets one last fetch for its final outputs, then polling stops.
    if (isActive(before) && !isActive(after) && after.runId) {
      stopPolling();
      void refresh(after.runId);
    }
  };
  const onLive = (message: LiveMessage) => {
    switch (message.type) {
      case 'events':
        for (const event of message.events) queue.push(event);
        frame ??= window.requestAnimationFrame(flush);
        break;
      case 'connect': {
        // After a reconnect the channel has joined the room again: catch up on what was missed.
        const id = run().runId;
        if (id) void refresh(id);
        break;
      }
      case 'answer': {
        const parsed = RunViewSchema.safeParse(message.run);
        if (parsed.success && parsed.data.runId === currentRun().runId)
          setRun(fromWireRun(parsed.data, currentRun()));
        break;
      }
    }
  };
  const live = () => (channel ??= startLiveChannel(onLive));

  const refresh = async (runId: string) => {
    try {
      const wire = await api(`/api/runs/${encodeURIComponent(runId)}`, RunViewSchema);
      if (run().runId === runId) setRun(fromWireRun(wire, run()));
    } catch {
      /* the next poll tries again */
    }
  };
  const stopPolling = () => {
    if (poll !== undefined) window.clearInterval(poll);
    poll = undefined;
  };
  const follow = (runId: string) => {
    // The runtime acknowledges the join with the run as it is now.
    live().send({ type: 'subscribe', runId });
    stopPolling();
    poll = window.setInterval(() => void refresh(runId), POLL_MS);
    void refresh(runId);
  };
  const unfollow = () => {
    const id = run().runId;
    if (id && channel) channel.send({ type: 'unsubscribe', runId: id });
    stopPolling();
  };

  // A run belongs to the document it was started on or opened with. Opening another document
  // puts it aside (its colours, strips and Retry buttons leave the canvas); opening a graph
  // with the same id again brings its run back.
  const parked = new Map<string, string>();
  const graphs = new Map<string, Graph>();
  const unsubscribe = store.subscribe((next, prev) => {
    if (next.docSerial === prev.docSerial) return;
    const leaving = run().runId;
    if (leaving) parked.set(prev.graph.id, leaving);
    unfollow();
    const upload = run().upload;
    store.setState({
      run: upload ? { ...idleRun, upload } : undefined,
      mode: next.mode === 'run' ? 'edit' : next.mode,
    });
    const back = parked.get(next.graph.id);
    if (back) void controller.show(back, { quiet: true });
  });

  const controller: RunController = {
    async upload(file) {
      const base: RunView = { ...run(), upload: { name: file.name, loaded: 0, total: file.size } };
      setRun(base);
      try {
        const body = await uploadWithProgress('/api/uploads', file, (loaded, total) =>
          setRun({ ...run(), upload: { name: file.name, loaded, total } }),
        );
        const answer = UploadResponseSchema.parse(body);
        setRun({
          ...run(),
          upload: {
            name: answer.name,
            loaded: file.size,
            total: file.size,
            uploadId: answer.uploadId,
            durationSeconds: answer.durationSeconds,
          },
        });
        s().notify('success', `Uploaded ${answer.name}`);
      } catch (err) {
        setRun({
          ...run(),
          upload: { name: file.name, loaded: 0, total: file.size, error: errorMessage(err) },
        });
        s().notify('error', errorMessage(err));
      }
    },

    async start() {
      const upload = run().upload;
      if (!upload?.uploadId) {
        // Lead the person to the picker rather than only saying what is missing.
        s().setPanel('run');
        return s().notify(
          'error',
          'Choose an input video first: the picker is at the top of the Run panel',
        );
      }
      // Slow rules run before a run, so the user sees every problem here, not a 422.
      const diagnostics = s().validateAll();
      if (hasErrors(diagnostics))
        return s().notify('error', 'Fix the errors in Problems before running');
      unfollow();
      const startedAt = Date.now();
      setRun({ ...idleRun, upload, state: 'queued', startedAt });
      s().setMode('run');
      s().setPanel('run');
      try {
        const { runId } = await api('/api/runs', CreateRunResponseSchema, {
          method: 'POST',
          body: JSON.stringify({ graph: s().graph, input: upload.uploadId }),
        });
        setRun({ ...run(), runId, state: 'queued', startedAt });
        follow(runId);
      } catch (err) {
        const invalid =
          err instanceof ApiError && err.status === 422
            ? InvalidGraphResponseSchema.safeParse(err.body)
            : undefined;
        if (invalid?.success) {
          store.setState({
            diagnostics: invalid.data.diagnostics,
            issues: indexIssues(invalid.data.diagnostics, s().graph),
            fullyValidated: true,
          });
        }
        // A refused graph: say the runtime's first reason (its machines cannot run a node, say).
        const reason =
          (invalid?.success
            ? invalid.data.diagnostics.find((d) => d.severity === 'error')?.message
            : undefined) ?? errorMessage(err);
        setRun({ ...run(), state: 'failed', reason, endedAt: Date.now() });
        s().notify('error', `Run not started: ${reason}`);
      }
    },

    async cancel() {
      const id = run().runId;
      if (!id) return;
      try {
        await api(`/api/runs/${encodeURIComponent(id)}/cancel`, undefined, { method: 'POST' });
      } catch (err) {
        s().notify('error', `Cancel failed: ${errorMessage(err)}`);
      }
    },

    async retry(nodeId) {
      const id = run().runId;
      if (!id) return;
      try {
        await api(
          `/api/runs/${encodeURIComponent(id)}/nodes/${encodeURIComponent(nodeId)}/retry`,
          undefined,
          { method: 'POST' },
        );
        follow(id);
      } catch (err) {
        s().notify('error', `Retry failed: ${errorMessage(err)}`);
      }
    },

    async show(runId, opts) {
      unfollow();
      try {
        const wire = await api(`/api/runs/${encodeURIComponent(runId)}`, RunViewSchema);
        setRun(
          fromWireRun(wire, { ...idleRun, ...(run().upload ? { upload: run().upload } : {}) }),
        );
        s().setMode('run');
        if (!isTerminalRunState(wire.state)) follow(runId);
      } catch (err) {
        if (!opts?.quiet) s().notify('error', `Cannot open run ${runId}: ${errorMessage(err)}`);
      }
    },

    close() {
      unfollow();
      const upload = run().upload;
      store.setState({ run: upload ? { ...idleRun, upload } : undefined, mode: 'edit' });
    },

    async logs(nodeId) {
      const id = run().runId;
      if (!id) return '';
      // Through api() so the access token goes along when the runtime asks for one.
      const text = await api<unknown>(
        `/api/runs/${encodeURIComponent(id)}/logs?node=${encodeURIComponent(nodeId)}`,
        undefined,
      ).catch(() => '');
      // An empty log has no body; a log line that happens to be JSON comes back parsed.
      if (text === undefined || text === null) return '';
      return typeof text === 'string' ? text : JSON.stringify(text);
    },

    async outputs() {
      const id = run().runId;
      if (!id) return [];
      return api(`/api/runs/${encodeURIComponent(id)}/outputs`, z.array(OutputFileSchema));
    },

    async ranGraph() {
      const id = run().runId;
      if (!id) return undefined;
      const cached = graphs.get(id);
      if (cached) return cached;
      const doc = await api<unknown>(`/api/runs/${encodeURIComponent(id)}/graph`, undefined);
      const graph = loadGraph(doc).graph;
      if (graph) graphs.set(id, graph);
      return graph;
    },

    dispose() {
      unsubscribe();
      stopPolling();
      if (frame !== undefined) window.cancelAnimationFrame(frame);
      channel?.dispose();
      channel = undefined;
    },
  };
  return controller;
}

/** Is the run still moving (worth polling)? */
function isActive(view: RunView): boolean {
  const state = RunStateSchema.safeParse(view.state);
  return view.runId !== undefined && state.success && !isTerminalRunState(state.data);
}
