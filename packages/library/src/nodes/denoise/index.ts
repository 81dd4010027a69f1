import { z } from 'zod';
import { num, videoFilter, wholeVideoParam } from '../../filter.js';

const params = z
  .strictObject({
    method: z
      .enum(['hqdn3d', 'nlmeans'])
      .default('hqdn3d')
      .describe('hqdn3d: fast; nlmeans: non-local means, better and several times slower.'),
    strength: z
      .number()
      .min(0.5)
      .max(15)
      .default(4)
      .describe('Strength (0.5–15): hqdn3d luma spatial strength, or nlmeans s.'),
    temporal: z
      .boolean()
      .default(false)
      .describe(
        'Also average across frames (hqdn3d only); temporal denoising restarts at each chunk.',
      ),
    wholeVideo: wholeVideoParam,
  })
  .superRefine((p, ctx) => {
    if (p.temporal && p.method === 'nlmeans')
      ctx.addIssue({
        code: 'custom',
        path: ['temporal'],
        message: 'nlmeans here is spatial only; use hqdn3d for temporal denoising',
      });
  });
export type DenoiseParams = z.infer<typeof params>;

function chain(p: DenoiseParams): string {
  if (p.method === 'nlmeans') return `nlmeans=s=${num(p.strength)}`;
  // hqdn3d's own ratios: chroma 3/4 of luma, temporal 1.5× spatial; 0 turns temporal off.
  const tmp = p.temporal ? 1.5 * p.strength : 0;
  return (
    `hqdn3d=luma_spatial=${num(p.strength)}:chroma_spatial=${num(0.75 * p.strength)}` +
    `:luma_tmp=${num(tmp)}:chroma_tmp=${num(0.75 * tmp)}`
  );
}

/** Reduces noise: spatial by default, so chunk boundaries do not show. */
export const denoise = videoFilter<DenoiseParams>({
  type: 'denoise',
  title: 'Denoise',
  description: 'Reduces noise with hqdn3d or nlmeans (strength; hqdn3d may also be temporal).',
  params,
  filter: (p) => ({ chain: chain(p) }),
  costFactor: (p) => (p.method === 'nlmeans' ? 4 : 0.2),
  temporal: (p) => p.temporal,
});
