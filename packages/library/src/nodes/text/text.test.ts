import { describe, expect, it } from 'vitest';
import { chunkToken } from '../../testing.js';
import { text } from './index.js';

const chain = (params: unknown, start = 20) =>
  text.filter(text.params.parse(params), chunkToken(2, 3, { startSeconds: start })).chain;

describe('text', () => {
  it('burns the source timecode, offset by where the chunk starts', () => {
    expect(chain({})).toBe(
      'drawtext=text=%{pts\\\\:hms\\\\:20}:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=8:x=w-tw-16:y=h-th-16',
    );
    expect(chain({}, 4.48)).toContain('%{pts\\\\:hms\\\\:4.48}');
    expect(text.temporal(text.params.parse({}))).toBe(false);
  });

  it('burns a plain text with expansion off', () => {
    expect(
      chain({
        mode: 'text',
        text: 'Draft v2 - not for release',
        position: 'top-left',
        box: false,
        color: 'yellow',
        fontSize: 24,
      }),
    ).toBe(
      'drawtext=expansion=none:text=Draft v2 - not for release:fontsize=24:fontcolor=yellow:x=16:y=16',
    );
  });

  it.each([
    'a:b',
    "it's",
    'a,b',
    '%{localtime}',
    'a\\nb',
    ' lead',
    'two  spaces',
    'x[y]',
    'a;b',
    'é',
  ])('refuses text %j', (value) =>
    expect(text.params.safeParse({ mode: 'text', text: value }).success).toBe(false),
  );

  it('needs a text in mode text', () => {
    const r = text.params.safeParse({ mode: 'text' });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['text']);
  });
});
