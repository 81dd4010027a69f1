import { z } from 'zod';
import { assetPath, UPLOAD_ID_PATTERN } from '../../paths.js';
import { cornerParam, cornerXY, marginParam, num, videoFilter } from '../../filter.js';

const params = z.strictObject({
  image: z
    .string()
    .regex(UPLOAD_ID_PATTERN, 'must be the upload id of an image (POST /api/uploads)')
    .optional()
    .describe(
      'The upload id of the image (PNG with transparency, or JPEG), from POST /api/uploads; the runtime puts it into the run as an asset.',
    ),
  position: cornerParam('image'),
  margin: marginParam,
  opacity: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Opacity of the image, 0 (invisible) to 1 (as drawn).'),
});
export type WatermarkParams = z.infer<typeof params>;

/** Lays an uploaded image over every frame, in a corner, with an opacity. */
export const watermark = videoFilter<WatermarkParams>({
  type: 'watermark',
  title: 'Watermark',
  description: 'Lays an uploaded image over the picture (corner and margin, opacity).',
  params,
  filter: (p, token) => {
    if (p.image === undefined) {
      throw new Error(
        `a watermark applied to chunk ${JSON.stringify(token.id)} names no image: upload one and set its image parameter`,
      );
    }
    const { x, y } = cornerXY(p.position, p.margin, {
      frameW: 'W',
      frameH: 'H',
      itemW: 'w',
      itemH: 'h',
    });
    return {
      overlay: {
        path: assetPath(p.image),
        prepare: `format=rgba,colorchannelmixer=aa=${num(p.opacity)}`,
        filter: `overlay=x=${x}:y=${y}:format=auto`,
      },
    };
  },
  costFactor: () => 0.05,
  temporal: () => false,
  assets: (p) => (p.image === undefined ? [] : [p.image]),
});
