import { describe, expect, it } from 'vitest';
import { PORT_HIT_MAX, PORT_HIT_MIN, PORT_HIT_SCREEN, portHitSize } from './port-hit.js';

describe('portHitSize', () => {
  it('keeps the hit square at least PORT_HIT_SCREEN px on screen between the bounds', () => {
    for (const zoom of [0.4, 0.45, 0.6, 0.7]) {
      const size = portHitSize(zoom);
      expect(size * zoom).toBeGreaterThanOrEqual(PORT_HIT_SCREEN);
      expect(size * zoom).toBeLessThan(PORT_HIT_SCREEN + 2);
    }
  });

  it('stays within its bounds when zoomed far in or out', () => {
    expect(portHitSize(2)).toBe(PORT_HIT_MIN);
    expect(portHitSize(0.1)).toBe(PORT_HIT_MAX);
    expect(portHitSize(0)).toBe(PORT_HIT_MAX);
  });

  it('changes in 2 px steps, so small zoom changes restyle nothing', () => {
    expect(portHitSize(0.6)).toBe(portHitSize(0.595));
    expect(portHitSize(0.6) % 2).toBe(0);
  });
});
