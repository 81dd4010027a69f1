import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { crop } from './index.js';

const chain = (params: unknown) => crop.filter(crop.params.parse(params), chunkToken(0)).chain;

describe('crop', () => {
  it('keeps a centred area by default', () => {
    expect(chain({ width: 320, height: 180 })).toBe('crop=w=320:h=180');
  });

  it('places the area at x, y when given', () => {
    expect(chain({ width: 320, height: 180, x: 10, y: 0 })).toBe('crop=w=320:h=180:x=10:y=0');
  });

  it.each([{ width: 321 }, { x: -1 }, { y: 1.5 }, { x: 'iw/2' }])('refuses %o', (params) =>
    expect(crop.params.safeParse(params).success).toBe(false),
  );
});
