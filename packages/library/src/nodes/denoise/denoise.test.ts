import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { denoise } from './index.js';

const parse = (params: unknown) => denoise.params.parse(params);

describe('denoise', () => {
  it('is spatial hqdn3d by default (temporal strengths 0), so chunk-safe', () => {
    const p = parse({});
    expect(denoise.filter(p, chunkToken(0)).chain).toBe(
      'hqdn3d=luma_spatial=4:chroma_spatial=3:luma_tmp=0:chroma_tmp=0',
    );
    expect(denoise.temporal(p)).toBe(false);
  });

  it('adds hqdn3d temporal strengths when asked, and is then temporal', () => {
    const p = parse({ strength: 2, temporal: true });
    expect(denoise.filter(p, chunkToken(0)).chain).toBe(
      'hqdn3d=luma_spatial=2:chroma_spatial=1.5:luma_tmp=3:chroma_tmp=2.25',
    );
    expect(denoise.temporal(p)).toBe(true);
  });

  it('compiles nlmeans with its strength, costed far above hqdn3d', () => {
    const p = parse({ method: 'nlmeans', strength: 6 });
    expect(denoise.filter(p, chunkToken(0)).chain).toBe('nlmeans=s=6');
    expect(denoise.costFactor(p)).toBeGreaterThan(10 * denoise.costFactor(parse({})));
  });

  it('refuses temporal nlmeans, naming params.temporal', () => {
    const r = denoise.params.safeParse({ method: 'nlmeans', temporal: true });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['temporal']);
  });
});
