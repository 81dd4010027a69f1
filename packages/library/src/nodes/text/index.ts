import { z } from 'zod';
import {
  colorParam,
  cornerParam,
  cornerXY,
  ffmpegColor,
  marginParam,
  num,
  videoFilter,
} from '../../filter.js';

/**
 * Burn-in text we accept: words of letters, digits and `_ . + -`, single spaces between.
 * Nothing that means something to a filter graph (`:,;[]'\=`), drawtext (`%`) or a shell.
 */
export const TEXT_PATTERN = /^[A-Za-z0-9_.+-]+( [A-Za-z0-9_.+-]+)*$/;

const params = z
  .strictObject({
    mode: z
      .enum(['timecode', 'text'])
      .default('timecode')
      .describe(
        'timecode: the frame time in the source as HH:MM:SS.mmm (right in every chunk); text: the text below.',
      ),
    text: z
      .string()
      .max(80)
      .regex(TEXT_PATTERN, 'letters, digits, _ . + - and single spaces between words only')
      .optional()
      .describe('Text to burn in (mode text): letters, digits, _ . + - and single spaces, ≤ 80.'),
    position: cornerParam('text'),
    margin: marginParam,
    fontSize: z
      .number()
      .int()
      .min(8)
      .max(200)
      .default(32)
      .describe('Font size in pixels (8–200); the font is fontconfig’s default sans.'),
    color: colorParam('white', 'Text colour'),
    box: z.boolean().default(true).describe('Draw a half-transparent black box behind the text.'),
  })
  .superRefine((p, ctx) => {
    if (p.mode === 'text' && p.text === undefined)
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'mode text needs a text' });
  });
export type TextParams = z.infer<typeof params>;

/**
 * drawtext's `%{pts:hms:OFFSET}`: the frame's time plus where the chunk starts in the source,
 * so the timecode runs on across chunks. The colons are escaped twice: once for the filter
 * graph, once for drawtext's option list.
 */
const timecode = (offsetSeconds: number): string => `%{pts\\\\:hms\\\\:${num(offsetSeconds)}}`;

/** Burns the source timecode or a text into the picture. */
export const text = videoFilter<TextParams>({
  type: 'text',
  title: 'Text',
  description: 'Burns in the source timecode or a text (drawtext, fontconfig default font).',
  params,
  filter: (p, token) => {
    const { x, y } = cornerXY(p.position, p.margin, {
      frameW: 'w',
      frameH: 'h',
      itemW: 'tw',
      itemH: 'th',
    });
    const content =
      p.mode === 'timecode'
        ? `text=${timecode(token.startSeconds ?? 0)}`
        : `expansion=none:text=${p.text ?? ''}`;
    const box = p.box ? ':box=1:boxcolor=black@0.5:boxborderw=8' : '';
    return {
      chain: `drawtext=${content}:fontsize=${p.fontSize}:fontcolor=${ffmpegColor(p.color)}${box}:x=${x}:y=${y}`,
    };
  },
  costFactor: () => 0.05,
  // The timecode is offset by the chunk's start: the same on chunks as on the whole video.
  temporal: () => false,
});
