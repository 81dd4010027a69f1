import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from './runtime.js';
import { RecordingExecutorStub } from './test-helpers.js';

let dir: string;
const runtimes: Runtime[] = [];

async function serve(calibrationFile?: string): Promise<string> {
  const runtime = createRuntime({
    dataDir: join(dir, `data-${runtimes.length}`),
    executor: new RecordingExecutorStub(),
    port: 0,
    designerDir: false,
    ...(calibrationFile !== undefined ? { calibrationFile } : {}),
  });
  runtimes.push(runtime);
  return (await runtime.start()).url;
}

async function get(base: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/calibration`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-calibration-'));
});

afterAll(async () => {
  for (const r of runtimes) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/calibration', () => {
  it('answers the calibration file the runtime was given', async () => {
    const file = join(dir, 'good.json');
    const calibration = {
      encodeSecondsPerSecond: 0.4,
      copySecondsPerSecond: 0.01,
      taskOverheadSeconds: 0.3,
    };
    writeFileSync(file, JSON.stringify(calibration));
    const res = await get(await serve(file));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ source: file, calibration });
  });

  it('finds calibration.json in the data dir by default (where `reelflow calibrate` writes)', async () => {
    const base = await serve();
    const data = join(dir, `data-${runtimes.length - 1}`);
    mkdirSync(data, { recursive: true });
    const calibration = {
      encodeSecondsPerSecond: 1.5,
      copySecondsPerSecond: 0.02,
      taskOverheadSeconds: 1,
    };
    writeFileSync(join(data, 'calibration.json'), JSON.stringify(calibration));
    const res = await get(base);
    expect(res.status).toBe(200);
    expect(res.json.calibration).toEqual(calibration);
  });

  it('answers 404 with a clear message when there is no calibration file', async () => {
    const missing = join(dir, 'absent.json');
    const res = await get(await serve(missing));
    expect(res.status).toBe(404);
    expect(res.json.error).toContain('no calibration');
    expect(res.json.error).toContain(missing);
    expect(res.json.error).toContain('reelflow calibrate');
  });

  it('answers 500 naming the file and the field for a bad calibration', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ encodeSecondsPerSecond: -1, copySecondsPerSecond: 0 }));
    const res = await get(await serve(bad));
    expect(res.status).toBe(500);
    expect(res.json.error).toContain(bad);
    expect(res.json.error).toContain('encodeSecondsPerSecond');

    const notJson = join(dir, 'garbage.json');
    writeFileSync(notJson, '{ nope');
    const res2 = await get(await serve(notJson));
    expect(res2.status).toBe(500);
    expect(res2.json.error).toContain('is not JSON');
  });
});
