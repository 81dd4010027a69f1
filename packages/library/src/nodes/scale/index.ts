import { z } from 'zod';
import { videoFilter } from '../../filter.js';
import { atMost } from '../../ffmpeg.js';

const side = (max: number, what: string) =>
  z
    .number()
    .int()
    .min(16)
    .max(max)
    .multipleOf(2, 'must be even (4:2:0 video)')
    .optional()
    .describe(
      `Output ${what} in pixels (16–${max}, even). Leave empty to follow the other side's aspect (both empty: unchanged).`,
    );

const params = z.strictObject({
  width: side(7680, 'width'),
  height: side(4320, 'height'),
  upscale: z
    .enum(['never', 'allow'])
    .default('never')
    .describe(
      'never: a side never grows past the source (a 640-wide source stays 640 when 1280 is asked); allow: scale to the size asked.',
    ),
});
export type ScaleParams = z.infer<typeof params>;

/** The size of one side: -2 keeps the aspect with an even size. */
function sideExpr(p: ScaleParams, input: 'iw' | 'ih', wanted: number | undefined): string {
  if (wanted === undefined) return '-2';
  return p.upscale === 'never' ? atMost(input, wanted) : String(wanted);
}

/** Scales each chunk in the encode's filter graph; by default never above the source size. */
export const scale = videoFilter<ScaleParams>({
  type: 'scale',
  title: 'Scale',
  description: 'Resizes the video (width/height, never above the source size unless allowed).',
  params,
  // With neither side set the node changes nothing (it is being set up).
  filter: (p) =>
    p.width === undefined && p.height === undefined
      ? {}
      : { chain: `scale=w=${sideExpr(p, 'iw', p.width)}:h=${sideExpr(p, 'ih', p.height)}` },
  costFactor: () => 0.05,
  temporal: () => false,
  size: (p, input) => {
    const fit = (asked: number | undefined, own: number) =>
      asked === undefined ? undefined : p.upscale === 'never' ? Math.min(own, asked) : asked;
    const width = fit(p.width, input.width);
    const height = fit(p.height, input.height);
    const aspect = input.width / input.height;
    return {
      width: width ?? (height === undefined ? input.width : height * aspect),
      height: height ?? (width === undefined ? input.height : width / aspect),
    };
  },
});
