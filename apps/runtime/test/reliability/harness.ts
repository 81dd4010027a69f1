/**
 * Helpers of the reliability tests: the real Docker engine in swarm mode, a runtime started as
 * a child process (so it can be SIGKILLed), the runtime's HTTP API, a witness of the swarm
 * services the runtime creates, and ffmpeg measures of the videos a run produced.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { RunView } from '@reelflow/fbp-model';
import { SwarmExecutor } from '../../src/executors/swarm.js';

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

export { ensureEngine } from '../../src/executors/testing.js';

type GraphDoc = { nodes: Array<{ id: string; params: Record<string, unknown> }> } & Record<
  string,
  unknown
>;

/** The example graph (examples/transcode-720p.reelflow.json) with some node params replaced. */
export function exampleGraph(params: Record<string, Record<string, unknown>> = {}): GraphDoc {
  const doc = JSON.parse(
    readFileSync(join(REPO_ROOT, 'examples/transcode-720p.reelflow.json'), 'utf8'),
  ) as GraphDoc;
  doc.nodes = doc.nodes.map((n) => ({ ...n, params: { ...n.params, ...params[n.id] } }));
  return doc;
}

/** Poll `probe` until it returns a value, or fail after `timeoutMs` saying what was awaited. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * `reelflow serve` from the sources, as a child process of the test (entry: serve-child.ts,
 * run by tsx with the workspace packages mapped to their sources).
 */
export class ChildRuntime {
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  static async start(dataDir: string): Promise<ChildRuntime> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(HERE, 'serve-child.ts'),
        'serve',
        '--port',
        '0',
        '--executor',
        'swarm',
        '--data-dir',
        dataDir,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TSX_TSCONFIG_PATH: join(HERE, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the runtime did not start:\n${output}`)),
        60_000,
      );
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /serving on (http:\/\/\S+)/.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the runtime exited with ${code} before serving:\n${output}`));
      });
    });
    const runtime = new ChildRuntime(child, url);
    runtime.output = output;
    const keep = (chunk: Buffer) => (runtime.output += chunk.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return runtime;
  }

  /** Everything the process printed so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** Send a signal and wait for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** The parts of the runtime's HTTP API the tests use (CONTRACTS section 5). */
export class RuntimeApi {
  constructor(readonly base: string) {}

  async upload(path: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(path)]), 'clip.mp4');
    const res = await fetch(`${this.base}/api/uploads`, { method: 'POST', body: form });
    if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { uploadId: string }).uploadId;
  }

  async startRun(graph: unknown, input: string): Promise<string> {
    const res = await fetch(`${this.base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph, input }),
    });
    if (res.status !== 202) throw new Error(`run refused: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { runId: string }).runId;
  }

  async run(runId: string): Promise<RunView> {
    const res = await fetch(`${this.base}/api/runs/${runId}`);
    if (!res.ok) throw new Error(`GET run ${runId}: ${res.status}`);
    return (await res.json()) as RunView;
  }

  /** The run once it ended (succeeded, failed or cancelled). */
  async settled(runId: string, timeoutMs: number): Promise<RunView> {
    return until(
      `run ${runId} to end`,
      async () => {
        const view = await this.run(runId);
        return ['succeeded', 'failed', 'cancelled'].includes(view.state) ? view : undefined;
      },
      timeoutMs,
      250,
    );
  }
}

/**
 * Counts the swarm services made for each task of a run, from the engine's own event stream:
 * a witness independent of the runtime (and of its database) of how often a chunk was launched.
 * Service names carry the run, the node, the task index and the attempt (see `serviceName`).
 * Start it before the run exists: its first service is created right after it is submitted.
 */
export class ServiceCreations {
  private readonly names: string[] = [];
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };

  static async watch(docker: Docker): Promise<ServiceCreations> {
    const watcher = new ServiceCreations();
    const stream = (await docker.getEvents({
      filters: { type: ['service'], event: ['create'] },
    })) as NodeJS.ReadableStream & { destroy?: () => void };
    watcher.stream = stream;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) watcher.take(line);
    });
    stream.on('error', () => undefined);
    return watcher;
  }

  private take(line: string): void {
    if (!line.trim()) return;
    const event = JSON.parse(line) as { Actor?: { Attributes?: { name?: string } } };
    const name = event.Actor?.Attributes?.name;
    if (name) this.names.push(name);
  }

  /** Services created per task key (`node:index`) of one run. */
  perTask(runId: string): Map<string, number> {
    const slug = runId
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 20);
    const counts = new Map<string, number>();
    for (const name of this.names) {
      const m = /-([a-z0-9]+)-(\d+)-a\d+-[0-9a-f]{6}$/.exec(name);
      if (!m || !name.startsWith(`rf-${slug}`)) continue;
      const key = `${m[1]}:${m[2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  close(): void {
    this.stream?.destroy?.();
  }
}

export { leftovers } from '../../src/executors/testing.js';

/**
 * Remove what runs of a test left in the engine (a test that failed half-way leaves its tasks
 * running: a runtime that stops keeps them for its next start).
 */
export async function removeRuns(runIds: Iterable<string>): Promise<void> {
  const executor = new SwarmExecutor();
  try {
    for (const runId of runIds) await executor.cleanupRun(runId).catch(() => undefined);
  } finally {
    await executor.close();
  }
}

/** Number of video frames, counted by decoding. */
export async function frameCount(path: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path,
  ]);
  return Number(stdout.trim());
}

/** Average PSNR (dB) of `a` against `b`; Infinity when the frames are identical. */
export async function psnr(a: string, b: string): Promise<number> {
  // prettier-ignore
  const { stderr } = await run('ffmpeg', [
    '-v', 'info', '-nostats', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]psnr', '-f', 'null', '-',
  ]);
  const m = /PSNR .*average:(inf|[\d.]+)/.exec(stderr);
  if (!m) throw new Error(`no PSNR in ffmpeg's output:\n${stderr.slice(-2000)}`);
  return m[1] === 'inf' ? Infinity : Number(m[1]);
}
