import { z } from 'zod';
import type { NodeTypeDef, Token } from '@reelflow/fbp-model';

/**
 * What every video filter node type shares. A filter runs no task of its own
 * (`passThrough`): the engine leaves its step on each chunk token, and the encode that
 * consumes the token builds the filter into its own filter graph (`filtergraph.ts`), so a
 * filtered chunk is decoded and encoded once, with no intermediate file.
 *
 * Filter strings are made here from validated numbers and enum members only: nothing a
 * person typed reaches a filter graph unless its schema allows only `[A-Za-z0-9 _.+-]`.
 */

/** What a filter contributes to an encode's filter graph for one chunk. */
export interface VideoFilter {
  /** A filter chain (`name=k=v:k=v,...`) applied to the video. */
  readonly chain?: string;
  /**
   * A second input laid over the video (a watermark): the run-relative path of the image,
   * the chain that prepares it (`[image] chain [prepared]`) and the overlay filter joining
   * them (`[video][prepared] overlay`).
   */
  readonly overlay?: { readonly path: string; readonly prepare: string; readonly filter: string };
}

/** A video filter node type: a pass-through chunk → chunk node with its filter and cost. */
export interface VideoFilterDef<P> extends NodeTypeDef<P> {
  readonly passThrough: true;
  /** The filter for one chunk; `token` is the chunk (its `startSeconds` places it in the source). */
  filter(params: P, token: Token): VideoFilter;
  /**
   * Extra work of the filter as a fraction of the encode's own work on the same frames
   * (scale about 0.05, nlmeans several times the encode): the encode's estimate grows by it.
   */
  costFactor(params: P): number;
  /**
   * True when the filter's output near a chunk boundary differs from what it would give on
   * the whole video (it looks at neighbouring frames or changes frame timing).
   */
  temporal(params: P): boolean;
  /** The frame size out of the filter for a frame size in, when it changes it (for costs). */
  size?(params: P, input: FrameSize): FrameSize;
}

/** A frame size in pixels. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** Build a video filter node type from its specific parts. */
export function videoFilter<P>(
  parts: Omit<
    VideoFilterDef<P>,
    'ports' | 'firing' | 'passThrough' | 'compile' | 'estimateSeconds' | 'cores'
  >,
): VideoFilterDef<P> {
  return {
    ...parts,
    ports: [
      {
        name: 'in',
        direction: 'in',
        dataType: 'chunk',
        multiplicity: 'one',
        required: true,
        description: 'Chunks to filter.',
      },
      {
        name: 'out',
        direction: 'out',
        dataType: 'chunk',
        multiplicity: 'one',
        description: 'The same chunks, with this filter to be applied by the encode downstream.',
      },
    ],
    firing: 'map',
    passThrough: true,
    // Never called for a pass-through node (the engine makes no task); the encode runs it.
    compile: () => [],
    // The work is charged to the encode that runs the filter (see `costFactor`).
    estimateSeconds: () => 0,
    cores: () => 0,
  };
}

/** `wholeVideo`, for the temporal filters (rule `chunk-unsafe-filter`). */
export const wholeVideoParam = z
  .boolean()
  .default(false)
  .describe(
    'Filter the video uncut: the split feeding this node must make one segment (segments: 1). Without it, a temporal filter restarts at every chunk boundary (warning chunk-unsafe-filter).',
  );

/** Corners an overlay or text can sit in. */
export const CORNERS = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'center'] as const;
export type Corner = (typeof CORNERS)[number];

export const cornerParam = (what: string) =>
  z.enum(CORNERS).default('bottom-right').describe(`Where the ${what} sits.`);

export const marginParam = z
  .number()
  .int()
  .min(0)
  .max(1000)
  .default(16)
  .describe('Distance from the edges in pixels (0–1000); ignored at center.');

/**
 * x and y of an item `itemW`×`itemH` in a frame `frameW`×`frameH` (ffmpeg expressions made of
 * those variable names and the margin): corner placement without commas or quotes.
 */
export function cornerXY(
  corner: Corner,
  margin: number,
  names: { frameW: string; frameH: string; itemW: string; itemH: string },
): { x: string; y: string } {
  const { frameW, frameH, itemW, itemH } = names;
  const left = String(margin);
  const right = `${frameW}-${itemW}-${margin}`;
  const top = String(margin);
  const bottom = `${frameH}-${itemH}-${margin}`;
  switch (corner) {
    case 'top-left':
      return { x: left, y: top };
    case 'top-right':
      return { x: right, y: top };
    case 'bottom-left':
      return { x: left, y: bottom };
    case 'bottom-right':
      return { x: right, y: bottom };
    case 'center':
      return { x: `(${frameW}-${itemW})/2`, y: `(${frameH}-${itemH})/2` };
  }
}

/** Colour names ffmpeg knows that we accept, besides hex. */
export const COLOR_NAMES = ['black', 'white', 'gray', 'red', 'green', 'blue', 'yellow'] as const;
const HEX_COLOR = /^(0x)?[0-9A-Fa-f]{6}$/;

export const colorParam = (fallback: string, what: string) =>
  z
    .string()
    .refine(
      (c) => (COLOR_NAMES as readonly string[]).includes(c) || HEX_COLOR.test(c),
      `must be one of ${COLOR_NAMES.join(', ')}, or a hex colour RRGGBB (optionally 0xRRGGBB)`,
    )
    .default(fallback)
    .describe(
      `${what}: ${COLOR_NAMES.join(', ')}, or hex RRGGBB / 0xRRGGBB (no #: it would need quoting).`,
    );

/** A validated colour as ffmpeg reads it: a name, or 0xRRGGBB. */
export const ffmpegColor = (color: string): string =>
  HEX_COLOR.test(color) ? `0x${color.replace(/^0x/, '')}` : color;

/** A number as it goes into a filter string: finite, at most 6 decimals, no exponent. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Invalid number in a filter: ${value}`);
  const text = String(Number(value.toFixed(6)));
  if (/e/i.test(text)) throw new Error(`Number out of range for a filter: ${value}`);
  return text;
}
