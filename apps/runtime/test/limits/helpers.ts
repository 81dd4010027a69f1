/**
 * Shared by the security, limits and load suites: a real runtime on port 0 over a real SQLite
 * file, the local executor running real ffmpeg, a cheap graph and small HTTP helpers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../src/executors/local.js';
import type { Executor } from '../../src/executors/types.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/server/runtime.js';
import { multipart } from '../../src/server/test-helpers.js';

interface GraphDoc {
  id: string;
  nodes: { id: string; type: string; params: Record<string, unknown> }[];
  edges: unknown[];
  [key: string]: unknown;
}

/** The contract's example graph. */
export const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as GraphDoc;

/** The example graph with some node parameters replaced. */
export function withParams(changes: Record<string, Record<string, unknown>>): GraphDoc {
  return {
    ...example,
    nodes: example.nodes.map((n) =>
      changes[n.id] ? { ...n, params: { ...n.params, ...changes[n.id] } } : n,
    ),
  };
}

/** The example graph made cheap: 1 s chunks encoded ultrafast at 120 lines. */
export function cheapGraph(strategy: 'shared' | 'http' = 'shared'): GraphDoc {
  return withParams({
    split: { segmentSeconds: 1 },
    xfer: { strategy },
    back: { strategy },
    enc: { preset: 'ultrafast', height: 120 },
    out: { segmentSeconds: 1 },
  });
}

export interface TestRuntime {
  readonly runtime: Runtime;
  readonly url: string;
  readonly dir: string;
  readonly executor: Executor;
  /** The access token when the runtime asks for one. */
  readonly token?: string;
  close(): Promise<void>;
}

/** Start a runtime on port 0 with its own data directory (removed by `close`). */
export async function startRuntime(
  options: Partial<RuntimeOptions> = {},
  executor: Executor = new LocalExecutor({ concurrency: 2 }),
): Promise<TestRuntime> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'reelflow-limits-'));
  const runtime = createRuntime({
    designerDir: false,
    port: 0,
    ...options,
    dataDir: dir,
    executor,
  });
  const { url, newToken } = await runtime.start();
  return {
    runtime,
    url,
    dir,
    executor,
    token: newToken,
    async close() {
      await runtime.close();
      await executor.close();
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/** One HTTP call; a plain object body is sent as JSON. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: RequestInit['body'];
  if (opts.body instanceof FormData || typeof opts.body === 'string') body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (logs, media, metrics): the text says it.
  }
  return { status: res.status, json, text };
}

/** A request whose path goes out exactly as written (fetch would resolve `..` and `%2e%2e`). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const headers = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Upload a video file; resolves with its upload id. */
export async function uploadFile(base: string, path: string, token?: string): Promise<string> {
  const res = await call(base, 'POST', '/api/uploads', {
    body: multipart('file', 'clip.mp4', readFileSync(path)),
    token,
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${res.text}`);
  return String(res.json.uploadId);
}

/** Resolve once `check` holds (looked at every 50 ms); for hooks, where expect.poll cannot run. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come true within 60 s`);
}
