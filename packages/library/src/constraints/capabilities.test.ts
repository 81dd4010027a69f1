import { describe, expect, it } from 'vitest';
import { createLibrary, type ExecutorCapabilities, type Graph } from '@reelflow/fbp-model';
import {
  edge,
  expectError,
  expectNoIssue,
  expectWarning,
  graphOf,
  node,
  satisfies,
  validateGraph,
} from '@reelflow/semantics';
import { nodeTypes } from '../index.js';
import { withConstraints } from './index.js';

// executor-capability is a semantics rule; the encode's `devices` (VAAPI) comes from here.
const real = createLibrary(withConstraints(nodeTypes));

/** source → split → encode → merge → stream with the encode's params. */
const graph = (enc: Record<string, unknown>): Graph =>
  graphOf(
    [
      node('src', 'source'),
      node('split', 'split'),
      node('enc', 'encode', enc),
      node('merge', 'merge'),
      node('out', 'stream'),
    ],
    [
      edge('e1', 'src.out', 'split.in'),
      edge('e2', 'split.out', 'enc.in'),
      edge('e3', 'enc.out', 'merge.in'),
      edge('e4', 'merge.out', 'out.in'),
    ],
  );

/** The local executor's shape: this machine, placement ignored. */
const local = (devices: string[]): ExecutorCapabilities => ({
  executor: 'local',
  placement: false,
  nodes: [{ hostname: 'box', role: 'manager', labels: {}, devices }],
});

/** The swarm executor's shape (as `swarmCapabilities` builds it from listNodes). */
const swarm: ExecutorCapabilities = {
  executor: 'swarm',
  placement: true,
  nodes: [
    { hostname: 'mgr', id: 'n1', role: 'manager', labels: {}, devices: [] },
    {
      hostname: 'gpu1',
      id: 'n2',
      role: 'worker',
      labels: { 'reelflow.devices': 'dri', gpu: 'true' },
      platform: { os: 'linux', arch: 'x86_64' },
      devices: ['/dev/dri'],
    },
    { hostname: 'cpu1', id: 'n3', role: 'worker', labels: {}, devices: [] },
  ],
};

const check = (g: Graph, capabilities: ExecutorCapabilities, severity?: 'warning') =>
  validateGraph(g, real, { capabilities: { capabilities, severity } });

describe('executor-capability', () => {
  it('reports a hardware encode on a local machine without /dev/dri', () => {
    const d = expectError(
      check(graph({ implementation: 'hardware' }), local([])),
      'executor-capability',
      {
        kind: 'node',
        element: 'enc',
      },
    );
    expect(d.message).toContain('/dev/dri/renderD128');
    expect(d.message).toContain('local');
  });

  it('accepts it where the render node exists, and software encodes anywhere', () => {
    expectNoIssue(
      check(graph({ implementation: 'hardware' }), local(['/dev/dri/renderD128'])),
      'executor-capability',
    );
    expectNoIssue(check(graph({}), local([])), 'executor-capability');
  });

  it('ignores placement on the local executor, which does not honour it', () => {
    expectNoIssue(
      check(graph({ placement: ['node.hostname==elsewhere'] }), local([])),
      'executor-capability',
    );
  });

  it('is a warning when asked (the designer)', () => {
    expectWarning(
      check(graph({ implementation: 'hardware' }), local([]), 'warning'),
      'executor-capability',
    );
  });

  it('on swarm: accepts hardware where a labelled node may run it, reports it where none may', () => {
    expectNoIssue(check(graph({ implementation: 'hardware' }), swarm), 'executor-capability');
    const d = expectError(
      check(graph({ implementation: 'hardware', placement: ['node.labels.gpu!=true'] }), swarm),
      'executor-capability',
      { element: 'enc' },
    );
    expect(d.message).toContain('mgr (manager), cpu1 (worker)');
    expect(d.message).toContain('reelflow.devices=dri');
  });

  it('on swarm: reports placement no node satisfies, naming the machines', () => {
    const d = expectError(
      check(graph({ placement: ['node.role==worker', 'node.hostname==mgr'] }), swarm),
      'executor-capability',
      { element: 'enc', property: 'params.placement' },
    );
    expect(d.message).toContain('mgr (manager), gpu1 (worker), cpu1 (worker)');
    expectNoIssue(
      check(graph({ placement: ['node.role==worker', 'node.labels.gpu==true'] }), swarm),
      'executor-capability',
    );
  });

  it('matches each placement form, an unknown attribute counting as satisfied', () => {
    const [, gpu] = swarm.nodes as [never, (typeof swarm.nodes)[number]];
    expect(satisfies(gpu, 'node.id==n2')).toBe(true);
    expect(satisfies(gpu, 'node.platform.os==windows')).toBe(false);
    expect(satisfies(gpu, 'node.platform.arch == x86_64')).toBe(true);
    expect(satisfies(gpu, 'node.labels.zone==a')).toBe(false);
    expect(satisfies(gpu, 'node.labels.zone!=a')).toBe(true);
    expect(
      satisfies({ hostname: 'h', role: 'worker', labels: {}, devices: [] }, 'node.id==x'),
    ).toBe(true);
  });

  it('runs only when capabilities are given', () => {
    expectNoIssue(
      validateGraph(graph({ implementation: 'hardware' }), real),
      'executor-capability',
    );
  });
});
