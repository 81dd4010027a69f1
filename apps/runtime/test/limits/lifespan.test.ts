/**
 * Issue 8 item 5, lifespan: a real run (local executor, real ffmpeg) that outlives the
 * configured maximum is stopped while its encodes run: its processes are gone, it ends
 * `cancelled` with a reason naming the lifespan, and watchers are told. (recovery.test.ts
 * covers the same rule with a stand-in executor; this one kills real work.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { RunStateEvent } from '@reelflow/fbp-model';
import { makeClip } from '../../src/server/test-helpers.js';
import { call, startRuntime, uploadFile, withParams, type TestRuntime } from './helpers.js';

const sh = promisify(execFile);
const LIFESPAN_MS = 3000;

let fixtures: string;
let rt: TestRuntime;

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'reelflow-lifespan-'));
  await makeClip(join(fixtures, 'clip.mp4'), { seconds: 12, size: '1280x720', gop: 25 });
  rt = await startRuntime({ maxLifespanMs: LIFESPAN_MS });
}, 120_000);
afterAll(async () => {
  await rt?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

/** Processes whose command line mentions `text`. */
async function processesWith(text: string): Promise<string[]> {
  const { stdout } = await sh('ps', ['-eo', 'pid,args']);
  return stdout.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

it('stops a run that outlives its maximum lifespan, kills its tasks and says why', async () => {
  const input = await uploadFile(rt.url, join(fixtures, 'clip.mp4'));
  // Slow encodes of 720p chunks: far longer than the lifespan on any machine this runs on.
  const graph = withParams({ split: { segmentSeconds: 6 }, enc: { preset: 'veryslow', crf: 18 } });
  const created = await call(rt.url, 'POST', '/api/runs', { body: { graph, input } });
  expect(created.status).toBe(202);
  const runId = String(created.json.runId);
  const socket = connect(rt.url, { transports: ['websocket'], forceNew: true });
  const states: RunStateEvent[] = [];
  socket.on('run:state', (e: RunStateEvent) => states.push(e));
  await socket.emitWithAck('subscribe', { runId });

  expect(await rt.runtime.manager.waitFor(runId)).toBe('cancelled');
  const view = (await call(rt.url, 'GET', `/api/runs/${runId}`)).json as {
    reason: string;
    nodes: Record<string, { state: string; tasks: { state: string }[] }>;
  };
  console.log(
    `lifespan: run reason = ${view.reason}; enc tasks = ${view.nodes.enc!.tasks.map((t) => t.state).join(',')}`,
  );
  expect(view.reason).toBe(
    `the run exceeded the maximum lifespan of ${Math.round(LIFESPAN_MS / 1000)} s and was stopped`,
  );
  // It was stopped mid-encode, not after: an encode was cut short and nothing was merged.
  expect(view.nodes.enc!.tasks.some((t) => t.state === 'cancelled')).toBe(true);
  expect(view.nodes.merge!.state).not.toBe('done');
  expect(existsSync(join(rt.dir, 'runs', runId, 'outputs', 'merge', 'output.mp4'))).toBe(false);
  expect(await processesWith(join(rt.dir, 'runs', runId))).toEqual([]);
  await expect.poll(() => states.at(-1)).toMatchObject({ state: 'cancelled', reason: view.reason });
  socket.close();
}, 120_000);
