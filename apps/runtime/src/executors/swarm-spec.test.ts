import { describe, expect, it } from 'vitest';
import { resolveInside } from './task-files.js';
import { LABEL, serviceName, serviceSpec } from './swarm-spec.js';
import { taskSpec } from './testing.js';

const request = (extra: Parameters<typeof taskSpec>[2] = {}) => ({
  runId: 'run-2026-11-22T05:00:00Z_abcdef0123456789',
  spec: taskSpec('encode_720p:12', ['ffmpeg', '-i', 'in; rm -rf /', 'out.mp4'], extra),
  attempt: 3,
  runDir: '/srv/reelflow/runs/r1',
});

describe('swarm service spec', () => {
  it('makes a one-shot job on the host network that swarm never restarts', () => {
    const spec = serviceSpec(request(), { stopGraceSeconds: 2 });
    expect(spec.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(spec.TaskTemplate).toMatchObject({
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: 'host' }],
    });
  });

  it('passes argv as the command, untouched and without a shell', () => {
    const spec = serviceSpec(request(), { stopGraceSeconds: 2 });
    expect(
      spec.TaskTemplate &&
        'ContainerSpec' in spec.TaskTemplate &&
        spec.TaskTemplate.ContainerSpec?.Command,
    ).toEqual(['ffmpeg', '-i', 'in; rm -rf /', 'out.mp4']);
  });

  it('labels service and container with run, node, task and attempt', () => {
    const spec = serviceSpec(request({ labels: { [LABEL.run]: 'spoofed', team: 'video' } }), {
      stopGraceSeconds: 2,
    });
    const labels = {
      [LABEL.run]: 'run-2026-11-22T05:00:00Z_abcdef0123456789',
      [LABEL.node]: 'encode_720p',
      [LABEL.task]: 'encode_720p:12',
      [LABEL.attempt]: '3',
      team: 'video',
    };
    expect(spec.Labels).toEqual(labels);
    expect(
      spec.TaskTemplate &&
        'ContainerSpec' in spec.TaskTemplate &&
        spec.TaskTemplate.ContainerSpec?.Labels,
    ).toEqual(labels);
  });

  it('mounts the run directory at /data, plus other mounts, unless told not to', () => {
    const mounts = (extra: object) => {
      const spec = serviceSpec(
        {
          ...request({ mounts: [{ type: 'volume', source: 'cache', target: '/cache' }] }),
          ...extra,
        },
        { stopGraceSeconds: 2 },
      );
      return spec.TaskTemplate && 'ContainerSpec' in spec.TaskTemplate
        ? spec.TaskTemplate.ContainerSpec?.Mounts
        : undefined;
    };
    expect(mounts({})).toEqual([
      { Type: 'bind', Source: '/srv/reelflow/runs/r1', Target: '/data' },
      { Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: false },
    ]);
    expect(mounts({ mountRunDir: false })).toEqual([
      { Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: false },
    ]);
  });

  it('reserves the task resources, capped at the largest node, and keeps placement constraints', () => {
    const spec = serviceSpec(
      request({ resources: { cpus: 8, memoryBytes: 1e9 }, placement: ['node.role==worker'] }),
      {
        stopGraceSeconds: 2,
        capacity: { nanoCpus: 2e9, memoryBytes: 24e9 },
      },
    );
    expect(spec.TaskTemplate?.Resources?.Reservations).toEqual({ NanoCPUs: 2e9, MemoryBytes: 1e9 });
    expect(spec.TaskTemplate?.Placement?.Constraints).toEqual(['node.role==worker']);
  });

  it('names services validly and uniquely', () => {
    const a = serviceName(request());
    const b = serviceName(request());
    expect(a).not.toBe(b);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    }
  });
});

describe('task files', () => {
  it('stay inside the run directory', () => {
    expect(resolveInside('/runs/r1', 'merge/list.txt')).toBe('/runs/r1/merge/list.txt');
    expect(() => resolveInside('/runs/r1', '../r2/x')).toThrow(/outside the run directory/);
    expect(() => resolveInside('/runs/r1', '/etc/passwd')).toThrow(/outside the run directory/);
  });
});
