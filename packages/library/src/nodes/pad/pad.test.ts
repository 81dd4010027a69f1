import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { pad } from './index.js';

const chain = (params: unknown) => pad.filter(pad.params.parse(params), chunkToken(0)).chain;

describe('pad', () => {
  it('centres the picture on a black canvas by default', () => {
    expect(chain({ width: 1280, height: 720 })).toBe(
      'pad=w=1280:h=720:x=(ow-iw)/2:y=(oh-ih)/2:color=black',
    );
  });

  it('takes x, y and a hex colour, written as 0xRRGGBB', () => {
    expect(chain({ width: 640, height: 480, x: 0, y: 60, color: 'ff8800' })).toBe(
      'pad=w=640:h=480:x=0:y=60:color=0xff8800',
    );
    expect(chain({ color: '0x00FF00' })).toContain(':color=0x00FF00');
  });

  it.each(['#ff0000', 'red@0.5', 'ff00', 'purple', 'black:x=1'])('refuses colour %j', (color) =>
    expect(pad.params.safeParse({ color }).success).toBe(false),
  );
});
