import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyGraph } from '@reelflow/fbp-model';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { GRAPH_VERSIONS_KEPT, Store } from './store.js';

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
    expect(store.appliedMigrations()).toEqual([1, 2]);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    const again = new Store(file);
    expect(again.appliedMigrations()).toEqual([1, 2]);
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
    expect(store.putGraph(emptyGraph('a', 'A'))).toMatchObject({ created: true });
    expect(store.putGraph({ ...emptyGraph('a', 'A2') })).toMatchObject({ created: false });
    expect(store.listGraphs().map((g) => [g.id, g.name, g.version])).toEqual([['a', 'A2', 2]]);
    expect(store.deleteGraph('a')).toBe(true);
    expect(store.deleteGraph('a')).toBe(false);
    expect(store.getGraph('a')).toBeUndefined();
    store.close();
  });

  it('saves only when the precondition holds, and writes nothing when it does not', () => {
    const store = new Store(file);
    expect(store.putGraph(emptyGraph('a', 'A'), 'absent')).toMatchObject({
      saved: { id: 'a', version: 1 },
    });
    const refused = store.putGraph(emptyGraph('a', 'Other'), 'absent');
    expect(refused).toEqual({
      conflict: expect.objectContaining({ id: 'a', name: 'A', version: 1 }),
    });
    expect(store.putGraph(emptyGraph('a', 'Stale'), 2)).toEqual({
      conflict: expect.objectContaining({ version: 1 }),
    });
    expect(store.putGraph(emptyGraph('b', 'B'), 1)).toEqual({ conflict: undefined });
    expect(store.getGraph('a')?.name).toBe('A');
    expect(store.putGraph(emptyGraph('a', 'A v2'), 1)).toMatchObject({ saved: { version: 2 } });
    expect(store.listGraphVersions('a').map((v) => [v.version, v.name])).toEqual([
      [2, 'A v2'],
      [1, 'A'],
    ]);
    expect(store.getGraphVersion('a', 1)?.name).toBe('A');
    store.close();
  });

  it(`keeps the newest ${GRAPH_VERSIONS_KEPT} versions, and numbers on after a delete`, () => {
    const store = new Store(file);
    for (let i = 1; i <= GRAPH_VERSIONS_KEPT + 5; i++) store.putGraph(emptyGraph('a', `A${i}`));
    const versions = store.listGraphVersions('a');
    expect(versions).toHaveLength(GRAPH_VERSIONS_KEPT);
    expect(versions[0]).toMatchObject({ version: GRAPH_VERSIONS_KEPT + 5, nodes: 0 });
    expect(store.getGraphVersion('a', 5)).toBeUndefined();
    store.deleteGraph('a');
    expect(store.listGraphVersions('a')).toEqual([]);
    expect(store.putGraph(emptyGraph('a', 'again'), 'absent')).toMatchObject({
      saved: { version: GRAPH_VERSIONS_KEPT + 6 },
    });
    store.close();
  });

  it('gives the graphs of a database made before versions their first version', () => {
    const old = new Database(file);
    old.exec(
      'CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    old.exec(MIGRATIONS[0]!.sql);
    old.prepare("INSERT INTO migrations VALUES (1, 'initial', 'then')").run();
    old
      .prepare('INSERT INTO graphs VALUES (?, ?, ?, ?, ?)')
      .run('g', 'Old', JSON.stringify(emptyGraph('g', 'Old')), 't0', 't0');
    old.close();
    const store = new Store(file);
    expect(store.appliedMigrations()).toEqual([1, 2]);
    expect(store.graphSummary('g')).toMatchObject({ name: 'Old', version: 1 });
    expect(store.listGraphVersions('g')).toEqual([
      { version: 1, name: 'Old', savedAt: 't0', nodes: 0 },
    ]);
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
