/** How large a port's hit square is on screen, in px, at most zooms. */
export const PORT_HIT_SCREEN = 20;
/** Never smaller than this in flow px (zoomed in, the square need not shrink below the dot's). */
export const PORT_HIT_MIN = 28;
/** Never larger than this in flow px: zoomed far out, squares would cover whole nodes. */
export const PORT_HIT_MAX = 56;

/**
 * The side of a port's hit square in flow px at `zoom`, so that it measures PORT_HIT_SCREEN px
 * on screen (in 2 px steps, so zooming restyles the canvas rarely), within MIN and MAX.
 */
export function portHitSize(zoom: number): number {
  const wanted = Math.ceil(PORT_HIT_SCREEN / Math.max(zoom, 1e-3) / 2) * 2;
  return Math.min(PORT_HIT_MAX, Math.max(PORT_HIT_MIN, wanted));
}
