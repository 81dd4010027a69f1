/**
 * Issue 8 item 5, disk: the runs folder on a 2 MiB tmpfs (the database on another file
 * system) fills up mid-run. The run fails saying the disk is full; the database, other runs
 * and stored graphs stay readable, and the runtime keeps serving.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../../src/server/test-helpers.js';
import {
  call,
  cheapGraph,
  example,
  startRuntime,
  uploadFile,
  type TestRuntime,
} from './helpers.js';

const sh = promisify(execFile);

let dataDir: string;
let runs: string;
let mounted = false;
let rt: TestRuntime;
let clip: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'reelflow-disk-'));
  runs = join(dataDir, 'runs');
  mkdirSync(runs);
  await sh('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', runs]);
  mounted = true;
  clip = join(dataDir, 'clip.mp4');
  // About 1.3 MB: the input fits on the 2 MiB runs folder, its chunks and encodes do not.
  await makeClip(clip, { seconds: 6, size: '640x360', gop: 25 });
  rt = await startRuntime({ dataDir });
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (mounted) await sh('umount', [runs]);
  rmSync(dataDir, { recursive: true, force: true });
});

it('puts the runs folder on its own small file system and the database elsewhere', () => {
  expect(statSync(runs).dev).not.toBe(statSync(join(dataDir, 'reelflow.db')).dev);
  expect(statSync(clip).size).toBeGreaterThan(1_000_000);
  expect(statSync(clip).size).toBeLessThan(1_900_000);
});

it('fails a run that fills the disk with "disk full", and keeps the database intact', async () => {
  expect((await call(rt.url, 'POST', '/api/graphs', { body: example })).status).toBe(201);
  const input = await uploadFile(rt.url, clip);
  const created = await call(rt.url, 'POST', '/api/runs', { body: { graph: cheapGraph(), input } });
  expect(created.status).toBe(202);
  const runId = String(created.json.runId);
  expect(await rt.runtime.manager.waitFor(runId)).toBe('failed');
  const view = await call(rt.url, 'GET', `/api/runs/${runId}`);
  console.log(`disk full: run reason = ${String(view.json.reason)}`);
  expect(view.json.reason).toMatch(/disk full: .*no space left on device/i);

  // The next run cannot even copy its input onto the full disk: it fails too, and says why.
  const next = await call(rt.url, 'POST', '/api/runs', { body: { graph: cheapGraph(), input } });
  const nextId = String(next.json.runId);
  expect(await rt.runtime.manager.waitFor(nextId)).toBe('failed');
  const nextView = await call(rt.url, 'GET', `/api/runs/${nextId}`);
  console.log(`disk full: next run reason = ${String(nextView.json.reason)}`);
  expect(nextView.json.reason).toMatch(/no space left on device/i);

  // The database is on another file system: everything in it still reads.
  expect(rt.runtime.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect((await call(rt.url, 'GET', '/api/graphs/transcode-720p')).status).toBe(200);
  const list = await call(rt.url, 'GET', '/api/runs');
  expect(list.status).toBe(200);
  expect((list.json as unknown as { runId: string }[]).map((r) => r.runId)).toEqual(
    expect.arrayContaining([runId, nextId]),
  );
  expect((await call(rt.url, 'GET', `/api/runs/${runId}/logs`)).status).toBe(200);
  expect((await call(rt.url, 'GET', '/healthz')).status).toBe(200);
}, 180_000);
