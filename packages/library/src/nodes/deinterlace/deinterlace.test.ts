import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { deinterlace } from './index.js';

describe('deinterlace', () => {
  it('compiles to bwdif with mode, parity and deint, and is temporal', () => {
    const p = deinterlace.params.parse({});
    expect(deinterlace.filter(p, chunkToken(0)).chain).toBe(
      'bwdif=mode=send_frame:parity=auto:deint=all',
    );
    const q = deinterlace.params.parse({ mode: 'send_field', parity: 'tff', deint: 'interlaced' });
    expect(deinterlace.filter(q, chunkToken(0)).chain).toBe(
      'bwdif=mode=send_field:parity=tff:deint=interlaced',
    );
    expect(deinterlace.temporal(p)).toBe(true);
  });

  it.each([{ mode: 1 }, { parity: 'top' }, { deint: 'some' }])('refuses %o', (params) =>
    expect(deinterlace.params.safeParse(params).success).toBe(false),
  );
});
