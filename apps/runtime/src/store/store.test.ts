import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyGraph } from '@reelflow/fbp-model';
import { Store } from './store.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-store-'));
  file = join(dir, 'reelflow.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seedRun(store: Store, id = 'r1') {
  return store.createRun({
    id,
    graphId: 'g',
    graph: emptyGraph('g', 'G'),
    input: { path: '/tmp/in.mp4', uploadId: 'u1' },
    executor: 'local',
    state: 'queued',
  });
}

describe('Store', () => {
  it('applies its migrations once and uses WAL mode', () => {
    const store = new Store(file);
    expect(store.appliedMigrations()).toEqual([1]);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    const again = new Store(file);
    expect(again.appliedMigrations()).toEqual([1]);
    again.close();
  });

  it('keeps a run, its nodes, tasks and events across closing and reopening the database', () => {
    const store = new Store(file);
    seedRun(store);
    store.updateRun('r1', {
      state: 'running',
      engineState: { tokens: [1, 2] },
      startedAt: '2026-01-01T00:00:00Z',
    });
    store.setNode('r1', { nodeId: 'enc', state: 'running', done: 1, total: 6 });
    store.upsertTask('r1', {
      key: 'enc:0',
      nodeId: 'enc',
      index: 0,
      state: 'running',
      firing: { key: 'enc:0' },
    });
    store.upsertTask('r1', { key: 'enc:0', nodeId: 'enc', index: 0, progress: 0.5, host: 'h1' });
    store.appendEvent('r1', 'run:state', { state: 'running' });
    store.close();

    const reopened = new Store(file);
    const run = reopened.getRun('r1')!;
    expect(run.state).toBe('running');
    expect(run.engineState).toEqual({ tokens: [1, 2] });
    expect(run.graph.id).toBe('g');
    expect(reopened.listNodes('r1')).toEqual([
      { nodeId: 'enc', state: 'running', done: 1, total: 6 },
    ]);
    const task = reopened.getTask('r1', 'enc:0')!;
    expect(task).toMatchObject({
      state: 'running',
      progress: 0.5,
      host: 'h1',
      firing: { key: 'enc:0' },
    });
    expect(reopened.listEvents('r1').map((e) => e.type)).toEqual(['run:state']);
    expect(reopened.listRuns(['running']).map((r) => r.id)).toEqual(['r1']);
    reopened.close();
  });

  it('stores, lists and deletes graphs', () => {
    const store = new Store(file);
    expect(store.putGraph(emptyGraph('a', 'A'))).toBe(false);
    expect(store.putGraph({ ...emptyGraph('a', 'A2') })).toBe(true);
    expect(store.listGraphs().map((g) => [g.id, g.name])).toEqual([['a', 'A2']]);
    expect(store.deleteGraph('a')).toBe(true);
    expect(store.deleteGraph('a')).toBe(false);
    expect(store.getGraph('a')).toBeUndefined();
    store.close();
  });

  it('refuses a task of a run that does not exist', () => {
    const store = new Store(file);
    expect(() => store.upsertTask('nope', { key: 'k', nodeId: 'n', index: 0 })).toThrow(
      /FOREIGN KEY/,
    );
    store.close();
  });
});
