import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveCommand } from './cli-serve.js';
import { RecordingExecutorStub } from './test-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-serve-'));
  mkdirSync(join(dir, 'designer'));
  writeFileSync(join(dir, 'designer', 'index.html'), '<!doctype html><title>Reelflow</title>');
  writeFileSync(join(dir, 'designer', 'app.js'), 'console.log(1)');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('serves the API and the designer (with SPA fallback) on one origin until told to stop', async () => {
  const lines: string[] = [];
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  const executor = new RecordingExecutorStub();
  const done = serveCommand(
    { port: 0, dataDir: join(dir, 'data') },
    {
      openExecutor: async () => ({ executor, why: 'using the stand-in executor' }),
      log: (l) => lines.push(l),
      runtime: { designerDir: join(dir, 'designer') },
      until,
    },
  );
  await expect.poll(() => lines.find((l) => l.includes('serving on'))).toBeDefined();
  const url = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'))![1]!;
  expect(lines[0]).toBe('using the stand-in executor');

  const home = await fetch(`${url}/`);
  expect(home.headers.get('content-type')).toMatch(/text\/html/);
  expect(await home.text()).toContain('<title>Reelflow</title>');
  expect(
    await (await fetch(`${url}/runs/123`, { headers: { accept: 'text/html' } })).text(),
  ).toContain('Reelflow');
  expect((await fetch(`${url}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
  const missing = await fetch(`${url}/api/nope`, { headers: { accept: 'text/html' } });
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: 'no route GET /api/nope' });
  expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, executor: 'local' });

  stop();
  expect(await done).toBe(0);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});
