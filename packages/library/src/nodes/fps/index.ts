import { z } from 'zod';
import { num, videoFilter, wholeVideoParam } from '../../filter.js';

const params = z.strictObject({
  rate: z
    .number()
    .min(1)
    .max(240)
    .default(30)
    .describe(
      'Output frames per second (1–240, e.g. 25, 29.97, 30); frames are dropped or repeated.',
    ),
  wholeVideo: wholeVideoParam,
});
export type FpsParams = z.infer<typeof params>;

/**
 * Converts the frame rate. Temporal: each chunk's frame grid restarts at its first frame, so
 * a frame may be repeated or dropped at a chunk boundary compared with the whole video.
 */
export const fps = videoFilter<FpsParams>({
  type: 'fps',
  title: 'Frame rate',
  description: 'Converts to a constant frame rate by dropping or repeating frames.',
  params,
  filter: (p) => ({ chain: `fps=fps=${num(p.rate)}` }),
  costFactor: () => 0.01,
  temporal: () => true,
});
