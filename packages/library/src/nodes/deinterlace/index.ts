import { z } from 'zod';
import { videoFilter, wholeVideoParam } from '../../filter.js';

const params = z.strictObject({
  mode: z
    .enum(['send_frame', 'send_field'])
    .default('send_frame')
    .describe('send_frame: one frame per frame; send_field: one per field (doubles the rate).'),
  parity: z
    .enum(['auto', 'tff', 'bff'])
    .default('auto')
    .describe('Field order: auto (from the stream), tff (top first) or bff (bottom first).'),
  deint: z
    .enum(['all', 'interlaced'])
    .default('all')
    .describe('all: every frame; interlaced: only frames flagged interlaced.'),
  wholeVideo: wholeVideoParam,
});
export type DeinterlaceParams = z.infer<typeof params>;

/**
 * Deinterlaces with bwdif. Temporal: it reads the neighbouring fields, which at a chunk's first
 * and last frame are in the next chunk.
 */
export const deinterlace = videoFilter<DeinterlaceParams>({
  type: 'deinterlace',
  title: 'Deinterlace',
  description: 'Deinterlaces with bwdif (mode, field parity, all or flagged frames).',
  params,
  filter: (p) => ({ chain: `bwdif=mode=${p.mode}:parity=${p.parity}:deint=${p.deint}` }),
  costFactor: () => 0.3,
  temporal: () => true,
});
