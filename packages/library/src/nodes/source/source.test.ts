import { describe, expect, it } from 'vitest';
import { compileNode } from '../../testing.js';
import { source } from './index.js';

describe('source', () => {
  it('compiles to no task and has one video output', () => {
    expect(compileNode(source, {})).toEqual([]);
    expect(source.ports).toEqual([
      expect.objectContaining({ name: 'out', direction: 'out', dataType: 'video' }),
    ]);
    expect(source.firing).toBe('source');
  });

  it('takes no parameters', () => {
    expect(source.params.safeParse({ path: '/etc/passwd' }).success).toBe(false);
  });
});
