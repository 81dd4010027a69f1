import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import {
  RunViewSchema,
  UploadResponseSchema,
  emptyGraph,
  type OutputFile,
} from '@reelflow/fbp-model';
import { runDirOf } from '../runs/rundir.js';
import { createRuntime, type Runtime } from './runtime.js';
import { makeClip, multipart, RecordingExecutorStub, truncateCopy } from './test-helpers.js';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

let dir: string;
let fixtures: string;
let runtime: Runtime;
let base: string;
let executor: RecordingExecutorStub;
let uploadId: string;

const MAX_UPLOAD = 2 * 1024 * 1024;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData || typeof body === 'string' || body instanceof Uint8Array)
    init.body = body as RequestInit['body'];
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as Record<string, unknown>, text, headers: res.headers };
}

/** A request whose path is sent exactly as written (fetch would resolve `..` and `%2e%2e` first). */
function rawCall(method: string, path: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const upload = (name: string, content: Buffer | string, field = 'file') =>
  call('POST', '/api/uploads', multipart(field, name, content));

/** Every file under the data dir, relative to it (to prove nothing lands outside uploads/ or runs/). */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-server-'));
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-fixtures-'));
  await makeClip(join(fixtures, 'clip.mp4'), { seconds: 4 });
  await truncateCopy(join(fixtures, 'clip.mp4'), join(fixtures, 'truncated.mp4'), 0.5);
  executor = new RecordingExecutorStub();
  runtime = createRuntime({
    dataDir: dir,
    executor,
    port: 0,
    maxUploadBytes: MAX_UPLOAD,
    designerDir: false,
  });
  base = (await runtime.start()).url;
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(fixtures, { recursive: true, force: true });
});

describe('runtime HTTP API', () => {
  it('answers /healthz with the executor and binds 127.0.0.1', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, executor: 'local' });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('validates a graph, and refuses a body that is not JSON with 400', async () => {
    const good = await call('POST', '/api/validate', example);
    expect(good.json).toEqual({ valid: true, diagnostics: [] });
    const bad = await call('POST', '/api/validate', { ...example, nodes: [] });
    expect(bad.status).toBe(200);
    expect(bad.json.valid).toBe(false);
    expect((bad.json.diagnostics as { code: string }[]).map((d) => d.code)).toContain('no-source');
    const broken = await call('POST', '/api/validate', '{"nodes": [', {
      'content-type': 'application/json',
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error).toMatch(/not valid JSON/);
  });

  it('stores graphs and refuses bad ones', async () => {
    expect((await call('POST', '/api/graphs', { hello: 1 })).status).toBe(400);
    expect((await call('POST', '/api/graphs', example)).status).toBe(201);
    expect((await call('POST', '/api/graphs', example)).status).toBe(409);
    expect((await call('GET', '/api/graphs')).json).toEqual([
      expect.objectContaining({ id: 'transcode-720p', name: 'Transcode to 720p H.264' }),
    ]);
    expect((await call('GET', '/api/graphs/transcode-720p')).json).toMatchObject({
      id: 'transcode-720p',
    });
    expect((await call('GET', '/api/graphs/nope')).status).toBe(404);
    expect((await call('PUT', '/api/graphs/other', example)).status).toBe(400);
    expect((await call('PUT', '/api/graphs/new', emptyGraph('new', 'New'))).status).toBe(201);
    expect((await call('PUT', '/api/graphs/new', emptyGraph('new', 'Renamed'))).status).toBe(200);
    expect((await call('DELETE', '/api/graphs/new')).status).toBe(204);
    expect((await call('DELETE', '/api/graphs/new')).status).toBe(404);
  });

  it('saves a graph conditionally and keeps its versions', async () => {
    const g = (name: string) => emptyGraph('versioned', name);
    const created = await call('PUT', '/api/graphs/versioned', g('V1'), { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const again = await call('PUT', '/api/graphs/versioned', g('Other'), { 'if-none-match': '*' });
    expect(again.status).toBe(412);
    expect(again.json).toMatchObject({ current: { id: 'versioned', name: 'V1', version: 1 } });
    expect(again.json.error).toMatch(/version 1/);
    expect(
      (await call('PUT', '/api/graphs/versioned', g('V2'), { 'if-match': '"1"' })).status,
    ).toBe(200);
    const stale = await call('PUT', '/api/graphs/versioned', g('Stale'), { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect((await call('GET', '/api/graphs/versioned')).json.name).toBe('V2');
    expect((await call('GET', '/api/graphs/versioned')).headers.get('etag')).toBe('"2"');
    const versions = await call('GET', '/api/graphs/versioned/versions');
    expect(versions.json).toEqual([
      expect.objectContaining({ version: 2, name: 'V2', nodes: 0 }),
      expect.objectContaining({ version: 1, name: 'V1' }),
    ]);
    expect((await call('GET', '/api/graphs/versioned/versions/1')).json.name).toBe('V1');
    expect((await call('GET', '/api/graphs/versioned/versions/9')).status).toBe(404);
    expect((await call('GET', '/api/graphs/nope/versions')).status).toBe(404);
    expect(
      (await call('PUT', '/api/graphs/absent', emptyGraph('absent', 'A'), { 'if-match': '"1"' }))
        .status,
    ).toBe(412);
  });

  it('refuses bad graph versions and preconditions with 400', async () => {
    await call('PUT', '/api/graphs/pre', emptyGraph('pre', 'P'));
    for (const v of ['0', '-1', 'abc', '1.5', '99999999999999999999'])
      expect((await call('GET', `/api/graphs/pre/versions/${v}`)).json.error).toMatch(
        /version must be a positive whole number/,
      );
    const bad = [
      { 'if-match': 'xyz' },
      { 'if-none-match': '"1"' },
      { 'if-match': '"1"', 'if-none-match': '*' },
    ];
    for (const headers of bad) {
      const res = await call('PUT', '/api/graphs/pre', emptyGraph('pre', 'Changed'), headers);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/If-(None-)?Match/);
    }
    expect((await call('GET', '/api/graphs/pre')).json.name).toBe('P');
  });

  it('takes a video upload, probes its duration and stores it under uploads/', async () => {
    const res = await upload('clip.mp4', readFileSync(join(fixtures, 'clip.mp4')));
    expect(res.status).toBe(201);
    const body = UploadResponseSchema.parse(res.json);
    expect(body.name).toBe('clip.mp4');
    expect(body.durationSeconds).toBeCloseTo(4, 1);
    uploadId = body.uploadId;
    expect(filesUnder(join(dir, 'uploads'))).toEqual([`${uploadId}.mp4`]);
  });

  it.each([
    ['an empty file', 'empty.mp4', () => Buffer.alloc(0), 400, /empty/],
    [
      'a file that is not a video',
      'notes.mp4',
      () => Buffer.from('hello, this is text\n'.repeat(50)),
      415,
      /not a usable video/,
    ],
    [
      'a truncated video',
      'cut.mp4',
      () => readFileSync(join(fixtures, 'truncated.mp4')),
      422,
      /truncated/,
    ],
    [
      'a name with ../',
      '../../escape.mp4',
      () => readFileSync(join(fixtures, 'clip.mp4')),
      400,
      /must not contain/,
    ],
    [
      'a file over the size limit',
      'big.mp4',
      () => Buffer.alloc(MAX_UPLOAD + 1024, 1),
      413,
      /upload limit/,
    ],
  ])(
    'refuses %s with a clear 4xx and leaves nothing behind',
    async (_what, name, content, status, message) => {
      const before = filesUnder(dir).filter((f) => !f.startsWith('reelflow.db'));
      const res = await upload(name, content());
      expect(res.status).toBe(status);
      expect(res.json.error).toMatch(message);
      expect(filesUnder(dir).filter((f) => !f.startsWith('reelflow.db'))).toEqual(before);
    },
  );

  it('refuses an upload that is not multipart or has no field "file"', async () => {
    expect((await call('POST', '/api/uploads', { file: 'x' })).status).toBe(400);
    const wrongField = await upload('clip.mp4', 'abc', 'video');
    expect(wrongField.status).toBe(400);
    expect(wrongField.json.error).toMatch(/field named "file"/);
  });

  it('refuses bad run requests: 400 for a bad body or unknown upload, 404 for an unknown graph, 422 for an invalid graph', async () => {
    expect((await call('POST', '/api/runs', { input: uploadId })).status).toBe(400);
    expect(
      (await call('POST', '/api/runs', { graph: example, graphId: 'x', input: uploadId })).status,
    ).toBe(400);
    expect((await call('POST', '/api/runs', { graph: example, input: 'nope' })).status).toBe(400);
    expect((await call('POST', '/api/runs', { graphId: 'nope', input: uploadId })).status).toBe(
      404,
    );
    expect(
      (await call('POST', '/api/runs', { graph: example, input: uploadId, executor: 'swarm' }))
        .status,
    ).toBe(400);
    const invalid = await call('POST', '/api/runs', {
      graph: { ...example, edges: [] },
      input: uploadId,
    });
    expect(invalid.status).toBe(422);
    expect((invalid.json.diagnostics as { code: string }[]).map((d) => d.code)).toContain(
      'required-input-unconnected',
    );
  });

  it('answers 404 for runs that do not exist on every run route', async () => {
    for (const [method, path] of [
      ['GET', '/api/runs/nope'],
      ['POST', '/api/runs/nope/cancel'],
      ['POST', '/api/runs/nope/nodes/enc/retry'],
      ['GET', '/api/runs/nope/logs?node=enc'],
      ['GET', '/api/runs/nope/outputs/index.m3u8'],
      ['GET', '/api/runs/nope/outputs'],
      ['GET', '/api/runs/nope/graph'],
      ['GET', '/api/runs/nope/files/work/x.ts'],
      ['PUT', '/api/runs/nope/files/work/x.ts'],
      ['GET', '/api/nothing-here'],
    ] as const) {
      expect([
        method,
        path,
        (await call(method, path, method === 'PUT' ? 'x' : undefined)).status,
      ]).toEqual([method, path, 404]);
    }
  });

  describe('with a run', () => {
    let runId: string;
    let socket: Socket;
    const seen: Array<{ name: string; payload: { runId: string; state?: string } }> = [];

    beforeAll(async () => {
      socket = connect(base, { transports: ['websocket'], forceNew: true });
      socket.onAny((name: string, payload: { runId: string }) => seen.push({ name, payload }));
      await new Promise<void>((ok) => socket.on('connect', () => ok()));
    });
    afterAll(() => {
      socket.close();
    });

    it('creates a run (202), starts its first task and shows it', async () => {
      const res = await call('POST', '/api/runs', { graphId: 'transcode-720p', input: uploadId });
      expect(res.status).toBe(202);
      runId = String(res.json.runId);
      const ack = await socket.emitWithAck('subscribe', { runId });
      expect(ack.ok).toBe(true);
      await expect.poll(() => executor.launched.length).toBeGreaterThan(0);
      expect(executor.launched[0]!.spec.nodeId).toBe('split');
      const view = RunViewSchema.parse((await call('GET', `/api/runs/${runId}`)).json);
      expect(view.state).toBe('running');
      expect(Object.keys(view.nodes)).toEqual([
        'src',
        'split',
        'xfer',
        'enc',
        'back',
        'merge',
        'out',
      ]);
      const list = (await call('GET', '/api/runs')).json as unknown as { runId: string }[];
      expect(list.map((r) => r.runId)).toContain(runId);
    });

    it('lists its outputs with kind, size and duration, and serves the graph it ran', async () => {
      const outputs = runDirOf(dir, runId).outputs;
      mkdirSync(join(outputs, 'merge'), { recursive: true });
      mkdirSync(join(outputs, 'hls'), { recursive: true });
      copyFileSync(join(fixtures, 'clip.mp4'), join(outputs, 'merge', 'out.mp4'));
      writeFileSync(
        join(outputs, 'hls', 'index.m3u8'),
        '#EXTM3U\n#EXTINF:2.5,\nsegment_00000.ts\n#EXTINF:1.5,\nsegment_00001.ts\n#EXT-X-ENDLIST\n',
      );
      writeFileSync(join(outputs, 'hls', 'segment_00000.ts'), 'x'.repeat(10));
      const list = (await call('GET', `/api/runs/${runId}/outputs`))
        .json as unknown as OutputFile[];
      expect(list.map((f) => [f.path, f.kind])).toEqual([
        ['hls/index.m3u8', 'playlist'],
        ['hls/segment_00000.ts', 'segment'],
        ['merge/out.mp4', 'video'],
      ]);
      expect(list[0]!.durationSeconds).toBe(4);
      expect(list[1]).toEqual({ path: 'hls/segment_00000.ts', bytes: 10, kind: 'segment' });
      expect(list[2]!.durationSeconds).toBeCloseTo(4, 0);
      expect(list[2]!.bytes).toBe(statSync(join(fixtures, 'clip.mp4')).size);
      const graph = await call('GET', `/api/runs/${runId}/graph`);
      expect(graph.json).toMatchObject({ id: 'transcode-720p' });
      // A run without an outputs folder (yet) answers 404 for a file in it, not 400.
      rmSync(outputs, { recursive: true, force: true });
      expect((await call('GET', `/api/runs/${runId}/outputs/hls/index.m3u8`)).status).toBe(404);
    });

    it('refuses a socket subscription without a run id', async () => {
      expect(await socket.emitWithAck('subscribe', { nope: 1 })).toMatchObject({ ok: false });
      expect(await socket.emitWithAck('subscribe', { runId: 'missing' })).toMatchObject({
        ok: false,
      });
    });

    it('serves run files with ranges and media types, and keeps paths inside the run directory', async () => {
      const put = await call(
        'PUT',
        `/api/runs/${runId}/files/work/xfer/chunk_00000.ts`,
        new Uint8Array(1000).fill(7),
      );
      expect(put.status).toBe(201);
      expect(put.json).toEqual({ path: 'work/xfer/chunk_00000.ts', bytes: 1000 });
      const ranged = await fetch(`${base}/api/runs/${runId}/files/work/xfer/chunk_00000.ts`, {
        headers: { range: 'bytes=10-19' },
      });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-type')).toBe('video/mp2t');
      expect((await ranged.arrayBuffer()).byteLength).toBe(10);
      expect((await call('PUT', `/api/runs/${runId}/files/input/evil.mp4`, 'x')).status).toBe(403);
      expect(await rawCall('PUT', `/api/runs/${runId}/files/work/../../evil`, 'x')).toBe(400);
      expect(await rawCall('PUT', `/api/runs/${runId}/files/work/%2e%2e/%2e%2e/evil`, 'x')).toBe(
        400,
      );
      expect(await rawCall('PUT', `/api/runs/${runId}/files/work/..%2f..%2f..%2fevil`, 'x')).toBe(
        400,
      );
      expect(
        await rawCall('GET', `/api/runs/${runId}/files/work/%2e%2e/%2e%2e/%2e%2e/reelflow.db`),
      ).toBe(400);
      expect(await rawCall('GET', `/api/runs/${runId}/outputs/../input/clip.mp4`)).toBe(400);
      expect((await call('GET', `/api/runs/${runId}/outputs/out/index.m3u8`)).status).toBe(404);
      expect(filesUnder(dir).some((f) => f.includes('evil'))).toBe(false);
    });

    it('answers logs as text, and 404 for a node the run does not have', async () => {
      const logs = await call('GET', `/api/runs/${runId}/logs?node=enc`);
      expect(logs.status).toBe(200);
      expect(logs.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await call('GET', `/api/runs/${runId}/logs?node=ghost`)).status).toBe(404);
      expect((await call('GET', `/api/runs/${runId}/logs?node=a&node=b`)).status).toBe(400);
    });

    it('refuses to retry a node the run does not have', async () => {
      expect((await call('POST', `/api/runs/${runId}/nodes/ghost/retry`)).status).toBe(404);
    });

    it('cancels the run (202), tells subscribers, and refuses a second cancel with 409', async () => {
      expect((await call('POST', `/api/runs/${runId}/cancel`)).status).toBe(202);
      await expect
        .poll(async () => (await call('GET', `/api/runs/${runId}`)).json.state)
        .toBe('cancelled');
      await expect
        .poll(() => seen.some((e) => e.name === 'run:state' && e.payload.state === 'cancelled'))
        .toBe(true);
      expect(seen.every((e) => e.payload.runId === runId)).toBe(true);
      expect(executor.cleaned).toContain(runId);
      expect((await call('POST', `/api/runs/${runId}/cancel`)).status).toBe(409);
      expect((await call('POST', `/api/runs/${runId}/nodes/enc/retry`)).status).toBe(409);
    });

    it('exposes Prometheus metrics', async () => {
      const res = await call('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/reelflow_runs\{state="cancelled"\} 1/);
      expect(res.text).toContain('reelflow_task_duration_seconds');
      expect(res.text).toContain('reelflow_bytes_moved_total');
    });
  });
});
