import { z } from 'zod';
import { colorParam, ffmpegColor, videoFilter } from '../../filter.js';

const even = (max: number, what: string, fallback: number) =>
  z
    .number()
    .int()
    .min(16)
    .max(max)
    .multipleOf(2, 'must be even (4:2:0 video)')
    .default(fallback)
    .describe(`Padded ${what} in pixels (16–${max}, even); at least the input's.`);
const offset = (what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(8192)
    .optional()
    .describe(`Where the picture's ${what} edge lands (0–8192); empty centres it.`);

const params = z.strictObject({
  width: even(7680, 'width', 1920),
  height: even(4320, 'height', 1080),
  x: offset('left'),
  y: offset('top'),
  color: colorParam('black', 'Colour of the added border'),
});
export type PadParams = z.infer<typeof params>;

/** Adds borders around the picture (letterbox / pillarbox); the size must hold the input. */
export const pad = videoFilter<PadParams>({
  type: 'pad',
  title: 'Pad',
  description: 'Adds borders to reach a size (width, height, x, y, colour; centred by default).',
  params,
  filter: (p) => ({
    chain:
      `pad=w=${p.width}:h=${p.height}` +
      `:x=${p.x ?? '(ow-iw)/2'}:y=${p.y ?? '(oh-ih)/2'}` +
      `:color=${ffmpegColor(p.color)}`,
  }),
  costFactor: () => 0.02,
  temporal: () => false,
  size: (p) => ({ width: p.width, height: p.height }),
});
