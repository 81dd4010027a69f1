import { describe, expect, it } from 'vitest';
import type { Graph } from '@reelflow/fbp-model';
import { ladderEncodes, selectRungs, type RungOutcome } from './ladder.js';

const rung = (
  name: string,
  height: number,
  got: number,
  upscale: 'never' | 'allow' = 'never',
): RungOutcome => ({
  name,
  requested: { encode: `enc${height}`, height, upscale },
  width: Math.round((got * 16) / 9),
  height: got,
});

describe('selectRungs', () => {
  it('leaves out rungs capped at a small source, keeping those at or below it', () => {
    const { keep, notes } = selectRungs([
      rung('v0', 1080, 360),
      rung('v1', 360, 360),
      rung('v2', 240, 240),
    ]);
    expect(keep).toEqual([false, true, true]);
    expect(notes).toEqual([
      'v0 left out of the master playlist: encode enc1080 asked for 1080 px high, above the source (640x360), and has upscale: never',
    ]);
  });

  it('keeps the smallest rung asked for when every rung is above the source', () => {
    const { keep, notes } = selectRungs([
      rung('v0', 1080, 180),
      rung('v1', 360, 180),
      rung('v2', 720, 180),
    ]);
    expect(keep).toEqual([false, true, false]);
    expect(notes).toHaveLength(2);
  });

  it('keeps every rung that may upscale, and rungs with no encode', () => {
    expect(
      selectRungs([rung('v0', 1080, 1080), rung('v1', 720, 360, 'allow'), { name: 'v2' }]).keep,
    ).toEqual([true, true, true]);
  });
});

describe('ladderEncodes', () => {
  it('finds the encode behind each video input, in edge order, through merges and transfers', () => {
    const graph: Graph = {
      schemaVersion: 1,
      id: 'g',
      name: 'g',
      nodes: [
        { id: 'src', type: 'source', params: {} },
        { id: 'split', type: 'split', params: {} },
        { id: 'hi', type: 'encode', params: { height: 720 } },
        { id: 'lo', type: 'encode', params: { height: 360 } },
        { id: 'back', type: 'transfer', params: {} },
        { id: 'mhi', type: 'merge', params: {} },
        { id: 'mlo', type: 'merge', params: {} },
        { id: 'out', type: 'stream', params: {} },
      ],
      edges: [
        { id: 'e1', from: { node: 'src', port: 'out' }, to: { node: 'split', port: 'in' } },
        { id: 'e2', from: { node: 'split', port: 'out' }, to: { node: 'hi', port: 'in' } },
        { id: 'e3', from: { node: 'split', port: 'out' }, to: { node: 'lo', port: 'in' } },
        { id: 'e4', from: { node: 'lo', port: 'out' }, to: { node: 'back', port: 'in' } },
        { id: 'e5', from: { node: 'back', port: 'out' }, to: { node: 'mlo', port: 'in' } },
        { id: 'e6', from: { node: 'hi', port: 'out' }, to: { node: 'mhi', port: 'in' } },
        { id: 'e7', from: { node: 'mlo', port: 'out' }, to: { node: 'out', port: 'in' } },
        { id: 'e8', from: { node: 'mhi', port: 'out' }, to: { node: 'out', port: 'in' } },
        { id: 'e9', from: { node: 'src', port: 'out' }, to: { node: 'out', port: 'in' } },
      ],
    };
    expect(ladderEncodes(graph, 'out').map((n) => n?.id)).toEqual(['lo', 'hi', undefined]);
  });
});
