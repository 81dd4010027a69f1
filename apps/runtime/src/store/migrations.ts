/**
 * Schema migrations of the runtime database, oldest first. A migration is never edited once
 * released: add a new one instead. Each runs in one transaction with its row in `migrations`.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE graphs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        duration_seconds REAL NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        graph_id TEXT NOT NULL,
        graph TEXT NOT NULL,
        input TEXT NOT NULL,
        executor TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        engine_state TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX runs_state ON runs(state);
      CREATE TABLE nodes (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        node_id TEXT NOT NULL,
        state TEXT NOT NULL,
        done INTEGER NOT NULL,
        total INTEGER,
        PRIMARY KEY (run_id, node_id)
      );
      CREATE TABLE tasks (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        node_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        state TEXT NOT NULL,
        progress REAL NOT NULL DEFAULT 0,
        exit_code INTEGER,
        host TEXT,
        seconds REAL,
        bytes INTEGER,
        reason TEXT,
        firing TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX events_run ON events(run_id, id);
    `,
  },
  {
    version: 2,
    name: 'graph versions',
    // Every save of a graph is kept as a numbered version (the newest few), so an overwrite can
    // be undone; `graphs.version` is the current one, the precondition of a conditional PUT.
    sql: `
      ALTER TABLE graphs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE graph_versions (
        graph_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (graph_id, version)
      );
      INSERT INTO graph_versions (graph_id, version, name, doc, saved_at)
        SELECT id, 1, name, doc, updated_at FROM graphs;
    `,
  },
];
