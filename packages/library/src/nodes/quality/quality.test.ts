import { describe, expect, it } from 'vitest';
import { chunkToken, compileNode } from '../../testing.js';
import { quality } from './index.js';

const encoded = chunkToken(1, 3, { path: 'work/enc/chunk_00001.ts' });
const argvOf = (params: unknown, token = encoded) =>
  compileNode(quality, params, { nodeId: 'q', inputs: [token], index: 1 })[0]!.argv;

describe('quality', () => {
  it('compares the chunk with the split original and passes it on unchanged', () => {
    const [spec] = compileNode(quality, {}, { nodeId: 'q', inputs: [encoded], index: 1 });
    // prettier-ignore
    expect(spec!.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-i', '/run/work/enc/chunk_00001.ts',
      '-i', '/run/work/split/chunk_00001.ts',
      '-lavfi',
      '[0:v]setpts=PTS-STARTPTS[d];[1:v]setpts=PTS-STARTPTS[r];[d][r]scale2ref=flags=bicubic[ds][rs];' +
        '[ds]split[d1][d2];[rs]split[r1][r2];[d1][r1]psnr;[d2][r2]ssim',
      '-f', 'null', '-',
    ]);
    expect(spec!.outputs).toEqual([
      { kind: 'file', path: 'work/enc/chunk_00001.ts', dataType: 'chunk' },
    ]);
  });

  it.each(['psnr', 'ssim'])('computes only %s when asked', (metric) => {
    expect(argvOf({ metrics: metric }).at(-4)).toMatch(new RegExp(`\\[ds\\]\\[rs\\]${metric}$`));
  });

  it('needs a chunk of a split', () => {
    expect(() => argvOf({}, { ...encoded, group: undefined })).toThrow(/no group/);
  });
});
