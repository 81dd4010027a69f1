import { describe, expect, it } from 'vitest';
import { GraphModel } from './model.js';
import { ValidationRegistry } from './registry.js';
import { createTestLibrary, exampleGraph } from './testing.js';

const model = () => new GraphModel(exampleGraph(), createTestLibrary());

describe('ValidationRegistry', () => {
  it('runs rules per element kind and fills in code and element from the registration', () => {
    const registry = new ValidationRegistry()
      .register('node', (n, accept) => n.node.type === 'merge' && accept('info', `saw ${n.id}`), {
        code: 'saw-merge',
        tags: ['fast'],
      })
      .register(
        'port',
        (p, accept) =>
          p.spec.dataType === 'video' && p.spec.direction === 'in' && accept('warning', 'video in'),
        {
          code: 'video-in',
          tags: ['fast'],
        },
      )
      .register(
        'edge',
        (e, accept) =>
          e.id === 'e6' && accept('error', 'last edge', { property: 'to', code: 'custom' }),
        {
          code: 'unused',
          tags: ['fast'],
        },
      );
    expect(registry.validate(model(), 'all')).toEqual([
      {
        code: 'video-in',
        severity: 'warning',
        message: 'video in',
        element: { kind: 'port', id: 'split.in' },
      },
      {
        code: 'saw-merge',
        severity: 'info',
        message: 'saw merge',
        element: { kind: 'node', id: 'merge' },
      },
      {
        code: 'video-in',
        severity: 'warning',
        message: 'video in',
        element: { kind: 'port', id: 'out.in' },
      },
      {
        code: 'custom',
        severity: 'error',
        message: 'last edge',
        element: { kind: 'edge', id: 'e6' },
        property: 'to',
      },
    ]);
  });

  it('runs slow rules only in mode all', () => {
    const registry = new ValidationRegistry().register(
      'graph',
      (_g, accept) => accept('info', 'slow one'),
      { code: 'slow', tags: ['slow'] },
    );
    expect(registry.validate(model(), 'fast')).toEqual([]);
    expect(registry.validate(model(), 'all')).toHaveLength(1);
  });

  it('limits a rule to one node type', () => {
    const registry = new ValidationRegistry().register(
      'node',
      (n, accept) => accept('info', n.id),
      { code: 'x', tags: ['fast'], nodeType: 'transfer' },
    );
    expect(registry.validate(model(), 'all').map((d) => d.message)).toEqual(['xfer', 'back']);
  });

  it('turns a throwing rule into a rule-exception diagnostic and runs the others', () => {
    const registry = new ValidationRegistry()
      .register(
        'node',
        (n) => {
          if (n.id === 'enc') throw new Error('kaput');
        },
        { code: 'fragile', tags: ['fast'] },
      )
      .register('node', (n, accept) => n.id === 'enc' && accept('info', 'still here'), {
        code: 'sturdy',
        tags: ['fast'],
      });
    expect(registry.validate(model(), 'all')).toEqual([
      {
        code: 'rule-exception',
        severity: 'error',
        message: "rule 'fragile' failed on node 'enc': kaput",
        element: { kind: 'node', id: 'enc' },
      },
      {
        code: 'sturdy',
        severity: 'info',
        message: 'still here',
        element: { kind: 'node', id: 'enc' },
      },
    ]);
  });

  it('keeps no state between validations', () => {
    const registry = new ValidationRegistry().register(
      'graph',
      (g, accept) => accept('info', `${g.nodes.length}`),
      { code: 'count', tags: ['fast'] },
    );
    expect(registry.validate(model(), 'all')).toEqual(registry.validate(model(), 'all'));
  });
});
