import type { z } from 'zod';
import { EdgeView, GraphModel, NodeView, PortView, isRecord } from '../validation/model.js';

/** A nested parameter object; `keys` lists the properties its schema declares, if known. */
export class OclRecord {
  constructor(
    readonly values: Readonly<Record<string, unknown>>,
    readonly keys: ReadonlySet<string> | undefined,
    /** Who owns the record, for messages (`parameters of encode`). */
    readonly owner: string,
  ) {}
}

export type CollectionKind = 'Set' | 'Sequence';

export class OclCollection {
  constructor(
    readonly kind: CollectionKind,
    readonly items: readonly Value[],
  ) {}
}

export type OclElement = NodeView | EdgeView | PortView | GraphModel;

export type Value = null | boolean | number | string | OclElement | OclRecord | OclCollection;

export const isElement = (v: Value): v is OclElement =>
  v instanceof NodeView ||
  v instanceof EdgeView ||
  v instanceof PortView ||
  v instanceof GraphModel;

/** The name of a value's type, as messages show it. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Real';
  if (typeof v === 'string') return 'String';
  if (v instanceof NodeView) return 'Node';
  if (v instanceof EdgeView) return 'Edge';
  if (v instanceof PortView) return 'Port';
  if (v instanceof GraphModel) return 'Graph';
  if (v instanceof OclRecord) return 'Params';
  return `${v.kind}`;
}

/** Text of a value inside a message: elements by id, collections comma-separated. */
export function formatValue(v: Value): string {
  if (v === null) return 'null';
  if (isElement(v)) return v.id;
  if (v instanceof OclCollection) return v.items.map(formatValue).join(', ');
  if (v instanceof OclRecord) return JSON.stringify(v.values);
  return String(v);
}

/** Turn a JSON-ish parameter value into an OCL value. */
export function fromJson(v: unknown, owner: string): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v))
    return new OclCollection(
      'Sequence',
      v.map((x) => fromJson(x, owner)),
    );
  if (isRecord(v)) return new OclRecord(v, undefined, owner);
  return String(v);
}

/** Structural equality for values, identity for elements (views are canonical per model). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a instanceof OclCollection && b instanceof OclCollection) {
    if (a.kind !== b.kind || a.items.length !== b.items.length) return false;
    if (a.kind === 'Sequence') return a.items.every((x, i) => valueEquals(x, b.items[i] ?? null));
    return a.items.every((x) => b.items.some((y) => valueEquals(x, y)));
  }
  if (a instanceof OclRecord && b instanceof OclRecord)
    return JSON.stringify(a.values) === JSON.stringify(b.values);
  return false;
}

/** Remove duplicates; primitives and elements compare by identity, which is value for them. */
export function distinct(items: readonly Value[]): Value[] {
  const seen = new Set<unknown>();
  const out: Value[] = [];
  for (const item of items) {
    const key = item instanceof OclCollection || item instanceof OclRecord ? formatKey(item) : item;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

const formatKey = (v: OclCollection | OclRecord): string => `${typeName(v)}:${formatValue(v)}`;

const schemaKeysCache = new WeakMap<object, ReadonlySet<string> | null>();

/**
 * The property names an object schema declares, looking through defaults, optionals and
 * pipes; undefined when the schema is not an object (then any key is allowed).
 */
export function schemaKeys(schema: z.ZodType): ReadonlySet<string> | undefined {
  const cached = schemaKeysCache.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  const keys = findShape(schema, 0);
  schemaKeysCache.set(schema, keys ?? null);
  return keys;
}

function findShape(schema: unknown, depth: number): ReadonlySet<string> | undefined {
  if (!isRecord(schema) || depth > 8) return undefined;
  const shape = (schema as { shape?: unknown }).shape;
  if (isRecord(shape)) return new Set(Object.keys(shape));
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return undefined;
  for (const inner of [def.innerType, def.in, def.schema]) {
    const keys = findShape(inner, depth + 1);
    if (keys) return keys;
  }
  if (Array.isArray(def.options)) {
    // A union of objects: any member's key is a known key.
    const all = new Set<string>();
    for (const option of def.options)
      for (const k of findShape(option, depth + 1) ?? []) all.add(k);
    return all.size > 0 ? all : undefined;
  }
  return undefined;
}
