import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from './local.js';
import { EventRecorder, taskSpec, testClipArgv } from './testing.js';

describe('local executor', () => {
  let runDir: string;
  let executor: LocalExecutor;
  let recorder: EventRecorder;
  const runId = `local-${process.pid}`;

  beforeAll(async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-local-'));
    executor = new LocalExecutor({ concurrency: 2, progressIntervalMs: 0 });
    recorder = new EventRecorder(executor);
  });

  afterAll(async () => {
    recorder.dispose();
    await executor.close();
    await rm(runDir, { recursive: true, force: true });
  });

  it('runs an ffmpeg task and reports started, progress and succeeded', async () => {
    const spec = taskSpec('clip:0', testClipArgv('clip.mp4', 2), {
      reportsProgress: true,
      durationSeconds: 2,
    });
    await executor.launch({ runId, spec, attempt: 0, runDir: executor.storageRoot(runDir) });
    const final = await recorder.final(runId, 'clip:0');

    expect(final).toMatchObject({ type: 'succeeded', attempt: 0 });
    const types = recorder.of(runId, 'clip:0').map((e) => e.type);
    expect(types[0]).toBe('started');
    const progress = recorder.of(runId, 'clip:0').filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ fraction: 1 });
    expect((await stat(path.join(runDir, 'clip.mp4'))).size).toBeGreaterThan(0);
    expect(await executor.listRunTasks(runId)).toContainEqual({
      key: 'clip:0',
      attempt: 0,
      state: 'succeeded',
    });
  });

  it('reports a failing ffmpeg with its error line in a log event', async () => {
    const spec = taskSpec('bad:0', [
      'ffmpeg',
      '-hide_banner',
      '-i',
      'no-such-input.mp4',
      'out.mp4',
    ]);
    await executor.launch({ runId, spec, attempt: 1, runDir });
    const final = await recorder.final(runId, 'bad:0');

    expect(final).toMatchObject({ type: 'failed', attempt: 1, exitCode: 1 });
    const logs = recorder.of(runId, 'bad:0').flatMap((e) => (e.type === 'log' ? [e.line] : []));
    expect(logs.some((line) => line.includes('no-such-input.mp4: No such file or directory'))).toBe(
      true,
    );
    expect(final.type === 'failed' && final.reason).toContain('No such file or directory');
  });

  it('reports a program that cannot be started as failed', async () => {
    await executor.launch({
      runId,
      spec: taskSpec('missing:0', ['reelflow-no-such-program']),
      attempt: 0,
      runDir,
    });
    expect(await recorder.final(runId, 'missing:0')).toMatchObject({
      type: 'failed',
      exitCode: null,
    });
  });

  it('never goes through a shell and passes only the task environment', async () => {
    process.env.REELFLOW_TEST_SECRET = 'do-not-leak';
    const hostile = taskSpec('hostile:0', ['ffmpeg', '-i', 'x; touch pwned', 'out.mp4']);
    const env = taskSpec('env:0', ['env'], { env: { REELFLOW_TASK: 'yes' } });
    await executor.launch({ runId, spec: hostile, attempt: 0, runDir });
    await executor.launch({ runId, spec: env, attempt: 0, runDir });
    await recorder.final(runId, 'hostile:0');
    await recorder.final(runId, 'env:0');
    delete process.env.REELFLOW_TEST_SECRET;

    await expect(stat(path.join(runDir, 'pwned'))).rejects.toThrow(/ENOENT/);
    const lines = recorder.of(runId, 'env:0').flatMap((e) => (e.type === 'log' ? [e.line] : []));
    expect(lines).toContain('REELFLOW_TASK=yes');
    expect(lines.some((l) => l.includes('do-not-leak'))).toBe(false);
  });

  it('cancel kills the running task', async () => {
    const spec = taskSpec('long:0', [
      'ffmpeg',
      '-nostats',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=120',
      '-f',
      'null',
      '-',
    ]);
    await executor.launch({ runId, spec, attempt: 0, runDir });
    await recorder.next((e) => e.key === 'long:0' && e.type === 'started');
    await executor.cancel(runId, 'long:0');

    expect(await recorder.final(runId, 'long:0')).toMatchObject({ type: 'cancelled' });
    expect(await executor.listRunTasks(runId)).toContainEqual({
      key: 'long:0',
      attempt: 0,
      state: 'failed',
    });
  });

  it('queues tasks beyond the concurrency limit and cancels a queued one without starting it', async () => {
    const limited = new LocalExecutor({ concurrency: 1 });
    const events = new EventRecorder(limited);
    const sleeper = taskSpec('first:0', [
      'ffmpeg',
      '-nostats',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=60',
      '-f',
      'null',
      '-',
    ]);
    await limited.launch({ runId, spec: sleeper, attempt: 0, runDir });
    await limited.launch({
      runId,
      spec: taskSpec('second:0', ['ffmpeg', '-version']),
      attempt: 0,
      runDir,
    });
    await limited.cancel(runId, 'second:0');
    await limited.cleanupRun(runId);

    expect(events.of(runId, 'second:0').map((e) => e.type)).toEqual(['cancelled']);
    expect(await events.final(runId, 'first:0')).toMatchObject({ type: 'cancelled' });
    expect(await limited.listRunTasks(runId)).toEqual([]);
    events.dispose();
  });
});

describe('local executor lanes', () => {
  it('runs light tasks in a lane of their own: a copy never waits behind an encode', async () => {
    const runDir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-lanes-'));
    const executor = new LocalExecutor({ concurrency: 1, lightConcurrency: 1 });
    const recorder = new EventRecorder(executor);
    const runId = `lanes-${process.pid}`;
    try {
      // The one heavy slot is taken by a long encode, and a second heavy task waits for it.
      const heavy = (key: string) =>
        taskSpec(key, testClipArgv(`${key.replace(':', '-')}.mp4`, 600));
      await executor.launch({ runId, spec: heavy('enc:0'), attempt: 0, runDir });
      await executor.launch({ runId, spec: heavy('enc:1'), attempt: 0, runDir });
      await recorder.next((e) => e.key === 'enc:0' && e.type === 'started');
      // A light copy starts and finishes while the encode still runs.
      const spec = taskSpec('xfer:0', ['ffmpeg', '-hide_banner', '-version']);
      await executor.launch({ runId, spec, attempt: 0, runDir, light: true });
      expect((await recorder.final(runId, 'xfer:0')).type).toBe('succeeded');
      expect(await executor.listRunTasks(runId)).toEqual(
        expect.arrayContaining([
          { key: 'enc:0', attempt: 0, state: 'running' },
          { key: 'enc:1', attempt: 0, state: 'running' }, // queued counts as running
        ]),
      );
      expect(recorder.of(runId, 'enc:1').map((e) => e.type)).not.toContain('started');
    } finally {
      await executor.cleanupRun(runId);
      recorder.dispose();
      await executor.close();
      await rm(runDir, { recursive: true, force: true });
    }
  });
});
