import type { FilterStep, MediaInfo, Token } from '@reelflow/fbp-model';
import type { FrameSize, VideoFilter, VideoFilterDef } from './filter.js';
import { crop } from './nodes/crop/index.js';
import { deinterlace } from './nodes/deinterlace/index.js';
import { denoise } from './nodes/denoise/index.js';
import { fps } from './nodes/fps/index.js';
import { pad } from './nodes/pad/index.js';
import { scale } from './nodes/scale/index.js';
import { text } from './nodes/text/index.js';
import { watermark } from './nodes/watermark/index.js';

/** Every video filter node type, in palette order. */
export const videoFilters = [scale, crop, pad, fps, deinterlace, denoise, watermark, text] as const;

/** Type names of the video filters (for the rules that follow chunks through them). */
export const VIDEO_FILTER_TYPES: readonly string[] = videoFilters.map((f) => f.type);

const byType = new Map<string, VideoFilterDef<unknown>>(
  videoFilters.map((f) => [f.type, f as unknown as VideoFilterDef<unknown>]),
);

/**
 * A step left on a token, checked again: a known filter type and parameters its schema
 * accepts. Tokens cross process boundaries (the engine state is saved as JSON), so the
 * encode trusts nothing it did not validate itself.
 */
function resolve(step: FilterStep): { def: VideoFilterDef<unknown>; params: unknown } {
  const def = byType.get(step.type);
  if (!def) {
    throw new Error(
      `node ${JSON.stringify(step.node)} left a step of type ${JSON.stringify(step.type)}, which is not a video filter (known: ${VIDEO_FILTER_TYPES.join(', ')})`,
    );
  }
  const parsed = def.params.safeParse(step.params);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((i) => `params.${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`${step.type} node ${JSON.stringify(step.node)}: ${problem}`);
  }
  return { def, params: parsed.data };
}

/** The filters of a token's steps, for one chunk, in order. */
export function tokenFilters(token: Token): VideoFilter[] {
  return (token.filters ?? []).map((step) => {
    const { def, params } = resolve(step);
    return def.filter(params, token);
  });
}

/** The extra work of the steps fused into an encode, as a fraction of the encode's work. */
export function filterCostFactor(media: Pick<MediaInfo, 'filters'>): number {
  return (media.filters ?? []).reduce((sum, step) => {
    const def = byType.get(step.type);
    const parsed = def?.params.safeParse(step.params);
    return sum + (def && parsed?.success ? def.costFactor(parsed.data) : 0);
  }, 0);
}

/**
 * The frame size after the steps fused into an encode (scale, crop, pad change it), for the
 * encode's cost; the media as given when its size is unknown or a step is invalid.
 */
export function filteredMedia(media: MediaInfo): MediaInfo {
  if (media.width === undefined || media.height === undefined) return media;
  let size: FrameSize = { width: media.width, height: media.height };
  for (const step of media.filters ?? []) {
    const def = byType.get(step.type);
    const parsed = def?.params.safeParse(step.params);
    if (def?.size && parsed?.success) size = def.size(parsed.data, size);
  }
  return { ...media, width: size.width, height: size.height };
}

/** The part of an ffmpeg command that filters the video of input 0. */
export interface VideoGraphArgs {
  /** Extra inputs after the main one (`-i image`), in the order the graph numbers them. */
  readonly inputs: readonly string[];
  /** How the video to encode is mapped: `0:v:0`, or the graph's output label. */
  readonly map: string;
  /** `-vf chain`, `-filter_complex graph`, or nothing. */
  readonly filter: readonly string[];
}

/**
 * One filter graph for an encode: the token's filters in order, then `tail` (the encode's own
 * scale and format filters). A plain chain goes in `-vf`; overlays need their image as a second
 * input, so the graph becomes `-filter_complex` with labelled pads:
 * `[0:v]chain[v0];[1:v]prepare[i0];[v0][i0]overlay[v1];[v1]rest[vout]`.
 * `locate` turns a run-relative path into what the task opens (file or URL).
 */
export function videoGraph(
  filters: readonly VideoFilter[],
  tail: readonly string[],
  locate: (path: string) => string,
): VideoGraphArgs {
  const overlays = filters.filter((f) => f.overlay !== undefined);
  if (overlays.length === 0) {
    const chain = [...filters.flatMap((f) => (f.chain ? [f.chain] : [])), ...tail].join(',');
    return { inputs: [], map: '0:v:0', filter: chain === '' ? [] : ['-vf', chain] };
  }
  const inputs: string[] = [];
  const parts: string[] = [];
  let pending: string[] = [];
  let label = '0:v';
  let n = 0;
  for (const f of filters) {
    if (f.chain) pending.push(f.chain);
    if (!f.overlay) continue;
    inputs.push('-i', locate(f.overlay.path));
    const before = `v${n}`;
    const image = `i${n}`;
    const after = `v${n + 1}`;
    parts.push(`[${label}]${pending.length > 0 ? pending.join(',') : 'null'}[${before}]`);
    parts.push(`[${inputs.length / 2}:v]${f.overlay.prepare}[${image}]`);
    parts.push(`[${before}][${image}]${f.overlay.filter}[${after}]`);
    pending = [];
    label = after;
    n += 1;
  }
  const rest = [...pending, ...tail];
  parts.push(`[${label}]${rest.length > 0 ? rest.join(',') : 'null'}[vout]`);
  return { inputs, map: '[vout]', filter: ['-filter_complex', parts.join(';')] };
}
