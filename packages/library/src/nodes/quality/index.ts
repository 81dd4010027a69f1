import { z } from 'zod';
import type {
  Calibration,
  CompileContext,
  MediaInfo,
  NodeTypeDef,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { FFMPEG_HEAD, decodeEstimate } from '../../ffmpeg.js';
import { locate, pad5, viaOf, workDir } from '../../paths.js';

const params = z.strictObject({
  metrics: z
    .enum(['psnr', 'ssim', 'both'])
    .default('both')
    .describe('Which metrics to compute: psnr, ssim or both.'),
  ...taskParams({ cpus: 1, memoryMb: 512 }),
});
export type QualityParams = z.infer<typeof params>;

/**
 * Where the split left the original of a chunk: the group names the split and the chunk's
 * index. The split writes MPEG-TS for H.264/H.265 (and MPEG-2) sources, which this assumes.
 */
export function referenceChunk(token: Token): string {
  if (token.group === undefined)
    throw new Error(
      `Quality needs a chunk of a split; token ${JSON.stringify(token.id)} has no group.`,
    );
  return `${workDir(token.group.origin)}/chunk_${pad5(token.group.index)}.ts`;
}

/**
 * The comparison graph, a fixed string: both inputs restart at time 0 (the encoded chunk sits
 * at its source position), the encoded one is scaled to the original's size, then compared.
 */
function filterGraph(metrics: QualityParams['metrics']): string {
  const prepare =
    '[0:v]setpts=PTS-STARTPTS[d];[1:v]setpts=PTS-STARTPTS[r];[d][r]scale2ref=flags=bicubic[ds][rs]';
  if (metrics !== 'both') return `${prepare};[ds][rs]${metrics}`;
  return `${prepare};[ds]split[d1][d2];[rs]split[r1][r2];[d1][r1]psnr;[d2][r2]ssim`;
}

function compile(ctx: CompileContext<QualityParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-i', locate(ctx.storage, input.path, via),
    '-i', locate(ctx.storage, referenceChunk(input), via),
    '-lavfi', filterGraph(ctx.params.metrics),
    // The scores go to the task log (`PSNR y:… average:…`, `SSIM … All:…`); no file is written.
    '-f', 'null', '-',
  ];
  // The chunk passes on unchanged: the output is the input file itself.
  return [
    task(ctx, { argv, via, outputs: [{ kind: 'file', path: input.path, dataType: 'chunk' }] }),
  ];
}

/** Two decodes and a comparison: about a veryfast encode of the same pixels, a fifth of it. */
function estimateSeconds(_p: QualityParams, media: MediaInfo, calibration: Calibration): number {
  return decodeEstimate(0.2, media, calibration);
}

/**
 * Measures an encoded chunk against its original from the split (PSNR and/or SSIM, in the task
 * log) and passes the chunk on unchanged, so it can sit between encode and merge.
 */
export const quality: NodeTypeDef<QualityParams> = {
  type: 'quality',
  title: 'Quality',
  description: 'Compares an encoded chunk with its original (PSNR/SSIM) and passes it on.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'chunk', multiplicity: 'one', required: true },
    { name: 'out', direction: 'out', dataType: 'chunk', multiplicity: 'one' },
  ],
  params,
  firing: 'map',
  compile,
  estimateSeconds,
  cores: () => 1,
};
