import { parseGraph } from '@reelflow/fbp-model';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createServices } from '../model/services.js';
import { simViewOf } from './sim-controller.js';
import { describeAssumptions, simAssumptions } from './sim-view.js';

const example = parseGraph(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
).graph!;
const base = {
  chunks: 3,
  assumptions: simAssumptions([], { chunks: 3, workers: 1, cores: 2 }),
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

describe('simAssumptions', () => {
  const machine = { workers: 2, cores: 2 };
  const split = [{ id: 'split', params: { segmentSeconds: 10, segments: 0 } }];

  it('takes the upload over the Duration field, and the field over the 60 s default', () => {
    expect(
      simAssumptions(split, { ...machine, uploadSeconds: 42, durationSeconds: 90 }),
    ).toMatchObject({
      durationSeconds: 42,
      durationSource: 'upload',
      chunks: 5,
    });
    expect(simAssumptions(split, { ...machine, durationSeconds: 95 })).toMatchObject({
      durationSeconds: 95,
      durationSource: 'field',
      chunks: 10,
      chunksSource: 'segmentSeconds',
      splitNode: 'split',
    });
    expect(simAssumptions(split, machine)).toMatchObject({ durationSeconds: 60, chunks: 6 });
  });

  it('derives chunks from segments, an override, or the default, and says which', () => {
    const bySegments = [{ id: 's', params: { segmentSeconds: 10, segments: 7 } }];
    expect(simAssumptions(bySegments, machine)).toMatchObject({
      chunks: 7,
      chunksSource: 'segments',
    });
    expect(simAssumptions(split, { ...machine, chunks: 3 })).toMatchObject({
      chunks: 3,
      chunksSource: 'override',
    });
    expect(simAssumptions([], machine)).toMatchObject({ chunks: 10, chunksSource: 'default' });
  });

  it('states every assumption in one line', () => {
    expect(
      describeAssumptions(
        simAssumptions(split, { ...machine, durationSeconds: 60, calibrationSource: '/x/c.json' }),
      ),
    ).toBe(
      '60 s input, 6 chunks (split: 60 s ÷ segmentSeconds), 2 workers × 2 cores, calibrated on this machine',
    );
    expect(describeAssumptions(simAssumptions(split, { ...machine, chunks: 4 }))).toContain(
      '4 chunks (your override of the split)',
    );
    expect(describeAssumptions(simAssumptions(split, machine))).toContain('reference calibration');
  });
});
