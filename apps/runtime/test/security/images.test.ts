/**
 * Issue 8 item 6, images: only images on the allowlist are launched. The runtime refuses to
 * start with a task image not on it; a spec naming another image fails without a process or a
 * swarm service (real local executor, real Docker swarm).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_IMAGE, LocalExecutor, SwarmExecutor } from '../../src/executors/index.js';
import { EventRecorder, taskSpec, testClipArgv } from '../../src/executors/testing.js';
import type { Executor } from '../../src/executors/types.js';
import { serveCommand } from '../../src/server/cli-serve.js';
import { guardImages } from '../../src/server/images.js';
import { createRuntime } from '../../src/server/runtime.js';
import { RecordingExecutorStub } from '../../src/server/test-helpers.js';
import { ensureSwarm } from '../../src/runs/test-executors.js';

const sh = promisify(execFile);
const EVIL = 'evil/miner:latest';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-images-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the runtime', () => {
  it('refuses to start with a task image not on the allowlist, and says how to allow it', () => {
    expect(() =>
      createRuntime({
        dataDir: join(dir, 'a'),
        executor: new RecordingExecutorStub(),
        image: EVIL,
      }),
    ).toThrow(
      `the task image ${EVIL} is not on the allowlist (${DEFAULT_TASK_IMAGE}); allow it with --allow-image ${EVIL}`,
    );
    const allowed = createRuntime({
      dataDir: join(dir, 'b'),
      executor: new RecordingExecutorStub(),
      image: EVIL,
      allowedImages: [EVIL],
    });
    allowed.store.close();
  });

  it('passes `reelflow serve --allow-image` to the swarm executor and the runtime', async () => {
    const seen: unknown[] = [];
    let stop!: () => void;
    const lines: string[] = [];
    const done = serveCommand(
      {
        port: 0,
        dataDir: join(dir, 'serve'),
        allowImages: [DEFAULT_TASK_IMAGE, 'registry.local/ffmpeg:7'],
      },
      {
        openExecutor: async (_name, options) => {
          seen.push(options);
          return { executor: new RecordingExecutorStub() };
        },
        log: (l) => lines.push(l),
        runtime: { image: 'registry.local/ffmpeg:7' },
        until: new Promise<void>((r) => (stop = r)),
      },
    );
    await expect.poll(() => lines.some((l) => l.includes('serving on'))).toBe(true);
    stop();
    expect(await done).toBe(0);
    expect(seen).toEqual([
      { swarm: { allowedImages: [DEFAULT_TASK_IMAGE, 'registry.local/ffmpeg:7'] } },
    ]);
  });
});

/** Launch one spec in `image` and return its final event. */
async function launchIn(executor: Executor, image: string, runDir: string, key: string) {
  const events = new EventRecorder(executor);
  const runId = `images-${process.pid}-${key}`;
  const out = join(runDir, `${key}.mp4`);
  const spec = taskSpec(`${key}:0`, testClipArgv(out, 1), {
    image,
    labels: { 'reelflow.run': runId },
  });
  await executor.launch({ runId, spec, attempt: 0, runDir, mountRunDir: false });
  const final = await events.final(runId, spec.key);
  events.dispose();
  return { final, out, runId };
}

describe('an executor behind the allowlist', () => {
  it('runs an allowed image and fails any other without starting it (local executor)', async () => {
    const executor = guardImages(new LocalExecutor(), [DEFAULT_TASK_IMAGE]);
    const ok = await launchIn(executor, DEFAULT_TASK_IMAGE, dir, 'ok');
    expect(ok.final.type).toBe('succeeded');
    const refused = await launchIn(executor, EVIL, dir, 'evil');
    expect(refused.final).toMatchObject({
      type: 'failed',
      reason: `image '${EVIL}' is not on the allowlist (${DEFAULT_TASK_IMAGE})`,
    });
    expect(existsSync(refused.out)).toBe(false);
    await executor.close();
  });

  it('creates no swarm service for an image off the allowlist (real swarm)', async () => {
    await ensureSwarm();
    const executor = new SwarmExecutor({ allowedImages: [DEFAULT_TASK_IMAGE] });
    try {
      const refused = await launchIn(executor, 'alpine:latest', dir, 'swarm');
      expect(refused.final).toMatchObject({
        type: 'failed',
        reason: expect.stringMatching(/not on the allowlist/),
      });
      const services = await sh('docker', [
        'service',
        'ls',
        '-q',
        '--filter',
        `label=reelflow.run=${refused.runId}`,
      ]);
      expect(services.stdout.trim()).toBe('');
    } finally {
      await executor.close();
    }
  }, 120_000);
});
