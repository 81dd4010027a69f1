import { z } from 'zod';
import type { CompileContext, NodeTypeDef, TaskSpec } from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { copyEstimate, FFMPEG_HEAD, PROGRESS_ARGS, seconds, writeArgs } from '../../ffmpeg.js';
import { chunkFormatForCodec } from '../../formats.js';
import { escapePattern, locate, viaOf, workDir } from '../../paths.js';

const params = z.strictObject({
  segmentSeconds: z
    .number()
    .min(0.5)
    .max(3600)
    .default(10)
    .describe('Target chunk length in seconds (0.5–3600); cuts fall on the next keyframe.'),
  segments: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe('Number of chunks (1–1000); 0 uses segmentSeconds. Needs the input duration.'),
  ...taskParams({ cpus: 0.25, memoryMb: 512 }),
});
export type SplitParams = z.infer<typeof params>;

/** File name of the segment list the split writes beside its chunks. */
export const SEGMENT_LIST = 'segments.csv';

/** The chunk length to ask the segment muxer for. */
function segmentTime(p: SplitParams, durationSeconds: number | undefined, nodeId: string): number {
  if (p.segments === 0) return p.segmentSeconds;
  if (durationSeconds === undefined || durationSeconds <= 0) {
    throw new Error(
      `Split ${JSON.stringify(nodeId)} is set to ${p.segments} segments but the input's duration is unknown.`,
    );
  }
  return durationSeconds / p.segments;
}

function compile(ctx: CompileContext<SplitParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const dir = workDir(ctx.node.id);
  const format = chunkFormatForCodec(input.codec);
  const segmentList = `${dir}/${SEGMENT_LIST}`;
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-i', locate(ctx.storage, input.path, via),
    // First video and first audio stream; other streams (subtitles, data) do not survive chunking.
    '-map', '0:v:0', '-map', '0:a:0?',
    '-c', 'copy',
    '-f', 'segment',
    '-segment_format', format.muxer,
    '-segment_time', seconds(segmentTime(ctx.params, input.durationSeconds, ctx.node.id)),
    // Each chunk starts at 0; the segment list keeps where it sat in the source.
    '-reset_timestamps', '1',
    '-segment_list', locate(ctx.storage, segmentList, via),
    '-segment_list_type', 'csv',
    ...PROGRESS_ARGS,
    ...writeArgs(via),
    `${escapePattern(locate(ctx.storage, dir, via))}/chunk_%05d.${format.ext}`,
  ];
  return [
    task(ctx, {
      argv,
      via,
      outputs: [{ kind: 'dir', dir, suffix: `.${format.ext}`, dataType: 'chunk', segmentList }],
      durationSeconds: input.durationSeconds,
    }),
  ];
}

/**
 * Cuts a video into keyframe-aligned chunks with the segment muxer and stream copy: no
 * re-encoding, so cuts fall on the source's keyframes and chunk lengths follow them.
 */
export const split: NodeTypeDef<SplitParams> = {
  type: 'split',
  title: 'Split',
  description: 'Cuts the video into keyframe-aligned chunks without re-encoding.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true },
    {
      name: 'out',
      direction: 'out',
      dataType: 'chunk',
      multiplicity: 'many',
      description: 'One token per chunk.',
    },
  ],
  params,
  firing: 'fanout',
  compile,
  estimateSeconds: (_p, media, calibration) => copyEstimate(media, calibration),
  cores: () => 1,
  light: true,
};
