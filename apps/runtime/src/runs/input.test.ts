/**
 * A run's input is probed once: when whoever hands it over has probed it (the CLI does, to
 * refuse a bad file before anything starts), the run takes those facts instead of running
 * ffprobe again; without them it probes the file itself and refuses one that is not a video.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../server/runtime.js';
import { RecordingExecutorStub } from '../server/test-helpers.js';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as unknown;

describe('the input video of a run', () => {
  let dir: string;
  let notVideo: string;
  let runtime: Runtime;
  let executor: RecordingExecutorStub;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reelflow-input-'));
    // Not a video: ffprobe would refuse it, so a run that starts did not probe it.
    notVideo = join(dir, 'clip.mp4');
    writeFileSync(notVideo, 'plain text');
    executor = new RecordingExecutorStub();
    runtime = createRuntime({ dataDir: join(dir, 'data'), executor, port: 0, designerDir: false });
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the facts it was handed instead of probing again', async () => {
    const media = { durationSeconds: 42, width: 640, height: 360, codec: 'h264' };
    const run = runtime.manager.create(example, { path: notVideo, media });
    await expect.poll(() => executor.launched.length).toBeGreaterThan(0);
    const split = executor.launched[0]!;
    expect(split.spec.key).toBe('split:0');
    // The split's task is sized from the handed-over duration.
    expect(split.spec.durationSeconds).toBe(42);
    await runtime.manager.cancel(run.id);
  });

  it('probes the file itself without them, and refuses one that is not a video', async () => {
    const run = runtime.manager.create(example, { path: notVideo });
    expect(await runtime.manager.waitFor(run.id)).toBe('failed');
    expect((await runtime.manager.view(run.id))?.reason).toMatch(
      /the input video clip\.mp4 cannot be used/,
    );
  });
});
