import { CURRENT_SCHEMA_VERSION } from './graph.js';

/**
 * One step of the migration chain: turns a document of version `from` into `from + 1`.
 * Migrations work on plain JSON and must not throw on odd shapes; whatever they cannot
 * understand is passed on for the schema check to report.
 */
export interface Migration {
  readonly from: number;
  readonly description: string;
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `"node.port"` → `{ node, port }`; anything else is passed through unchanged. */
function splitPortRef(ref: unknown): unknown {
  if (typeof ref !== 'string') return ref;
  const dot = ref.lastIndexOf('.');
  return dot <= 0 ? { node: ref, port: '' } : { node: ref.slice(0, dot), port: ref.slice(dot + 1) };
}

/**
 * Version 0 was the prototype's export: nodes had `kind`, `x`, `y` and `config`; edges were
 * called `links` with `"node.port"` strings in `source`/`target`.
 */
const v0ToV1: Migration = {
  from: 0,
  description: 'prototype export: kind/x/y/config nodes and "node.port" links',
  up(doc) {
    const { links, nodes, ...rest } = doc;
    const migratedNodes = Array.isArray(nodes)
      ? nodes.map((n) => {
          if (!isRecord(n)) return n;
          const { kind, x, y, config, ...node } = n;
          const out: Record<string, unknown> = { ...node };
          if (out.type === undefined && kind !== undefined) out.type = kind;
          if (out.params === undefined) out.params = config ?? {};
          if (out.position === undefined && typeof x === 'number' && typeof y === 'number') {
            out.position = { x, y };
          }
          return out;
        })
      : nodes;
    const edges = Array.isArray(rest.edges)
      ? rest.edges
      : Array.isArray(links)
        ? links.map((l, i) =>
            isRecord(l)
              ? {
                  id: typeof l.id === 'string' ? l.id : `e${i + 1}`,
                  from: splitPortRef(l.source),
                  to: splitPortRef(l.target),
                }
              : l,
          )
        : links;
    return { ...rest, nodes: migratedNodes, edges, schemaVersion: 1 };
  },
};

/** The chain, ordered by `from`. Adding a schema version means adding one entry here. */
export const MIGRATIONS: readonly Migration[] = [v0ToV1];

export type MigrationResult =
  { ok: true; doc: Record<string, unknown>; applied: string[] } | { ok: false; message: string };

/** A short description of a value for a message: never the whole of a big or deep value. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Bring a document to the current schema version. A missing `schemaVersion` is read as 0.
 */
export function migrate(doc: Record<string, unknown>): MigrationResult {
  const raw = doc.schemaVersion ?? 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    return {
      ok: false,
      message: `schemaVersion must be a whole number, got ${describeValue(raw)}`,
    };
  }
  if (raw > CURRENT_SCHEMA_VERSION) {
    return {
      ok: false,
      message: `schemaVersion ${raw} is newer than this Reelflow understands (${CURRENT_SCHEMA_VERSION}); upgrade Reelflow`,
    };
  }
  let current = doc;
  const applied: string[] = [];
  for (let v = raw; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) return { ok: false, message: `no migration from schemaVersion ${v}` };
    current = step.up(current);
    applied.push(`${v}→${v + 1}: ${step.description}`);
  }
  return { ok: true, doc: current, applied };
}
