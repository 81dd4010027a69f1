import { z } from 'zod';
import type { CompileContext, NodeTypeDef, TaskSpec } from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { COPY_HEAD, copyEstimate, FFMPEG_HEAD, writeArgs } from '../../ffmpeg.js';
import { chunkFormatOfPath } from '../../formats.js';
import { locate, pad5, viaOf, workDir } from '../../paths.js';

const params = z.strictObject({
  strategy: z
    .enum(['shared', 'http'])
    .default('shared')
    .describe(
      'shared: copy the chunk on the shared run volume (a plain byte copy). http: relay it through the runtime, so the next task pulls its input and pushes its output over HTTP (no shared filesystem needed).',
    ),
  ...taskParams({ cpus: 0.25, memoryMb: 256 }),
});
export type TransferParams = z.infer<typeof params>;

function compile(ctx: CompileContext<TransferParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const from = viaOf(input);
  const to = ctx.params.strategy;
  const format = chunkFormatOfPath(input.path);
  const path = `${workDir(ctx.node.id)}/chunk_${pad5(ctx.index)}.${format.ext}`;
  const source = locate(ctx.storage, input.path, from);
  const target = locate(ctx.storage, path, to);
  // Volume to volume the bytes are copied as they are: no demuxing, a few ms instead of an
  // ffmpeg start. Over HTTP ffmpeg pulls or pushes the chunk, rewrapping it as it streams.
  // prettier-ignore
  const argv =
    from === 'shared' && to === 'shared'
      ? [...COPY_HEAD, source, target]
      : [
          ...FFMPEG_HEAD,
          '-i', source,
          '-map', '0', '-c', 'copy',
          '-f', format.muxer,
          ...writeArgs(to),
          target,
        ];
  return [task(ctx, { argv, via: to, outputs: [{ kind: 'file', path, dataType: 'chunk' }] })];
}

/**
 * Moves a chunk to where the next task runs and, placed after it, back. With `shared` it copies
 * the chunk into its own folder on the run volume; with `http` it relays the chunk through the
 * runtime's file routes and marks the token `via: 'http'`, so the next task reads and writes
 * over HTTP.
 */
export const transfer: NodeTypeDef<TransferParams> = {
  type: 'transfer',
  title: 'Transfer',
  description:
    'Moves a chunk to where the next task runs (shared volume or HTTP pull/push), and back.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'chunk', multiplicity: 'one', required: true },
    { name: 'out', direction: 'out', dataType: 'chunk', multiplicity: 'one' },
  ],
  params,
  firing: 'map',
  compile,
  estimateSeconds: (_p, media, calibration) => copyEstimate(media, calibration),
  cores: () => 1,
  light: true,
};
