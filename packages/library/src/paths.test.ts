import { describe, expect, it } from 'vitest';
import { assertRunPath, locate, safeName } from './index.js';

describe('safeName', () => {
  it('keeps plain ids and cleans the rest with a hash that keeps them apart', () => {
    expect(safeName('enc_1-a')).toBe('enc_1-a');
    expect(safeName('../x y')).toMatch(/^___x_y-[0-9a-f]{8}$/);
    expect(safeName('a/b')).not.toBe(safeName('a_b'));
    expect(safeName('a/b')).not.toBe(safeName('a:b'));
    expect(safeName('x'.repeat(200)).length).toBeLessThanOrEqual(49);
  });
});

describe('assertRunPath and locate', () => {
  it.each(['', '/etc/passwd', 'C:/x', '../up', 'a/../../b', 'a//b', 'a\\b', 'a\nb', './a'])(
    'rejects %j',
    (path) => {
      expect(() => assertRunPath(path)).toThrow(/Token path/);
    },
  );

  it('places shared paths under the root and http paths under httpBase, encoded', () => {
    const storage = { root: '/data/run/', httpBase: 'http://h:1/api/runs/r/files/' };
    expect(locate(storage, 'input/My clip #1.mp4', 'shared')).toBe(
      '/data/run/input/My clip #1.mp4',
    );
    expect(locate(storage, 'input/My clip #1.mp4', 'http')).toBe(
      'http://h:1/api/runs/r/files/input/My%20clip%20%231.mp4',
    );
  });

  it('says so when http is asked for without an httpBase', () => {
    expect(() => locate({ root: '/r' }, 'a.ts', 'http')).toThrow(/httpBase/);
  });
});
