import type { NodeTypeDef } from '@reelflow/fbp-model';

/** The palette's groups, in the order a flow reads: from the input to the checks. */
export const PALETTE_GROUPS = [
  'Input',
  'Chunking',
  'Video',
  'Audio',
  'Delivery',
  'Checks',
  'Other',
] as const;
export type PaletteGroup = (typeof PALETTE_GROUPS)[number];

const GROUP_OF: Readonly<Record<string, PaletteGroup>> = {
  source: 'Input',
  probe: 'Input',
  split: 'Chunking',
  transfer: 'Chunking',
  merge: 'Chunking',
  encode: 'Video',
  scale: 'Video',
  crop: 'Video',
  pad: 'Video',
  fps: 'Video',
  deinterlace: 'Video',
  denoise: 'Video',
  watermark: 'Video',
  text: 'Video',
  audio: 'Audio',
  stream: 'Delivery',
  thumbnails: 'Delivery',
  check: 'Checks',
  quality: 'Checks',
};

/** Node types by palette group, groups in order, types in library order; empty groups left out. */
export function groupTypes(
  types: readonly NodeTypeDef[],
): { group: PaletteGroup; types: NodeTypeDef[] }[] {
  return PALETTE_GROUPS.map((group) => ({
    group,
    types: types.filter((t) => (GROUP_OF[t.type] ?? 'Other') === group),
  })).filter((g) => g.types.length > 0);
}
