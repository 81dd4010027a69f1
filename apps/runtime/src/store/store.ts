import Database from 'better-sqlite3';
import type {
  ElementState,
  ExecutorName,
  Graph,
  GraphSummary,
  GraphVersion,
  RunState,
} from '@reelflow/fbp-model';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { MediaFacts } from '../runs/media.js';

/** How many saves of each graph are kept for restoring. */
export const GRAPH_VERSIONS_KEPT = 20;

/** A stored upload: the file lives under the uploads directory at `path`. */
export interface UploadRecord {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly durationSeconds: number;
  readonly createdAt: string;
}

/** What a run consumes: the absolute path of its input video and where it came from. */
export interface RunInput {
  readonly path: string;
  readonly uploadId?: string;
  readonly durationSeconds?: number;
  /** What probing the file said when it was handed over; the run probes it itself without. */
  readonly media?: InputMedia;
}

/** The facts about an input video that a run needs (see `MediaFacts`). */
export type InputMedia = Omit<MediaFacts, 'hasVideo'>;

export interface RunRecord {
  readonly id: string;
  readonly graphId: string;
  /** Snapshot of the graph as it was when the run was created. */
  readonly graph: Graph;
  readonly input: RunInput;
  readonly executor: ExecutorName;
  readonly state: RunState;
  readonly reason?: string;
  /** The semantics engine's state, JSON-serializable, saved after every step. */
  readonly engineState?: unknown;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export interface NodeRecord {
  readonly nodeId: string;
  readonly state: ElementState;
  readonly done: number;
  /** null while the node does not know yet how many tasks it will have (before its split). */
  readonly total: number | null;
}

export interface TaskRecord {
  readonly key: string;
  readonly nodeId: string;
  readonly index: number;
  readonly attempt: number;
  readonly state: ElementState;
  readonly progress: number;
  readonly exitCode?: number | null;
  readonly host?: string;
  readonly seconds?: number;
  readonly bytes?: number;
  readonly reason?: string;
  /** The engine's firing that made this task, kept to relaunch it after a restart. */
  readonly firing?: unknown;
}

export interface EventRecord {
  readonly id: number;
  readonly runId: string;
  readonly at: string;
  readonly type: string;
  readonly payload: unknown;
}

const now = (): string => new Date().toISOString();
const json = (value: unknown): string => JSON.stringify(value);
const parseJson = (text: string | null | undefined): unknown =>
  text == null ? undefined : JSON.parse(text);
const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

interface RunRow {
  id: string;
  graph_id: string;
  graph: string;
  input: string;
  executor: string;
  state: string;
  reason: string | null;
  engine_state: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

interface TaskRow {
  key: string;
  node_id: string;
  idx: number;
  attempt: number;
  state: string;
  progress: number;
  exit_code: number | null;
  host: string | null;
  seconds: number | null;
  bytes: number | null;
  reason: string | null;
  firing: string | null;
}

function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    graphId: row.graph_id,
    graph: JSON.parse(row.graph) as Graph,
    input: JSON.parse(row.input) as RunInput,
    executor: row.executor as ExecutorName,
    state: row.state as RunState,
    reason: opt(row.reason),
    engineState: parseJson(row.engine_state),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: opt(row.started_at),
    finishedAt: opt(row.finished_at),
  };
}

function taskFromRow(row: TaskRow): TaskRecord {
  return {
    key: row.key,
    nodeId: row.node_id,
    index: row.idx,
    attempt: row.attempt,
    state: row.state as ElementState,
    progress: row.progress,
    exitCode: row.exit_code,
    host: opt(row.host),
    seconds: opt(row.seconds),
    bytes: opt(row.bytes),
    reason: opt(row.reason),
    firing: parseJson(row.firing),
  };
}

/** Fields of a run that change while it runs. `reason: null` clears a reason. */
export interface RunPatch {
  readonly state?: RunState;
  readonly reason?: string | null;
  readonly engineState?: unknown;
  readonly startedAt?: string;
  readonly finishedAt?: string | null;
}

/**
 * The runtime's SQLite database: graphs, uploads, runs with their engine state, nodes, tasks
 * and an append-only event log. Synchronous (better-sqlite3): every write is durable when the
 * call returns, so a crash loses at most the transition being made.
 */
export class Store {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    // WAL lets the API read while the orchestrator writes; NORMAL sync is durable across a
    // process crash (not a power cut), which is what a restart of the runtime needs.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db, MIGRATIONS);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Versions of the migrations applied to this database. */
  appliedMigrations(): number[] {
    return (
      this.db.prepare('SELECT version FROM migrations ORDER BY version').all() as {
        version: number;
      }[]
    ).map((r) => r.version);
  }

  // ------------------------------------------------------------------------ graphs

  /**
   * Save a graph as its next version, keeping the newest `GRAPH_VERSIONS_KEPT` versions.
   * `expect` is a precondition checked in the same transaction: `'absent'` saves only a new id,
   * a number only while that is the stored version. When it fails nothing is written and the
   * answer names what is stored now (`conflict`, undefined when nothing is).
   */
  putGraph(
    graph: Graph,
    expect?: number | 'absent',
  ): { saved: GraphSummary; created: boolean } | { conflict: GraphSummary | undefined } {
    return this.transaction(() => {
      const current = this.graphSummary(graph.id);
      const met =
        expect === undefined ||
        (expect === 'absent' ? current === undefined : current?.version === expect);
      if (!met) return { conflict: current };
      const at = now();
      const version = (current?.version ?? this.lastGraphVersion(graph.id)) + 1;
      const doc = json(graph);
      this.db
        .prepare(
          `INSERT INTO graphs (id, name, doc, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc,
             updated_at = excluded.updated_at, version = excluded.version`,
        )
        .run(graph.id, graph.name, doc, at, at, version);
      this.db
        .prepare(
          'INSERT INTO graph_versions (graph_id, version, name, doc, saved_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(graph.id, version, graph.name, doc, at);
      this.db
        .prepare('DELETE FROM graph_versions WHERE graph_id = ? AND version <= ?')
        .run(graph.id, version - GRAPH_VERSIONS_KEPT);
      return {
        saved: { id: graph.id, name: graph.name, updatedAt: at, version },
        created: current === undefined,
      };
    });
  }

  /** Highest version ever saved under an id (versions outlive a delete, so numbers never repeat). */
  private lastGraphVersion(id: string): number {
    const row = this.db
      .prepare('SELECT MAX(version) AS v FROM graph_versions WHERE graph_id = ?')
      .get(id) as { v: number | null };
    return row.v ?? 0;
  }

  getGraph(id: string): Graph | undefined {
    const row = this.db.prepare('SELECT doc FROM graphs WHERE id = ?').get(id) as
      { doc: string } | undefined;
    return row && (JSON.parse(row.doc) as Graph);
  }

  graphSummary(id: string): GraphSummary | undefined {
    return this.db
      .prepare('SELECT id, name, updated_at AS updatedAt, version FROM graphs WHERE id = ?')
      .get(id) as GraphSummary | undefined;
  }

  listGraphs(): GraphSummary[] {
    return this.db
      .prepare(
        'SELECT id, name, updated_at AS updatedAt, version FROM graphs ORDER BY updated_at DESC, id',
      )
      .all() as GraphSummary[];
  }

  /** The kept versions of a graph, newest first (empty when there is no such graph). */
  listGraphVersions(id: string): GraphVersion[] {
    const rows = this.db
      .prepare(
        `SELECT version, name, saved_at AS savedAt, json_array_length(doc, '$.nodes') AS nodes
         FROM graph_versions WHERE graph_id = ? AND EXISTS (SELECT 1 FROM graphs WHERE id = ?)
         ORDER BY version DESC`,
      )
      .all(id, id) as (Omit<GraphVersion, 'nodes'> & { nodes: number | null })[];
    return rows.map((r) => ({ ...r, nodes: r.nodes ?? 0 }));
  }

  getGraphVersion(id: string, version: number): Graph | undefined {
    const row = this.db
      .prepare(
        `SELECT doc FROM graph_versions WHERE graph_id = ? AND version = ?
         AND EXISTS (SELECT 1 FROM graphs WHERE id = ?)`,
      )
      .get(id, version, id) as { doc: string } | undefined;
    return row && (JSON.parse(row.doc) as Graph);
  }

  /**
   * Delete a graph. Its versions stay, so version numbers (ETags) never repeat under an id and a
   * graph saved again under it can still restore them.
   */
  deleteGraph(id: string): boolean {
    return this.db.prepare('DELETE FROM graphs WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------------------ uploads

  putUpload(upload: Omit<UploadRecord, 'createdAt'>): UploadRecord {
    const record = { ...upload, createdAt: now() };
    this.db
      .prepare(
        'INSERT INTO uploads (id, name, path, size, duration_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        record.id,
        record.name,
        record.path,
        record.size,
        record.durationSeconds,
        record.createdAt,
      );
    return record;
  }

  getUpload(id: string): UploadRecord | undefined {
    return this.db
      .prepare(
        'SELECT id, name, path, size, duration_seconds AS durationSeconds, created_at AS createdAt FROM uploads WHERE id = ?',
      )
      .get(id) as UploadRecord | undefined;
  }

  // ------------------------------------------------------------------------ runs

  createRun(
    run: Pick<RunRecord, 'id' | 'graphId' | 'graph' | 'input' | 'executor' | 'state'>,
  ): RunRecord {
    const at = now();
    this.db
      .prepare(
        `INSERT INTO runs (id, graph_id, graph, input, executor, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.id, run.graphId, json(run.graph), json(run.input), run.executor, run.state, at, at);
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && runFromRow(row);
  }

  /** Runs, newest first; with `states`, only runs in one of them (oldest first, for queues). */
  listRuns(states?: readonly RunState[]): RunRecord[] {
    if (!states) {
      return (
        this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC').all() as RunRow[]
      ).map(runFromRow);
    }
    const marks = states.map(() => '?').join(', ');
    return (
      this.db
        .prepare(`SELECT * FROM runs WHERE state IN (${marks}) ORDER BY created_at, rowid`)
        .all(...states) as RunRow[]
    ).map(runFromRow);
  }

  updateRun(id: string, patch: RunPatch): void {
    const sets: string[] = ['updated_at = @updatedAt'];
    const params: Record<string, unknown> = { id, updatedAt: now() };
    const column = (name: string, key: string, value: unknown) => {
      sets.push(`${name} = @${key}`);
      params[key] = value;
    };
    if (patch.state !== undefined) column('state', 'state', patch.state);
    if (patch.reason !== undefined) column('reason', 'reason', patch.reason);
    if (patch.engineState !== undefined)
      column('engine_state', 'engineState', json(patch.engineState));
    if (patch.startedAt !== undefined) column('started_at', 'startedAt', patch.startedAt);
    if (patch.finishedAt !== undefined) column('finished_at', 'finishedAt', patch.finishedAt);
    this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = @id`).run(params);
  }

  // ------------------------------------------------------------------------ nodes

  setNode(runId: string, node: NodeRecord): void {
    this.db
      .prepare(
        `INSERT INTO nodes (run_id, node_id, state, done, total) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(run_id, node_id) DO UPDATE SET state = excluded.state, done = excluded.done, total = excluded.total`,
      )
      .run(runId, node.nodeId, node.state, node.done, node.total);
  }

  listNodes(runId: string): NodeRecord[] {
    return this.db
      .prepare(
        'SELECT node_id AS nodeId, state, done, total FROM nodes WHERE run_id = ? ORDER BY rowid',
      )
      .all(runId) as NodeRecord[];
  }

  // ------------------------------------------------------------------------ tasks

  /** Insert a task or update the given fields of an existing one; `null` clears a field. */
  upsertTask(
    runId: string,
    task: Pick<TaskRecord, 'key' | 'nodeId' | 'index'> &
      Partial<Omit<TaskRecord, 'reason'>> & { reason?: string | null },
  ): void {
    const existing = this.getTask(runId, task.key);
    const merged: TaskRecord = {
      attempt: 0,
      state: 'pending',
      progress: 0,
      ...existing,
      ...Object.fromEntries(Object.entries(task).filter(([, v]) => v !== undefined)),
    } as TaskRecord;
    this.db
      .prepare(
        `INSERT INTO tasks (run_id, key, node_id, idx, attempt, state, progress, exit_code, host, seconds, bytes, reason, firing, updated_at)
         VALUES (@runId, @key, @nodeId, @index, @attempt, @state, @progress, @exitCode, @host, @seconds, @bytes, @reason, @firing, @updatedAt)
         ON CONFLICT(run_id, key) DO UPDATE SET node_id = excluded.node_id, idx = excluded.idx, attempt = excluded.attempt,
           state = excluded.state, progress = excluded.progress, exit_code = excluded.exit_code, host = excluded.host,
           seconds = excluded.seconds, bytes = excluded.bytes, reason = excluded.reason, firing = excluded.firing,
           updated_at = excluded.updated_at`,
      )
      .run({
        runId,
        key: merged.key,
        nodeId: merged.nodeId,
        index: merged.index,
        attempt: merged.attempt,
        state: merged.state,
        progress: merged.progress,
        exitCode: merged.exitCode ?? null,
        host: merged.host ?? null,
        seconds: merged.seconds ?? null,
        bytes: merged.bytes ?? null,
        reason: merged.reason ?? null,
        firing: merged.firing === undefined ? null : json(merged.firing),
        updatedAt: now(),
      });
  }

  getTask(runId: string, key: string): TaskRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM tasks WHERE run_id = ? AND key = ?')
      .get(runId, key) as TaskRow | undefined;
    return row && taskFromRow(row);
  }

  listTasks(runId: string): TaskRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM tasks WHERE run_id = ? ORDER BY node_id, idx')
        .all(runId) as TaskRow[]
    ).map(taskFromRow);
  }

  // ------------------------------------------------------------------------ events

  appendEvent(runId: string, type: string, payload: unknown): number {
    return Number(
      this.db
        .prepare('INSERT INTO events (run_id, at, type, payload) VALUES (?, ?, ?, ?)')
        .run(runId, now(), type, json(payload)).lastInsertRowid,
    );
  }

  listEvents(runId: string, afterId = 0): EventRecord[] {
    return (
      this.db
        .prepare(
          'SELECT id, run_id AS runId, at, type, payload FROM events WHERE run_id = ? AND id > ? ORDER BY id',
        )
        .all(runId, afterId) as (Omit<EventRecord, 'payload'> & { payload: string })[]
    ).map((row) => ({ ...row, payload: JSON.parse(row.payload) }));
  }

  /** The events of one type of a run, oldest first. */
  listEventsOfType(runId: string, type: string): EventRecord[] {
    return (
      this.db
        .prepare(
          'SELECT id, run_id AS runId, at, type, payload FROM events WHERE run_id = ? AND type = ? ORDER BY id',
        )
        .all(runId, type) as (Omit<EventRecord, 'payload'> & { payload: string })[]
    ).map((row) => ({ ...row, payload: JSON.parse(row.payload) }));
  }

  /** Run several writes atomically (one transition = one transaction). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

/** Apply the migrations this database has not seen yet, each in its own transaction. */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now(),
      );
    })();
  }
}
