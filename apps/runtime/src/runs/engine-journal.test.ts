import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGraph, type Graph, type Token } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import {
  createEngine,
  isSettled,
  step,
  type Effect,
  type EngineEvent,
  type EngineState,
  type Firing,
} from '@reelflow/semantics';
import { Store } from '../store/store.js';
import { EngineJournal } from './engine-journal.js';

const CHUNKS = 12;
const graph = loadGraph(
  JSON.parse(
    readFileSync(
      new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
      'utf8',
    ),
  ),
).graph as Graph;

const video = (id: string): Token => ({
  id,
  dataType: 'video',
  path: `${id}.mp4`,
  durationSeconds: CHUNKS,
});

/** What a task of each firing kind reports: the split cuts chunks, a merge joins them. */
function outputsOf(firing: Firing): Token[] {
  if (firing.nodeType === 'split') {
    return Array.from({ length: CHUNKS }, (_, index) => ({
      id: `g/${index}`,
      dataType: 'chunk' as const,
      path: `work/split/chunk_${index}.ts`,
      durationSeconds: 1,
      group: { id: 'g', origin: firing.nodeId, index, count: CHUNKS },
    }));
  }
  if (firing.nodeType === 'merge') return [video('merged')];
  if (firing.nodeType === 'stream') return [];
  return firing.inputs;
}

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-journal-'));
  store = new Store(join(dir, 'reelflow.db'));
  store.createRun({
    id: 'r1',
    graphId: graph.id,
    graph,
    input: { path: 'clip.mp4' },
    executor: 'local',
    state: 'queued',
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Run the example graph through the engine to the end (every task starts, then succeeds; the
 * first encode fails once), journaling each step; `check` sees the live state after each.
 */
function drive(journal: EngineJournal, check: (live: EngineState) => void): number {
  let state = createEngine(graph, library, { backoffMs: 0 });
  const queue: EngineEvent[] = [
    { type: 'phase', state: 'validating' },
    { type: 'phase', state: 'deploying' },
    { type: 'start', inputs: { src: video('input') } },
  ];
  let failedOnce = false;
  let steps = 0;
  while (queue.length > 0) {
    const event = queue.shift()!;
    const before = state;
    const result = step(before, event);
    state = result.state;
    store.transaction(() => journal.record(event, before, state));
    steps += 1;
    check(state);
    for (const effect of result.effects.filter(
      (e): e is Extract<Effect, { type: 'launch' }> => e.type === 'launch',
    )) {
      const { key } = effect.firing;
      queue.push({ type: 'taskStarted', key });
      if (key === 'enc:0' && !failedOnce) {
        failedOnce = true;
        queue.push({ type: 'taskFailed', key, reason: 'killed' });
      } else queue.push({ type: 'taskSucceeded', key, outputs: outputsOf(effect.firing) });
    }
  }
  expect(isSettled(state)).toBe(true);
  expect(state.run.state).toBe('succeeded');
  return steps;
}

describe('the engine journal', () => {
  it('restores the exact engine state after any step, from a snapshot and the events after it', () => {
    const journal = new EngineJournal(store, 'r1', 7);
    let checked = 0;
    drive(journal, (live) => {
      // A new journal, as a restarted runtime makes it.
      expect(new EngineJournal(store, 'r1', 7).restore()).toEqual(live);
      checked += 1;
    });
    expect(checked).toBeGreaterThan(CHUNKS * 6);
  });

  it('saves the whole state only at run state changes and every N steps', () => {
    let snapshots = 0;
    let snapshotBytes = 0;
    const update = store.updateRun.bind(store);
    store.updateRun = (id, patch) => {
      if (patch.engineState !== undefined) {
        snapshots += 1;
        snapshotBytes += JSON.stringify(patch.engineState).length;
      }
      update(id, patch);
    };
    let fullSaveBytes = 0; // what saving the whole state after every step would have written
    const steps = drive(new EngineJournal(store, 'r1', 50), (live) => {
      fullSaveBytes += JSON.stringify(live).length;
    });
    // validating, deploying, running, succeeded + one every 50 steps.
    expect(snapshots).toBeLessThanOrEqual(4 + Math.ceil(steps / 50));
    console.info(
      `[engine-journal] ${CHUNKS} chunks, ${steps} steps: ${snapshots} snapshots, ` +
        `${snapshotBytes} bytes of state saved instead of ${fullSaveBytes}`,
    );
  });
});
