import { describe, expect, it } from 'vitest';
import { chunkToken, compileNode } from './testing.js';
import { PLACEMENT_PATTERN, transfer } from './index.js';

describe('placement constraints', () => {
  it.each([
    'node.role==worker',
    'node.role != manager',
    'node.hostname==host-1',
    'node.labels.gpu==true',
    'node.labels.zone.eu==a_1',
    'node.platform.arch==x86_64',
  ])('accepts %j', (c) => expect(PLACEMENT_PATTERN.test(c)).toBe(true));

  it.each([
    'node.role==worker;rm -rf /',
    'engine.labels.x==1',
    'node.role=worker',
    'node.role==',
    'node.labels.==x',
    'node.role==a b',
    'node.role==$(x)',
  ])('rejects %j', (c) =>
    expect(transfer.params.safeParse({ placement: [c] }).success).toBe(false),
  );
});

describe('task', () => {
  const [spec] = compileNode(
    transfer,
    { cpus: 1.5, memoryMb: 300, placement: ['node.role==worker'], retries: 5 },
    { nodeId: 'xfer', runId: 'r42', index: 3, inputs: [chunkToken(3)], image: 'reelflow/ffmpeg:1' },
  );

  it('carries the image, reservations, placement, keys and labels of CONTRACTS section 5', () => {
    expect(spec).toMatchObject({
      key: 'xfer:3',
      nodeId: 'xfer',
      index: 3,
      image: 'reelflow/ffmpeg:1',
      mounts: [],
      resources: { cpus: 1.5, memoryBytes: 300 * 1024 * 1024 },
      placement: ['node.role==worker'],
      labels: {
        'reelflow.run': 'r42',
        'reelflow.node': 'xfer',
        'reelflow.task': 'xfer:3',
        'reelflow.via': 'shared',
      },
      inputs: [chunkToken(3)],
    });
    expect(spec!.argv[0]).toBe('cp');
  });

  it.each([{ retries: 11 }, { retries: -1 }, { cpus: 0 }, { memoryMb: 10 }, { memoryMb: 100.5 }])(
    'rejects %o',
    (p) => expect(transfer.params.safeParse(p).success).toBe(false),
  );
});
