import { emptyGraph, type Graph, type OutputFile } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { canRetry, changedParams, formatBytes, groupOutputs } from './run-rules.js';

const withEncode = (params: Record<string, unknown>): Graph => ({
  ...emptyGraph('g', 'G'),
  nodes: [{ id: 'enc', type: 'encode', params }],
});

describe('run rules', () => {
  it('offers a retry only where the runtime takes one', () => {
    expect(canRetry('failed', 'failed')).toBe(true);
    expect(canRetry('running', 'failed')).toBe(true);
    expect(canRetry('cancelled', 'failed')).toBe(false);
    expect(canRetry('cancelled', 'cancelled')).toBe(false);
    expect(canRetry('failed', 'cancelled')).toBe(false);
    expect(canRetry('succeeded', 'done')).toBe(false);
    expect(canRetry(undefined, 'failed')).toBe(false);
  });

  it('names the parameters edited since the run started', () => {
    const ran = withEncode({ crf: 23, preset: 'veryfast' });
    expect(changedParams(ran, withEncode({ crf: 30, preset: 'veryfast' }), 'enc')).toEqual([
      { name: 'crf', ran: 23, now: 30 },
    ]);
    expect(changedParams(ran, withEncode({ crf: 23 }), 'enc')).toEqual([
      { name: 'preset', ran: 'veryfast', now: undefined },
    ]);
    expect(changedParams(ran, ran, 'enc')).toEqual([]);
  });

  it('lists whole outputs first, the master playlist on top, segments per folder', () => {
    const f = (path: string, kind: OutputFile['kind'], bytes = 1): OutputFile => ({
      path,
      kind,
      bytes,
    });
    const grouped = groupOutputs([
      f('merge/out.mp4', 'video'),
      f('out/720p/index.m3u8', 'playlist'),
      f('out/720p/segment_00000.ts', 'segment', 500),
      f('out/720p/segment_00001.ts', 'segment', 700),
      f('out/master.m3u8', 'playlist'),
    ]);
    expect(grouped.files.map((x) => x.path)).toEqual([
      'out/master.m3u8',
      'out/720p/index.m3u8',
      'merge/out.mp4',
    ]);
    expect(grouped.segments).toEqual([
      { folder: 'out/720p', files: expect.any(Array), bytes: 1200 },
    ]);
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_450_000)).toBe('1.4 MB');
    expect(formatBytes(12_500_000)).toBe('13 MB');
  });
});
