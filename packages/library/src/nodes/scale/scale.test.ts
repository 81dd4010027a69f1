import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { scale } from './index.js';

const chain = (params: unknown) => scale.filter(scale.params.parse(params), chunkToken(0)).chain;

describe('scale', () => {
  it('never scales a side above the source by default: min(iw, W) without a comma', () => {
    expect(chain({ width: 1280 })).toBe('scale=w=(iw+1280-abs(iw-1280))/2:h=-2');
    expect(chain({ height: 720 })).toBe('scale=w=-2:h=(ih+720-abs(ih-720))/2');
  });

  it('scales to the size asked with upscale: allow', () => {
    expect(chain({ width: 1280, height: 720, upscale: 'allow' })).toBe('scale=w=1280:h=720');
  });

  it('changes nothing while neither side is set', () => {
    expect(chain({})).toBeUndefined();
  });

  it.each([{ width: 641 }, { height: 8 }, { upscale: 'always' }, { width: '1280' }])(
    'refuses %o',
    (params) => expect(scale.params.safeParse(params).success).toBe(false),
  );

  it('is a pass-through chunk → chunk map node, not temporal', () => {
    expect(scale.passThrough).toBe(true);
    expect(scale.firing).toBe('map');
    expect(scale.ports.map((p) => `${p.direction}:${p.name}:${p.dataType}`)).toEqual([
      'in:in:chunk',
      'out:out:chunk',
    ]);
    expect(scale.temporal(scale.params.parse({}))).toBe(false);
  });
});
