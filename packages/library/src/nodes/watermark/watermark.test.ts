import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { watermark } from './index.js';

const IMAGE = '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('watermark', () => {
  it('overlays the run asset of the upload in a corner with its opacity', () => {
    const p = watermark.params.parse({
      image: IMAGE,
      position: 'top-right',
      margin: 8,
      opacity: 0.5,
    });
    expect(watermark.filter(p, chunkToken(0))).toEqual({
      overlay: {
        path: `assets/${IMAGE}`,
        prepare: 'format=rgba,colorchannelmixer=aa=0.5',
        filter: 'overlay=x=W-w-8:y=8:format=auto',
      },
    });
  });

  it.each([
    ['bottom-right', 'overlay=x=W-w-16:y=H-h-16:format=auto'],
    ['bottom-left', 'overlay=x=16:y=H-h-16:format=auto'],
    ['top-left', 'overlay=x=16:y=16:format=auto'],
    ['center', 'overlay=x=(W-w)/2:y=(H-h)/2:format=auto'],
  ])('places it at %s', (position, filter) => {
    const p = watermark.params.parse({ image: IMAGE, position });
    expect(watermark.filter(p, chunkToken(0)).overlay?.filter).toBe(filter);
  });

  it('says what is missing when no image is set', () => {
    expect(() => watermark.filter(watermark.params.parse({}), chunkToken(0))).toThrow(
      /names no image/,
    );
  });

  it.each(['../../etc/passwd', 'logo.png', IMAGE.toUpperCase(), `${IMAGE}/x`])(
    'refuses image %j (only an upload id)',
    (image) => expect(watermark.params.safeParse({ image }).success).toBe(false),
  );

  it.each([-0.1, 1.5])('refuses opacity %j', (opacity) =>
    expect(watermark.params.safeParse({ image: IMAGE, opacity }).success).toBe(false),
  );
});
