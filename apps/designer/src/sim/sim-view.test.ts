import { parseGraph } from '@reelflow/fbp-model';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createServices } from '../model/services.js';
import { simViewOf } from './sim-controller.js';

const example = parseGraph(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
).graph!;
const base = {
  chunks: 3,
  workers: 1,
  cores: 2,
  total: 0,
  makespanSeconds: 0,
  deadlock: false,
  breakpoints: new Set<string>(),
  playing: false,
};

describe('simViewOf', () => {
  it('counts firings per node and moves tokens on the edges out of the node that fired', () => {
    const sim = createServices().createSimulator(example, { chunks: 3 });
    const first = sim.step();
    const view = simViewOf(example, sim, base, first);
    expect(view.fired.src).toBe(1);
    expect([...view.moving]).toEqual(['e1']);
    expect(view.current).toBe('src');
    let last = first;
    while (last.kind !== 'done') last = sim.step();
    const end = simViewOf(example, sim, base, last);
    expect(end.finished).toBe(true);
    expect(end.fired).toEqual({ src: 1, split: 1, xfer: 3, enc: 3, back: 3, merge: 1, out: 1 });
    expect(Object.values(end.queued).every((n) => n === 0)).toBe(true);
    expect(Object.values(end.states).every((s) => s === 'done')).toBe(true);
  });
});
