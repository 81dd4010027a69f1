import { z } from 'zod';
import type {
  CompileContext,
  NodeTypeDef,
  StorageView,
  TaskSpec,
  Token,
} from '@reelflow/fbp-model';
import { task, taskParams } from '../../common.js';
import { copyEstimate, FFMPEG_HEAD, PROGRESS_ARGS, seconds, writeArgs } from '../../ffmpeg.js';
import { locate, type Via, viaOf, workDir } from '../../paths.js';

export const CONTAINERS = ['mp4', 'mkv', 'webm'] as const;
export type Container = (typeof CONTAINERS)[number];

const params = z.strictObject({
  container: z
    .enum(CONTAINERS)
    .default('mp4')
    .describe('Container of the joined video: mp4, mkv or webm (VP9/AV1 only).'),
  incremental: z
    .boolean()
    .default(false)
    .describe('Publish an HLS playlist of the encoded chunks as they arrive, before the join.'),
  ...taskParams({ cpus: 0.25, memoryMb: 512 }),
});
export type MergeParams = z.infer<typeof params>;

/** File name of the concat list the runtime writes for the merge (from TaskSpec.files). */
export const CONCAT_LIST = 'concat.txt';

const MUXER: Record<Container, string> = { mp4: 'mp4', mkv: 'matroska', webm: 'webm' };

/** Protocols a concat list read over HTTP may open (its entries are HTTP URLs too). */
const HTTP_PROTOCOLS = 'file,http,https,tcp,tls,crypto';

/**
 * Quote a location for the concat demuxer: inside single quotes nothing is special, and a
 * single quote itself is written as `'\''` (close, escaped quote, reopen).
 */
export const concatQuote = (location: string): string => `'${location.replace(/'/g, "'\\''")}'`;

/** The chunks of one group in their order in the source. */
function inOrder(inputs: readonly Token[]): Token[] {
  return [...inputs].sort((a, b) => (a.group?.index ?? 0) - (b.group?.index ?? 0));
}

/**
 * The concat list. Each chunk's `duration` (from the split's segment list) places the next one,
 * so joins follow the source's timing rather than each chunk's longest stream.
 */
export function concatList(storage: StorageView, chunks: readonly Token[]): string {
  return chunks
    .map((t) => {
      const entry = `file ${concatQuote(locate(storage, t.path, viaOf(t)))}`;
      return t.durationSeconds === undefined
        ? entry
        : `${entry}\nduration ${seconds(t.durationSeconds)}`;
    })
    .join('\n')
    .concat('\n');
}

/** Muxer flags: MP4 gets its index up front for progressive playback; over HTTP it is fragmented, as PUT cannot seek back. */
function containerArgs(container: Container, via: Via): string[] {
  if (container !== 'mp4') return [];
  return [
    '-movflags',
    via === 'http' ? '+frag_keyframe+empty_moov+default_base_moof' : '+faststart',
  ];
}

function compile(ctx: CompileContext<MergeParams>): TaskSpec[] {
  if (ctx.inputs.length === 0)
    throw new Error(`Merge ${JSON.stringify(ctx.node.id)} received no chunks.`);
  const chunks = inOrder(ctx.inputs);
  const via: Via = chunks.some((t) => viaOf(t) === 'http') ? 'http' : 'shared';
  const dir = workDir(ctx.node.id);
  const listPath = `${dir}/${CONCAT_LIST}`;
  const path = `${dir}/output.${ctx.params.container}`;
  const total = chunks.every((t) => t.durationSeconds !== undefined)
    ? chunks.reduce((sum, t) => sum + (t.durationSeconds ?? 0), 0)
    : undefined;
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    ...(via === 'http' ? ['-protocol_whitelist', HTTP_PROTOCOLS] : []),
    '-f', 'concat', '-safe', '0',
    '-i', locate(ctx.storage, listPath, via),
    '-map', '0', '-c', 'copy',
    ...containerArgs(ctx.params.container, via),
    ...PROGRESS_ARGS,
    '-f', MUXER[ctx.params.container],
    ...writeArgs(via),
    locate(ctx.storage, path, via),
  ];
  return [
    task(ctx, {
      argv,
      via,
      inputs: chunks,
      files: [{ path: listPath, content: concatList(ctx.storage, chunks) }],
      outputs: [{ kind: 'file', path, dataType: 'video' }],
      durationSeconds: total,
    }),
  ];
}

/** Joins every chunk of one split, in order, with the concat demuxer and stream copy. */
export const merge: NodeTypeDef<MergeParams> = {
  type: 'merge',
  title: 'Merge',
  description: 'Joins all chunks of one split in order, without re-encoding.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'chunk', multiplicity: 'many', required: true },
    { name: 'out', direction: 'out', dataType: 'video', multiplicity: 'one' },
  ],
  params,
  firing: 'join',
  compile,
  estimateSeconds: (_p, media, calibration) => copyEstimate(media, calibration),
  cores: () => 1,
  light: true,
};
