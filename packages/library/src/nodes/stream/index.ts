import { z } from 'zod';
import type { CompileContext, NodeTypeDef, TaskSpec } from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { copyEstimate, FFMPEG_HEAD, PROGRESS_ARGS, writeArgs } from '../../ffmpeg.js';
import { chunkFormatForCodec } from '../../formats.js';
import { escapePattern, locate, outputDir, viaOf, type Via } from '../../paths.js';

const params = z.strictObject({
  format: z
    .enum(['hls', 'dash'])
    .default('hls')
    .describe('hls (index.m3u8) or dash (manifest.mpd).'),
  segmentSeconds: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(4)
    .describe('Target playback segment length in seconds (1–60); segments cut on keyframes.'),
  ...taskParams({ cpus: 0.25, memoryMb: 256 }),
});
export type StreamParams = z.infer<typeof params>;

/** The playlist or manifest a stream node writes, relative to the run directory. */
export function streamEntry(nodeId: string, format: StreamParams['format']): string {
  return `${outputDir(nodeId)}/${format === 'hls' ? 'index.m3u8' : 'manifest.mpd'}`;
}

/** HLS: MPEG-TS segments for codecs TS carries, fragmented MP4 for VP9/AV1. */
function hlsArgs(
  dirLocation: string,
  segmentSeconds: number,
  codec: string | undefined,
  via: Via,
): string[] {
  const fmp4 = chunkFormatForCodec(codec).ext !== 'ts';
  // prettier-ignore
  return [
    '-f', 'hls',
    '-hls_time', String(segmentSeconds),
    '-hls_playlist_type', 'vod',
    ...(fmp4 ? ['-hls_segment_type', 'fmp4'] : []),
    ...(via === 'http' ? ['-method', 'PUT'] : []),
    '-hls_segment_filename', `${escapePattern(dirLocation)}/segment_%05d.${fmp4 ? 'm4s' : 'ts'}`,
  ];
}

/** DASH: the muxer names its init and media segments itself, next to the manifest. */
function dashArgs(segmentSeconds: number, via: Via): string[] {
  return ['-f', 'dash', '-seg_duration', String(segmentSeconds), ...writeArgs(via)];
}

function compile(ctx: CompileContext<StreamParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const { format, segmentSeconds } = ctx.params;
  const dirLocation = locate(ctx.storage, outputDir(ctx.node.id), via);
  const entry = streamEntry(ctx.node.id, format);
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    '-i', locate(ctx.storage, input.path, via),
    '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
    ...PROGRESS_ARGS,
    ...(format === 'hls' ? hlsArgs(dirLocation, segmentSeconds, input.codec, via) : dashArgs(segmentSeconds, via)),
    locate(ctx.storage, entry, via),
  ];
  // A sink: its files are published outputs, not tokens, so no `via` is declared.
  return [
    task(ctx, {
      argv,
      outputs: [{ kind: 'file', path: entry, dataType: 'video' }],
      durationSeconds: input.durationSeconds,
    }),
  ];
}

/** Packages a video for playback as HLS or DASH, without re-encoding. */
export const stream: NodeTypeDef<StreamParams> = {
  type: 'stream',
  title: 'Stream',
  description: 'Packages the video for playback (HLS or DASH segments) and serves it.',
  ports: [{ name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true }],
  params,
  firing: 'sink',
  compile,
  estimateSeconds: (_p, media, calibration) => copyEstimate(media, calibration),
  cores: () => 1,
  light: true,
};
