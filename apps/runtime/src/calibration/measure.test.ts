/**
 * `reelflow calibrate`'s measurements on the real swarm executor (heavy tasks as Swarm jobs,
 * light ones beside the run directory) and real ffmpeg: the two start-ups it reports differ
 * as a container and a process do, and it leaves no service behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { calibrationSchema } from '@reelflow/fbp-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridExecutor } from '../executors/hybrid.js';
import { LocalExecutor } from '../executors/local.js';
import { LABEL } from '../executors/swarm-spec.js';
import { SwarmExecutor } from '../executors/swarm.js';
import { ensureEngine } from '../executors/testing.js';
import { measureCalibration } from './measure.js';

describe('measureCalibration on the swarm executor', () => {
  const docker = new Docker();
  let dir: string;
  let executor: HybridExecutor;

  beforeAll(async () => {
    await ensureEngine();
    dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-measure-'));
    executor = new HybridExecutor(
      new SwarmExecutor({ progressIntervalMs: 0 }),
      new LocalExecutor({ allowedPrograms: ['ffmpeg', 'ffprobe', 'cp'] }),
    );
  });
  afterAll(async () => {
    await executor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('times a Swarm job and a process apart and cleans up after itself', async () => {
    const steps: string[] = [];
    const report = await measureCalibration({
      executor,
      dir,
      clipSeconds: 2,
      samples: 1,
      cores: 2,
      onStep: (s) => steps.push(s),
    });
    expect(report.executor).toBe('swarm');
    expect(calibrationSchema.parse(report.calibration)).toEqual(report.calibration);
    const { taskOverheadSeconds, lightTaskOverheadSeconds } = report.calibration;
    // A Swarm job (service, scheduling, container) against a process: several times longer.
    expect(taskOverheadSeconds).toBeGreaterThan(2 * lightTaskOverheadSeconds!);
    expect(report.measurements.encodeSeconds).toBeGreaterThan(
      report.measurements.processStartSeconds,
    );
    expect(steps).toEqual([
      'generating a 2 s 1280x720 clip',
      'timing a process start',
      'timing a stream copy',
      'timing 2 encode(s) side by side',
      'timing an empty task on the swarm executor',
    ]);
    const services = (await docker.listServices({ filters: { label: [LABEL.run] } })) as Array<{
      Spec?: { Labels?: Record<string, string> };
    }>;
    const ours = services.filter((s) => s.Spec?.Labels?.[LABEL.run]?.startsWith('calibrate-'));
    expect(ours).toEqual([]);
  }, 120_000);
});
