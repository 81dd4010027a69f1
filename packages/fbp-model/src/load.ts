import type { z } from 'zod';
import { diagnostic, type Diagnostic } from './diagnostic.js';
import { GraphSchema, type Graph } from './graph.js';
import { migrate } from './migrations.js';

export interface LoadResult {
  /** The graph, when the document matches the schema (after migration). */
  readonly graph?: Graph;
  /** Every schema problem, each with its JSON path in `property` (code `schema`). */
  readonly diagnostics: Diagnostic[];
  /** Migrations applied, oldest first. */
  readonly migrations: string[];
}

/** `$.nodes[2].params` style path for a zod issue path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

const graphElement = (doc: unknown) => ({
  kind: 'graph' as const,
  id:
    typeof doc === 'object' && doc !== null && typeof (doc as { id?: unknown }).id === 'string'
      ? (doc as { id: string }).id
      : '',
});

function issueMessage(issue: z.core.$ZodIssue): string {
  const where = jsonPath(issue.path);
  return `${where}: ${issue.message}`;
}

/**
 * How deeply a document may nest. Real graphs need about 6 levels; the limit leaves room for
 * rich params and extra keys while keeping every recursive consumer (zod, JSON.stringify,
 * structuredClone) far from the stack limit.
 */
export const MAX_DOCUMENT_DEPTH = 64;

/**
 * The JSON path of the first value nested deeper than `limit`, or undefined. Iterative, so a
 * hostile document cannot overflow the stack here.
 */
export function findTooDeep(input: unknown, limit = MAX_DOCUMENT_DEPTH): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: PropertyKey[] }> = [
    { value: input, depth: 0, path: [] },
  ];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) return jsonPath(path);
    const entries: Array<[PropertyKey, unknown]> = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value as Record<string, unknown>);
    for (const [key, child] of entries)
      stack.push({ value: child, depth: depth + 1, path: [...path, key] });
  }
  return undefined;
}

/**
 * The JSON path of the first number that JSON cannot carry (Infinity or NaN, which `1e999` in a
 * file parses to and `JSON.stringify` writes as `null`), or undefined. Iterative, like
 * `findTooDeep`.
 */
export function findNonFinite(input: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) return jsonPath(path);
    if (typeof value !== 'object' || value === null) continue;
    const entries: Array<[PropertyKey, unknown]> = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Load a graph document from parsed JSON: migrate it, check it against the schema, and
 * report every problem. Never throws.
 */
export function loadGraph(input: unknown): LoadResult {
  const tooDeep = findTooDeep(input);
  if (tooDeep !== undefined) {
    return {
      diagnostics: [
        diagnostic(
          'schema',
          'error',
          `${tooDeep}: the document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`,
          graphElement(input),
          tooDeep,
        ),
      ],
      migrations: [],
    };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      diagnostics: [
        diagnostic(
          'schema',
          'error',
          '$: a graph document must be a JSON object',
          graphElement(input),
          '$',
        ),
      ],
      migrations: [],
    };
  }
  const migrated = migrate(input as Record<string, unknown>);
  if (!migrated.ok) {
    return {
      diagnostics: [
        diagnostic(
          'schema',
          'error',
          `$.schemaVersion: ${migrated.message}`,
          graphElement(input),
          '$.schemaVersion',
        ),
      ],
      migrations: [],
    };
  }
  const parsed = GraphSchema.safeParse(migrated.doc);
  if (!parsed.success) {
    return {
      diagnostics: parsed.error.issues.map((issue) =>
        diagnostic(
          'schema',
          'error',
          issueMessage(issue),
          graphElement(input),
          jsonPath(issue.path),
        ),
      ),
      migrations: migrated.applied,
    };
  }
  return { graph: parsed.data, diagnostics: [], migrations: migrated.applied };
}

export type ParseResult = LoadResult & {
  /** Set when the text is not JSON at all: one line saying where. */
  readonly syntaxError?: string;
};

/** Parse and load JSON text. A syntax error is reported, never thrown. */
export function parseGraph(text: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = `not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    return {
      syntaxError: message,
      diagnostics: [diagnostic('schema', 'error', message, { kind: 'graph', id: '' }, '$')],
      migrations: [],
    };
  }
  return loadGraph(doc);
}

/** Serialize a graph for saving: stable two-space JSON with a trailing newline. */
export function serializeGraph(graph: Graph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}
