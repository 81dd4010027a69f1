import { describe, expect, it } from 'vitest';
import { swarmCapabilities, type SwarmNodeInfo } from './capabilities.js';

// FIXTURE: entries shaped like `docker.listNodes()` answers (Docker Engine API `Node`,
// trimmed to the fields read). The real swarm is exercised by the cluster suite.
const LIST_NODES_FIXTURE: SwarmNodeInfo[] = [
  {
    ID: 'mgr0id',
    Spec: { Role: 'manager', Availability: 'active', Labels: {} },
    Description: { Hostname: 'mgr0', Platform: { OS: 'linux', Architecture: 'x86_64' } },
    Status: { State: 'ready' },
  },
  {
    ID: 'gpu1id',
    Spec: {
      Role: 'worker',
      Availability: 'active',
      Labels: { 'reelflow.devices': 'dri, video0', gpu: 'true' },
    },
    Description: { Hostname: 'gpu1', Platform: { OS: 'linux', Architecture: 'x86_64' } },
    Status: { State: 'ready' },
  },
  {
    ID: 'drainedid',
    Spec: { Role: 'worker', Availability: 'drain', Labels: {} },
    Description: { Hostname: 'drained' },
    Status: { State: 'ready' },
  },
  {
    ID: 'downid',
    Spec: { Role: 'worker', Availability: 'active' },
    Description: { Hostname: 'down' },
    Status: { State: 'down' },
  },
  {
    ID: 'oddid',
    Spec: { Role: 'worker', Labels: { 'reelflow.devices': '../etc,dri/../x' } },
    Status: { State: 'ready' },
  },
];

describe('swarmCapabilities (listNodes fixture)', () => {
  it('lists ready, active nodes with role, labels, platform and labelled devices', () => {
    expect(swarmCapabilities(LIST_NODES_FIXTURE)).toEqual({
      executor: 'swarm',
      placement: true,
      nodes: [
        {
          hostname: 'mgr0',
          id: 'mgr0id',
          role: 'manager',
          labels: {},
          platform: { os: 'linux', arch: 'x86_64' },
          devices: [],
        },
        {
          hostname: 'gpu1',
          id: 'gpu1id',
          role: 'worker',
          labels: { 'reelflow.devices': 'dri, video0', gpu: 'true' },
          platform: { os: 'linux', arch: 'x86_64' },
          devices: ['/dev/dri', '/dev/video0'],
        },
        {
          hostname: 'oddid',
          id: 'oddid',
          role: 'worker',
          labels: { 'reelflow.devices': '../etc,dri/../x' },
          devices: [],
        },
      ],
    });
  });

  it('an empty swarm has no machines', () => {
    expect(swarmCapabilities([]).nodes).toEqual([]);
  });
});
