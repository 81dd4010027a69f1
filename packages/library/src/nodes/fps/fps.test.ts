import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { fps } from './index.js';

describe('fps', () => {
  it('compiles to the fps filter and is temporal', () => {
    const p = fps.params.parse({ rate: 29.97 });
    expect(fps.filter(p, chunkToken(0)).chain).toBe('fps=fps=29.97');
    expect(fps.temporal(p)).toBe(true);
    expect(p.wholeVideo).toBe(false);
  });

  it.each([0, 241, '30', '30000/1001'])('refuses rate %j', (rate) =>
    expect(fps.params.safeParse({ rate }).success).toBe(false),
  );
});
