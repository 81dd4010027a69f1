import { describe, expect, it } from 'vitest';
import { chunkToken, compileNode } from '../../testing.js';
import { transfer } from './index.js';

describe('transfer', () => {
  it('defaults to the shared volume', () => {
    expect(transfer.params.parse({})).toMatchObject({
      strategy: 'shared',
      retries: 2,
      cpus: 0.25,
      memoryMb: 256,
    });
  });

  it('shared: copies the chunk byte for byte into its own folder and keeps the token on the volume', () => {
    const [spec] = compileNode(
      transfer,
      { strategy: 'shared' },
      { nodeId: 'xfer', inputs: [chunkToken(4)], index: 4 },
    );
    expect(spec!.argv).toEqual([
      'cp',
      '--',
      '/run/work/split/chunk_00004.ts',
      '/run/work/xfer/chunk_00004.ts',
    ]);
    expect(spec!.outputs).toEqual([
      { kind: 'file', path: 'work/xfer/chunk_00004.ts', dataType: 'chunk' },
    ]);
    expect(spec!.labels['reelflow.via']).toBe('shared');
    expect(spec!.key).toBe('xfer:4');
  });

  it('http: pushes the chunk with PUT and marks the outputs http', () => {
    const [spec] = compileNode(
      transfer,
      { strategy: 'http' },
      { nodeId: 'xfer', inputs: [chunkToken(0)] },
    );
    expect(spec!.argv.slice(-3)).toEqual([
      '-method',
      'PUT',
      'http://127.0.0.1:8080/api/runs/run-1/files/work/xfer/chunk_00000.ts',
    ]);
    expect(spec!.labels['reelflow.via']).toBe('http');
  });

  it('back from an http task: pulls over HTTP, writes to the shared volume', () => {
    const [spec] = compileNode(
      transfer,
      { strategy: 'shared' },
      {
        nodeId: 'back',
        inputs: [chunkToken(1, 3, { via: 'http', path: 'work/enc/chunk_00001.ts' })],
        index: 1,
      },
    );
    expect(spec!.argv).toContain(
      'http://127.0.0.1:8080/api/runs/run-1/files/work/enc/chunk_00001.ts',
    );
    expect(spec!.argv.at(-1)).toBe('/run/work/back/chunk_00001.ts');
    expect(spec!.argv).not.toContain('PUT');
  });

  it('keeps Matroska chunks in Matroska', () => {
    for (const strategy of ['shared', 'http'] as const) {
      const [spec] = compileNode(
        transfer,
        { strategy },
        { inputs: [chunkToken(0, 1, { path: 'work/enc/chunk_00000.mkv' })] },
      );
      expect(spec!.argv.at(-1)).toMatch(/\.mkv$/);
      if (strategy === 'http') expect(spec!.argv).toContain('matroska');
    }
  });

  it('rejects an unknown strategy', () => {
    expect(transfer.params.safeParse({ strategy: 'scp' }).success).toBe(false);
  });
});
