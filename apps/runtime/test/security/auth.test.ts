/**
 * Issue 8 item 6, access: a runtime bound to anything but 127.0.0.1/::1/localhost asks for its
 * bearer token on every `/api` route, `/metrics` and socket.io. Bound to 127.0.0.2 (loopback
 * range, but not one of those names), so nothing ever leaves the machine.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { ACCESS_FILE, isLoopbackHost, RuntimeAccess } from '../../src/server/auth.js';
import { serveCommand } from '../../src/server/cli-serve.js';
import { makeClip, RecordingExecutorStub } from '../../src/server/test-helpers.js';
import {
  call,
  cheapGraph,
  rawRequest,
  startRuntime,
  uploadFile,
  type TestRuntime,
} from '../limits/helpers.js';

const HOST = '127.0.0.2';
const WRONG = 'rf_not-the-token';

let fixtures: string;
let clip: string;
beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-auth-fx-'));
  clip = join(fixtures, 'clip.mp4');
  await makeClip(clip, { seconds: 2, size: '160x120', gop: 25 });
});
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

/** Every route the runtime's express app has, as `[METHOD, concrete path]`. */
function routesOf(rt: TestRuntime): Array<[string, string]> {
  type Layer = {
    route?: { path: string; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  };
  const walk = (stack: Layer[]): Array<[string, string]> =>
    stack.flatMap((l) =>
      l.route
        ? Object.keys(l.route.methods).map(
            (m) => [m === '_all' ? 'GET' : m.toUpperCase(), l.route!.path] as [string, string],
          )
        : l.handle?.stack
          ? walk(l.handle.stack)
          : [],
    );
  const app = rt.runtime.app as unknown as { router: { stack: Layer[] } };
  return walk(app.router.stack).map(([m, p]) => [
    m,
    p
      .replace(/:id/g, 'run-1')
      .replace(/:node/g, 'enc')
      .replace(/:version/g, '1')
      .replace(/\*\w+/g, 'work/x.ts'),
  ]);
}

function connectSocket(url: string, auth?: Record<string, string>): Promise<Socket | Error> {
  const socket = connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth,
  });
  return new Promise((resolve) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (err) => {
      socket.close();
      resolve(err);
    });
  });
}

describe('a runtime that requires its token (bound to 127.0.0.2)', () => {
  let rt: TestRuntime;
  let token: string;
  beforeAll(async () => {
    rt = await startRuntime({ host: HOST, requireToken: true });
    token = rt.token!;
  });
  afterAll(() => rt?.close());

  it('treats only 127.0.0.1, ::1 and localhost as loopback', () => {
    expect(['127.0.0.1', '::1', 'localhost', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.2', '0.0.0.0', '::', '10.0.0.1', 'example.org'].some(isLoopbackHost)).toBe(
      false,
    );
    expect(rt.url).toBe(`http://${HOST}:${new URL(rt.url).port}`);
  });

  it('keeps only a hash of the token, in a 0600 file', () => {
    const path = join(rt.dir, ACCESS_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain(token);
    expect(token).toMatch(/^rf_[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 on every API route and /metrics without the token or with a wrong one', async () => {
    const routes = [
      ...routesOf(rt).filter(([, path]) => path !== '/healthz'),
      ['GET', '/metrics'] as [string, string],
    ];
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const [method, path] of routes) {
      for (const presented of [undefined, WRONG, '']) {
        const res = await rawRequest(rt.url, method, path, {
          headers: presented === undefined ? {} : { authorization: `Bearer ${presented}` },
          body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        });
        expect([method, path, presented, res.status]).toEqual([method, path, presented, 401]);
      }
      const ok = await rawRequest(rt.url, method, path, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect([method, path, ok.status === 401]).toEqual([method, path, false]);
    }
  });

  it('cannot be bypassed by spelling a path differently', async () => {
    for (const path of [
      '/API/graphs',
      '//api/graphs',
      '/api//graphs',
      '/api/graphs/',
      '/Metrics',
      '/metrics/',
      '/./api/graphs',
      '/api/graphs?access_token=',
      `/api/graphs?access_token=${WRONG}`,
    ]) {
      const res = await rawRequest(rt.url, 'GET', path);
      expect([path, res.status === 200, res.body.includes('transcode')]).toEqual([
        path,
        false,
        false,
      ]);
    }
    const basic = Buffer.from(`user:${token}`).toString('base64');
    expect(
      (await call(rt.url, 'GET', '/api/graphs', { headers: { authorization: `Basic ${basic}` } }))
        .status,
    ).toBe(401);
    expect((await call(rt.url, 'GET', `/api/graphs?access_token=${token}`)).status).toBe(200);
  });

  it('lets a player that got ?access_token= once read by cookie, and only read', async () => {
    const first = await fetch(`${rt.url}/api/graphs?access_token=${token}`);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^reelflow_media=.+; Path=\/api\/runs\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    expect((await call(rt.url, 'GET', '/api/runs', { headers: { cookie } })).status).toBe(200);
    expect((await call(rt.url, 'GET', '/metrics', { headers: { cookie } })).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/api/validate'],
      ['POST', '/api/runs'],
      ['POST', '/api/runs/run-1/cancel'],
      ['DELETE', '/api/graphs/x'],
      ['PUT', '/api/runs/run-1/files/work/x.ts'],
    ] as const) {
      const res = await call(rt.url, method, path, { headers: { cookie }, body: '{}' });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
    const wrong = { cookie: `reelflow_media=${WRONG}` };
    expect((await call(rt.url, 'GET', '/api/runs', { headers: wrong })).status).toBe(401);
    const bearerFirst = await fetch(`${rt.url}/api/graphs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearerFirst.headers.get('set-cookie')).toBeNull();
  });

  it('leaves /healthz open, saying nothing but that it is up and its executor', async () => {
    const res = await call(rt.url, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, executor: 'local' });
  });

  it('refuses socket.io handshakes without the token or with a wrong one', async () => {
    for (const auth of [undefined, {}, { token: WRONG }, { token: '' }] as Array<
      Record<string, string> | undefined
    >) {
      const result = await connectSocket(rt.url, auth);
      expect(result).toBeInstanceOf(Error);
      expect((result as Error).message).toMatch(/unauthorized/);
    }
    const socket = await connectSocket(rt.url, { token });
    expect(socket).not.toBeInstanceOf(Error);
    expect(await (socket as Socket).emitWithAck('subscribe', { runId: 'nope' })).toMatchObject({
      ok: false,
    });
    (socket as Socket).close();
  });

  it("gives http-transfer tasks a capability that opens their own run's files and nothing else", async () => {
    const input = await uploadFile(rt.url, clip, token);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await call(rt.url, 'POST', '/api/runs', {
        body: { graph: cheapGraph('http'), input },
        token,
      });
      expect(created.status).toBe(202);
      ids.push(String(created.json.runId));
    }
    const [runId, otherId] = ids as [string, string];
    await Promise.all(ids.map((id) => rt.runtime.manager.waitFor(id)));
    const cap = RuntimeAccess.open(rt.dir).runCapability(runId);
    // The tasks never had the token: ffmpeg was given the run's capability URL instead.
    const log = (await call(rt.url, 'GET', `/api/runs/${runId}/logs?node=xfer`, { token })).text;
    expect(log).toContain(`/_task/${cap}/api/runs/${runId}/files/work/xfer/chunk_00000.ts`);
    expect(log).not.toContain(token);

    const mine = `/_task/${cap}/api/runs/${runId}/files/work/xfer/probe.ts`;
    expect((await rawRequest(rt.url, 'PUT', mine, { body: 'probe' })).status).toBe(201);
    expect(await rawRequest(rt.url, 'GET', mine)).toEqual({ status: 200, body: 'probe' });
    for (const [method, path] of [
      ['GET', `/_task/${cap}/api/runs/${otherId}/files/work/xfer/chunk_00000.ts`],
      ['PUT', `/_task/${cap}/api/runs/${otherId}/files/work/xfer/evil.ts`],
      ['GET', `/_task/${'0'.repeat(64)}/api/runs/${runId}/files/work/xfer/probe.ts`],
      ['GET', `/_task/${cap.toUpperCase()}/api/runs/${runId}/files/work/xfer/probe.ts`],
      ['POST', `/_task/${cap}/api/runs/${runId}/cancel`],
      ['DELETE', `/_task/${cap}/api/runs/${runId}/files/work/xfer/probe.ts`],
      ['GET', `/_task/${cap}/api/graphs`],
      ['GET', `/_task/${cap}/metrics`],
      ['GET', `/_task/${cap}/api/runs/${runId}`],
    ] as const) {
      expect([
        method,
        path,
        (await rawRequest(rt.url, method, path, { body: method === 'GET' ? undefined : 'x' }))
          .status,
      ]).toEqual([method, path, 401]);
    }
    expect(existsSync(join(rt.dir, 'runs', otherId, 'work', 'xfer', 'evil.ts'))).toBe(false);
  }, 120_000);
});

describe('reelflow serve', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelflow-serve-auth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Start `serve` with `args`, call `body` with its URL and printed lines, then stop it. */
  async function serve(
    args: Parameters<typeof serveCommand>[0],
    body: (url: string, lines: string[]) => Promise<void>,
  ): Promise<void> {
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const done = serveCommand(
      { port: 0, dataDir: join(dir, 'data'), ...args },
      {
        openExecutor: async () => ({ executor: new RecordingExecutorStub() }),
        log: (l) => lines.push(l),
        until,
      },
    );
    await expect.poll(() => lines.some((l) => l.includes('serving on'))).toBe(true);
    try {
      await body(/serving on (\S+) /.exec(lines.join('\n'))![1]!, lines);
    } finally {
      stop();
      await done;
    }
  }
  const tokenIn = (lines: string[]) => /access token[^:]*: (rf_\S+)/.exec(lines.join('\n'))?.[1];

  it('asks for no token on 127.0.0.1 (the default host)', async () => {
    await serve({ dataDir: join(dir, 'open') }, async (url, lines) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(tokenIn(lines)).toBeUndefined();
      expect((await call(url, 'GET', '/api/graphs')).status).toBe(200);
    });
  });

  it('on another host makes a token at first start, shows it once, and --new-token replaces it', async () => {
    let first = '';
    await serve({ host: HOST }, async (url, lines) => {
      first = tokenIn(lines)!;
      expect(first).toBeDefined();
      expect((await call(url, 'GET', '/api/graphs')).status).toBe(401);
      expect((await call(url, 'GET', '/api/graphs', { token: first })).status).toBe(200);
    });
    await serve({ host: HOST }, async (url, lines) => {
      expect(tokenIn(lines)).toBeUndefined();
      expect(lines.join('\n')).not.toContain(first);
      expect((await call(url, 'GET', '/api/graphs', { token: first })).status).toBe(200);
    });
    await serve({ host: HOST, newToken: true }, async (url, lines) => {
      const second = tokenIn(lines)!;
      expect(second).not.toBe(first);
      expect((await call(url, 'GET', '/api/graphs', { token: first })).status).toBe(401);
      expect((await call(url, 'GET', '/api/graphs', { token: second })).status).toBe(200);
    });
  });
});
