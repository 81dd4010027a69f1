import { library } from '@reelflow/library';
import { describe, expect, it } from 'vitest';
import { groupTypes } from './palette-groups.js';

describe('palette groups', () => {
  it('puts every library node type in a named group, from input to checks', () => {
    const groups = groupTypes(library.types());
    expect(groups.map((g) => g.group)).toEqual([
      'Input',
      'Chunking',
      'Video',
      'Audio',
      'Delivery',
      'Checks',
    ]);
    expect(groups.flatMap((g) => g.types).length).toBe(library.types().length);
    expect(groups.find((g) => g.group === 'Video')?.types.map((t) => t.type)).toContain(
      'watermark',
    );
  });
});
