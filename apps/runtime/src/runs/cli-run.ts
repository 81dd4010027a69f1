import { cp, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  ExecutorName,
  NodeLibrary,
  NodeStateEvent,
  RunState,
  RunStateEvent,
  RunView,
  TaskProgressEvent,
  TaskStateEvent,
} from '@reelflow/fbp-model';
import {
  createExecutor,
  type ExecutorFactoryOptions,
  type LightTasks,
} from '../executors/detect.js';
import type { Executor } from '../executors/types.js';
import { createRuntime } from '../server/runtime.js';
import { formatDiagnostic } from '../cli/format.js';
import { InvalidGraphError } from './manager.js';
import { MediaError, probeMedia, type MediaFacts } from './media.js';
import { listFiles } from './outputs.js';
import { ProgressView } from './progress-view.js';
import { runDirOf } from './rundir.js';

export interface RunArgs {
  readonly graphPath: string;
  readonly input: string;
  readonly executor?: ExecutorName;
  /** Where swarm runs stream copies (default `runtime`; see `ExecutorFactoryOptions.lightTasks`). */
  readonly lightTasks?: LightTasks;
  /** Where to copy the run's outputs; without it they stay in the run directory. */
  readonly out?: string;
  readonly json?: boolean;
  /** Database and run directories (default `./.reelflow/cli`, apart from `serve`'s). */
  readonly dataDir?: string;
}

export interface RunIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
}

/** An executor ready to use, and why it was chosen (said to the user). */
export interface OpenedExecutor {
  readonly executor: Executor;
  readonly why?: string;
}

/**
 * The executor the user asked for, or the best one available (swarm when an engine in swarm
 * mode holds the task image, else local), with the reason to tell the user.
 */
export async function openExecutor(
  name?: ExecutorName,
  options?: ExecutorFactoryOptions,
): Promise<OpenedExecutor> {
  const { executor, choice } = await createExecutor(name ?? 'auto', options);
  return { executor, why: `reelflow: using the ${choice.kind} executor: ${choice.reason}` };
}

export interface RunDeps {
  /** Make the executor (default {@link openExecutor}). */
  readonly openExecutor?: (
    name?: ExecutorName,
    options?: ExecutorFactoryOptions,
  ) => Promise<OpenedExecutor>;
  readonly library?: NodeLibrary;
  /** Cancel the run on SIGINT/SIGTERM (default true; tests turn it off). */
  readonly handleSignals?: boolean;
}

/** The last line of `reelflow run --json` (CONTRACTS section 3). */
export interface RunSummary {
  readonly runId: string;
  readonly state: 'succeeded' | 'failed' | 'cancelled';
  readonly outputs: string[];
  readonly nodes: Record<string, { state: string; tasks: number }>;
  /** The run's own findings (output checks, skipped nodes), when it has any. */
  readonly diagnostics?: RunView['diagnostics'];
}

/** A problem with what the user gave: one line on stderr, exit 2. */
class BadInput extends Error {}

async function readGraph(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BadInput(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadInput(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

async function checkInput(path: string): Promise<MediaFacts> {
  try {
    return await probeMedia(path);
  } catch (err) {
    const why = err instanceof MediaError ? err.message : (err as Error).message;
    throw new BadInput(`the input ${path} cannot be used: ${why}`);
  }
}

/**
 * `reelflow run GRAPH --input VIDEO [--executor swarm|local] [--out DIR] [--json]`: run a
 * graph for real in an embedded runtime (its file routes serve the `http` transfer), show
 * progress, copy the outputs. Resolves to the exit code: 0 succeeded, 1 failed or
 * cancelled, 2 bad input.
 */
export async function runCommand(args: RunArgs, io: RunIO, deps: RunDeps = {}): Promise<number> {
  const input = resolve(args.input);
  // The engine checks (swarm: a few Docker API calls) overlap reading and probing the input.
  const openingExecutor = (deps.openExecutor ?? openExecutor)(args.executor, {
    lightTasks: args.lightTasks,
  });
  openingExecutor.catch(() => undefined); // its failure is reported below, after the input's
  let doc: unknown;
  let media: MediaFacts;
  try {
    doc = await readGraph(args.graphPath);
    media = await checkInput(input);
  } catch (err) {
    // Bad input is reported first; an executor opened meanwhile is closed again.
    void openingExecutor.then(({ executor }) => executor.close()).catch(() => undefined);
    if (!(err instanceof BadInput)) throw err;
    io.stderr(`reelflow run: ${err.message}\n`);
    return 2;
  }

  let opened: OpenedExecutor;
  try {
    opened = await openingExecutor;
  } catch (err) {
    // An executor that was asked for and cannot run here (no engine, no image).
    io.stderr(`reelflow run: ${(err as Error).message}\n`);
    return 2;
  }
  const { executor, why } = opened;
  // With --json the last stdout line is the summary; progress goes to stderr.
  const say = args.json ? io.stderr : io.stdout;
  if (why) say(`${why}\n`);
  const dataDir = resolve(args.dataDir ?? join('.reelflow', 'cli'));
  const runtime = createRuntime({
    dataDir,
    executor,
    port: 0,
    designerDir: false,
    library: deps.library,
    maxConcurrentRuns: 1,
  });
  const stopSignals: Array<() => void> = [];
  try {
    await runtime.start();
    let runId: string;
    await runtime.manager.capabilities(executor.name);
    try {
      runId = runtime.manager.create(doc, { path: input, media }, executor.name).id;
    } catch (err) {
      if (!(err instanceof InvalidGraphError)) throw err;
      for (const d of err.diagnostics.filter((x) => x.severity === 'error')) {
        io.stderr(
          `reelflow run: ${args.graphPath}: ${d.element.kind} ${d.element.id}: ${d.message} [${d.code}]\n`,
        );
      }
      return 2;
    }
    watchProgress(
      runtime.events,
      runId,
      say,
      io.isTTY && !args.json,
      Object.keys((await runtime.manager.view(runId))!.nodes),
    );
    if (deps.handleSignals !== false)
      stopSignals.push(...cancelOnSignals(() => runtime.manager.cancel(runId)));
    const state = await runtime.manager.waitFor(runId);
    const summary = await summarize(
      runtime,
      runId,
      state,
      args.out ? resolve(args.out) : undefined,
      dataDir,
    );
    const view = await runtime.manager.view(runId);
    if (state !== 'succeeded' && view?.reason)
      io.stderr(`reelflow run: run ${state}: ${view.reason}\n`);
    if (args.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else {
      for (const d of summary.diagnostics ?? []) io.stderr(`${formatDiagnostic(d)}\n`);
      for (const path of summary.outputs) io.stdout(`output: ${path}\n`);
    }
    return state === 'succeeded' ? 0 : 1;
  } finally {
    stopSignals.forEach((stop) => stop());
    await runtime.close();
    await executor.close();
  }
}

function watchProgress(
  events: NodeJS.EventEmitter,
  runId: string,
  write: (text: string) => void,
  tty: boolean,
  nodeIds: string[],
): void {
  const view = new ProgressView(nodeIds, write, tty);
  const mine =
    <T extends { runId: string }>(fn: (e: T) => void) =>
    (e: T) =>
      e.runId === runId ? fn(e) : undefined;
  events.on(
    'run:state',
    mine((e: RunStateEvent) => view.run(e.state, e.reason)),
  );
  events.on(
    'node:state',
    mine((e: NodeStateEvent) => view.node(e)),
  );
  events.on(
    'task:state',
    mine((e: TaskStateEvent) => view.task(e)),
  );
  events.on(
    'task:progress',
    mine((e: TaskProgressEvent) => view.progress(e)),
  );
}

/** Cancel once on the first Ctrl-C or SIGTERM; returns the un-registration. */
function cancelOnSignals(cancel: () => void): Array<() => void> {
  const onSignal = () => {
    try {
      cancel();
    } catch {
      // Already finished: nothing to cancel.
    }
  };
  return (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    process.once(sig, onSignal);
    return () => process.off(sig, onSignal);
  });
}

/** Copy the outputs (when asked) and build the JSON summary. */
async function summarize(
  runtime: ReturnType<typeof createRuntime>,
  runId: string,
  state: RunState,
  out: string | undefined,
  dataDir: string,
): Promise<RunSummary> {
  const view = (await runtime.manager.view(runId))!;
  const outputsDir = runDirOf(dataDir, runId).outputs;
  let root = outputsDir;
  if (out && state === 'succeeded') {
    await mkdir(out, { recursive: true });
    await cp(outputsDir, out, { recursive: true, force: true });
    root = out;
  }
  const files = state === 'succeeded' ? await listFiles(root) : [];
  return {
    runId,
    state: state as RunSummary['state'],
    outputs: files.map((f) => join(root, f)),
    nodes: Object.fromEntries(
      Object.entries(view.nodes).map(([id, n]) => [id, { state: n.state, tasks: n.tasks.length }]),
    ),
    ...(view.diagnostics ? { diagnostics: view.diagnostics } : {}),
  };
}
