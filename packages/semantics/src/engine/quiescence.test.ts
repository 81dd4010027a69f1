import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ } from '../../test/fuzz/settings.js';
import type { Graph } from '@reelflow/fbp-model';
import { createSimulator } from './simulator.js';
import { buildGraph, testLibrary } from './testing.js';
import type { Notification } from './types.js';

const libraries = { apart: testLibrary(), fused: testLibrary({ fusion: true }) };

interface RandomGraph {
  graph: Graph;
  /** For each merge, how many videos reach the split whose chunks it joins. */
  mergeFirings: Map<string, number>;
}

/**
 * A random valid graph from a stream of choices: sources feed video consumers; a video
 * consumer is a stream or a split whose chunks run through short chains of transfers and
 * encodes. Each chain ends in its own merge (every chunk goes down every chain), or several
 * chains meet at one merge as parallel lanes (they share the chunks). Merges feed further
 * video consumers. The expected firings of each merge are counted along the way.
 */
function randomGraph(choices: readonly number[]): RandomGraph {
  let at = 0;
  const pick = (n: number) => choices[at++ % choices.length]! % n;
  const nodes: Record<string, string | [string, Record<string, unknown>]> = {};
  const edges: Array<[string, string]> = [];
  const mergeFirings = new Map<string, number>();
  let count = 0;
  const add = (type: string, from: readonly string[], params?: Record<string, unknown>) => {
    const id = `${type}${count++}`;
    nodes[id] = params ? [type, params] : type;
    for (const f of from) edges.push([f, id]);
    return id;
  };
  const chain = (from: string) => {
    let last = from;
    for (let m = pick(4); m > 0; m--) last = add(pick(2) === 0 ? 'transfer' : 'encode', [last]);
    return last;
  };
  /** `videos`: how many video tokens `from` emits in the whole run. */
  const videoConsumers = (from: string, videos: number, depth: number): void => {
    const fanOut = 1 + pick(2);
    for (let i = 0; i < fanOut; i++) {
      if (depth >= 2 || pick(3) === 0) {
        add('stream', [from]);
        continue;
      }
      const split = add('split', [from]);
      const lanes = pick(3) === 0;
      const ends = Array.from({ length: 1 + pick(3) }, () => chain(split));
      for (const group of lanes ? [ends] : ends.map((e) => [e])) {
        const merge = add('merge', group, { incremental: pick(2) === 0 });
        mergeFirings.set(merge, videos);
        videoConsumers(merge, videos, depth + 1);
      }
    }
  };
  for (let s = 1 + pick(2); s > 0; s--) videoConsumers(add('source', []), 1, 0);
  return { graph: buildGraph(nodes, edges), mergeFirings };
}

const settings = fc.record({
  choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
  chunks: fc.integer({ min: 1, max: 12 }),
  workers: fc.integer({ min: 1, max: 3 }),
  cores: fc.integer({ min: 1, max: 4 }),
  capacity: fc.integer({ min: 1, max: 10 }),
  failEvery: fc.option(fc.integer({ min: 2, max: 7 }), { nil: undefined }),
  fused: fc.boolean(),
});

describe('quiescence', () => {
  it('random valid graphs always reach quiescence, and without failures succeed', () => {
    fc.assert(
      fc.property(settings, ({ choices, chunks, workers, cores, capacity, failEvery, fused }) => {
        const library = libraries[fused ? 'fused' : 'apart'];
        const { graph, mergeFirings } = randomGraph(choices);
        let attempts = 0;
        const seen: Notification[] = [];
        const sim = createSimulator(graph, library, {
          chunks,
          workers,
          cores,
          engine: { capacity, backoffMs: 10 },
          history: false,
          fail: () =>
            failEvery !== undefined && ++attempts % failEvery === 0 ? 'injected' : undefined,
        });
        sim.onStep = (_r, notes) => seen.push(...notes);
        const result = sim.run(100_000);
        expect(result.kind).toBe('done');
        expect(sim.engine.inFlight).toBe(0);
        expect(sim.engine.riding ?? 0).toBe(0);
        expect(seen.some((n) => n.type === 'deadlock')).toBe(false);
        if (failEvery === undefined) {
          expect(sim.engine.run.state).toBe('succeeded');
          for (const [merge, expected] of mergeFirings) {
            expect(sim.trace.filter((e) => e.node === merge)).toHaveLength(expected);
          }
        } else {
          expect(['succeeded', 'failed']).toContain(sim.engine.run.state);
        }
      }),
      { numRuns: 150, seed: FUZZ.seed },
    );
  });
});
