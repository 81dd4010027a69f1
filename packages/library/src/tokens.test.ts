import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '@reelflow/fbp-model';
import { chunkToken, compileNode, videoToken } from './testing.js';
import { merge, outputTokens, parseSegmentList, split, stream, transfer } from './index.js';

describe('parseSegmentList', () => {
  it('reads ffmpeg CSV lines, quoted names included', () => {
    const csv = 'chunk_00000.ts,0.000000,4.021333\r\n"a,""b"".ts",4.021333,8.000000\n\n';
    expect(parseSegmentList(csv)).toEqual([
      { file: 'chunk_00000.ts', start: 0, end: 4.021333 },
      { file: 'a,"b".ts', start: 4.021333, end: 8 },
    ]);
  });

  it.each(['chunk.ts,1', 'chunk.ts,x,2', 'chunk.ts,3,2', ',0,1', 'a.ts,0,1,2'])(
    'rejects %j naming the line',
    (line) => {
      expect(() => parseSegmentList(`ok.ts,0,1\n${line}\n`)).toThrow(/line 2/);
    },
  );
});

describe('outputTokens', () => {
  const splitSpec = compileNode(split, {}, { nodeId: 'cut', inputs: [videoToken()] })[0]!;

  it('turns the files of a split into one group of timed chunk tokens, in name order', () => {
    const files = [
      'work/cut/chunk_00001.ts',
      'work/cut/segments.csv',
      'work/cut/chunk_00000.ts',
      'work/other/chunk_00000.ts',
    ];
    const csv = 'chunk_00000.ts,0.000000,10.010000\nchunk_00001.ts,10.010000,15.500000\n';
    const tokens = outputTokens(splitSpec, files, csv);
    expect(tokens).toEqual([
      {
        id: 'cut:0/0',
        dataType: 'chunk',
        path: 'work/cut/chunk_00000.ts',
        via: 'shared',
        group: { id: 'cut#0', origin: 'cut', index: 0, count: 2 },
        startSeconds: 0,
        durationSeconds: 10.01,
      },
      {
        id: 'cut:0/1',
        dataType: 'chunk',
        path: 'work/cut/chunk_00001.ts',
        via: 'shared',
        group: { id: 'cut#0', origin: 'cut', index: 1, count: 2 },
        startSeconds: 10.01,
        durationSeconds: expect.closeTo(5.49, 6),
      },
    ]);
  });

  it('keeps the group and timing of a chunk through a map task, with the task’s via', () => {
    const spec = compileNode(
      transfer,
      { strategy: 'http' },
      { nodeId: 'x', inputs: [chunkToken(1)], index: 1 },
    )[0]!;
    expect(outputTokens(spec, [])).toEqual([
      { ...chunkToken(1), id: 'x:1/0', path: 'work/x/chunk_00001.ts', via: 'http' },
    ]);
  });

  it('gives a join one video token as long as its chunks together', () => {
    const spec = compileNode(
      merge,
      {},
      { nodeId: 'm', inputs: [0, 1, 2].map((i) => chunkToken(i)) },
    )[0]!;
    expect(outputTokens(spec, [])).toEqual([
      {
        id: 'm:0/0',
        dataType: 'video',
        path: 'work/m/output.mp4',
        via: 'shared',
        durationSeconds: 30,
      },
    ]);
  });

  it('gives a sink no tokens', () => {
    const spec: TaskSpec = compileNode(stream, {}, { inputs: [videoToken()] })[0]!;
    expect(outputTokens(spec, ['outputs/stream/index.m3u8'])).toEqual([]);
  });
});
