import type { Edge } from '@reelflow/fbp-model';
import { describe, expect, it } from 'vitest';
import { idleRun, type NodeRunView, type RunView } from '../run/run-view.js';
import type { SimView } from '../sim/sim-view.js';
import type { DesignerState } from '../store/store.js';
import { liveEdges, MANY_MOVING_EDGES, selectLiveEdges } from './live-edges.js';

const edge = (id: string, from: string, to: string): Edge => ({
  id,
  from: { node: from, port: 'out' },
  to: { node: to, port: 'in' },
});
const node = (state: string): NodeRunView => ({ state, done: 0, total: null, tasks: [] });
const run = (states: Record<string, string>): RunView => ({
  ...idleRun,
  runId: 'r1',
  state: 'running',
  nodes: Object.fromEntries(Object.entries(states).map(([id, s]) => [id, node(s)])),
});

describe('liveEdges', () => {
  const edges = [edge('a', 'src', 'enc'), edge('b', 'enc', 'out'), edge('c', 'out', 'end')];

  it('moves data out of a working node, and into it from a finished one', () => {
    const live = liveEdges(edges, run({ src: 'done', enc: 'running', out: 'pending' }), undefined);
    expect([...live.ids]).toEqual(['a', 'b']);
    expect(live.many).toBe(false);
  });

  it("moves nothing for a run the runtime has not named, and follows the simulation's steps", () => {
    expect(
      liveEdges(edges, { ...run({ enc: 'running' }), runId: undefined }, undefined).ids.size,
    ).toBe(0);
    const sim = { moving: new Set(['c']) } as unknown as SimView;
    expect([...liveEdges(edges, undefined, sim).ids]).toEqual(['c']);
  });

  it('says "many" above the threshold, where one canvas draws the dots', () => {
    const fan = Array.from({ length: MANY_MOVING_EDGES + 1 }, (_, i) =>
      edge(`e${i}`, 'enc', `t${i}`),
    );
    expect(liveEdges(fan.slice(1), run({ enc: 'running' }), undefined).many).toBe(false);
    expect(liveEdges(fan, run({ enc: 'running' }), undefined).many).toBe(true);
  });

  it('answers every edge of one store update from one computation', () => {
    const r = run({ enc: 'running' });
    const state = { graph: { edges }, run: r } as unknown as DesignerState;
    const first = selectLiveEdges(state);
    expect(selectLiveEdges({ ...state } as DesignerState)).toBe(first);
    const next = selectLiveEdges({ ...state, run: run({ enc: 'done' }) } as DesignerState);
    expect(next).not.toBe(first);
    expect(next.ids.size).toBe(0);
  });
});
