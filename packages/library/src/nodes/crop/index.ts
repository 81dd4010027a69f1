import { z } from 'zod';
import { videoFilter } from '../../filter.js';

const even = (max: number, what: string, fallback: number) =>
  z
    .number()
    .int()
    .min(16)
    .max(max)
    .multipleOf(2, 'must be even (4:2:0 video)')
    .default(fallback)
    .describe(`${what} of the kept area in pixels (16–${max}, even).`);
const offset = (what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(8192)
    .optional()
    .describe(`${what} of the kept area's top-left corner (0–8192); empty centres it.`);

const params = z.strictObject({
  width: even(7680, 'Width', 640),
  height: even(4320, 'Height', 360),
  x: offset('Left edge'),
  y: offset('Top edge'),
});
export type CropParams = z.infer<typeof params>;

/** Keeps a rectangle of each frame; the area must fit in the frame (ffmpeg fails otherwise). */
export const crop = videoFilter<CropParams>({
  type: 'crop',
  title: 'Crop',
  description: 'Keeps a rectangle of the picture (width, height, x, y; centred by default).',
  params,
  filter: (p) => ({
    chain: [
      `crop=w=${p.width}:h=${p.height}`,
      ...(p.x === undefined ? [] : [`x=${p.x}`]),
      ...(p.y === undefined ? [] : [`y=${p.y}`]),
    ].join(':'),
  }),
  costFactor: () => 0.01,
  temporal: () => false,
  size: (p) => ({ width: p.width, height: p.height }),
});
