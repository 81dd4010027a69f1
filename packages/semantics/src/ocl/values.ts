import type { z } from 'zod';
import type { SourcePosition } from './ast.js';
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

/** The four collection kinds of OCL 2.4: unique or not, ordered or not. */
export type CollectionKind = 'Set' | 'OrderedSet' | 'Bag' | 'Sequence';

export class OclCollection {
  constructor(
    readonly kind: CollectionKind,
    readonly items: readonly Value[],
  ) {}
}

/** Whether a collection kind keeps its elements distinct (Set, OrderedSet). */
export const isUnique = (kind: CollectionKind): boolean => kind === 'Set' || kind === 'OrderedSet';
/** Whether a collection kind keeps its elements in order (Sequence, OrderedSet). */
export const isOrdered = (kind: CollectionKind): boolean =>
  kind === 'Sequence' || kind === 'OrderedSet';

/**
 * OCL's `invalid`: the value of an expression that failed (division by zero, navigation from
 * null, a wrong type found only at run time). It is a value, not an exception, so the
 * standard's truth tables apply (`false and invalid` is false) and `oclIsInvalid()` can test
 * it. It keeps the first failure's reason and place, which a diagnostic reports.
 */
export class OclInvalid {
  constructor(
    readonly reason: string,
    readonly pos: SourcePosition,
  ) {}
}

export type OclElement = NodeView | EdgeView | PortView | GraphModel;

/**
 * A value of the constraint language. Integer is `bigint` (any size), Real is `number`
 * (an IEEE double), so `3` and `3.0` are told apart as OCL tells them.
 */
export type Value =
  null | boolean | bigint | number | string | OclElement | OclRecord | OclCollection | OclInvalid;

export const isInvalid = (v: Value): v is OclInvalid => v instanceof OclInvalid;
/** Integer or Real. */
export const isNumeric = (v: Value): v is bigint | number =>
  typeof v === 'bigint' || typeof v === 'number';

export const isElement = (v: Value): v is OclElement =>
  v instanceof NodeView ||
  v instanceof EdgeView ||
  v instanceof PortView ||
  v instanceof GraphModel;

/** The name of a value's type, as messages show it. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'bigint') return 'Integer';
  if (typeof v === 'number') return 'Real';
  if (typeof v === 'string') return 'String';
  if (v instanceof NodeView) return 'Node';
  if (v instanceof EdgeView) return 'Edge';
  if (v instanceof PortView) return 'Port';
  if (v instanceof GraphModel) return 'Graph';
  if (v instanceof OclRecord) return 'Params';
  if (v instanceof OclInvalid) return 'OclInvalid';
  return `${v.kind}`;
}

/** Text of a value inside a message: elements by id, collections comma-separated. */
export function formatValue(v: Value): string {
  if (v === null) return 'null';
  if (isElement(v)) return v.id;
  if (v instanceof OclCollection) return v.items.map(formatValue).join(', ');
  if (v instanceof OclRecord) return JSON.stringify(v.values);
  if (v instanceof OclInvalid) return 'invalid';
  if (typeof v === 'number') return formatReal(v);
  return String(v);
}

/** A Real as OCL prints it: `3.0`, not `3`, so it is not mistaken for an Integer. */
export const formatReal = (n: number): string =>
  Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(1) : String(n);

/** Turn a JSON-ish parameter value into an OCL value. */
export function fromJson(v: unknown, owner: string): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v))
    return new OclCollection(
      'Sequence',
      v.map((x) => fromJson(x, owner)),
    );
  if (isRecord(v)) return new OclRecord(v, undefined, owner);
  return String(v);
}

/** Numeric equality across Integer and Real (`1 = 1.0` is true in OCL). */
export function numericEquals(a: bigint | number, b: bigint | number): boolean {
  if (typeof a === typeof b) return a === b;
  const real = typeof a === 'number' ? a : (b as number);
  const int = typeof a === 'bigint' ? a : (b as bigint);
  return Number.isInteger(real) && BigInt(real) === int;
}

/**
 * OCL equality of two defined values: numbers by value, collections by kind and elements
 * (Sets and Bags ignore order, Bags count), identity for elements (views are canonical).
 */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return numericEquals(a, b);
  if (a instanceof OclCollection && b instanceof OclCollection) {
    if (a.kind !== b.kind || a.items.length !== b.items.length) return false;
    if (isOrdered(a.kind)) return a.items.every((x, i) => valueEquals(x, b.items[i] ?? null));
    const counts = new Map<unknown, number>();
    for (const x of a.items) counts.set(valueKey(x), (counts.get(valueKey(x)) ?? 0) + 1);
    for (const y of b.items) {
      const n = counts.get(valueKey(y)) ?? 0;
      if (n === 0) return false;
      counts.set(valueKey(y), n - 1);
    }
    return true;
  }
  if (a instanceof OclRecord && b instanceof OclRecord)
    return JSON.stringify(a.values) === JSON.stringify(b.values);
  return false;
}

/**
 * A key that is the same for equal values: numbers by value (`1` and `1.0` share one),
 * strings by text, elements by identity, collections and records by their printed form.
 */
export function valueKey(v: Value): unknown {
  if (typeof v === 'bigint') return `\u0000n${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `\u0000n${BigInt(v)}` : `\u0000n${v}`;
  if (v instanceof OclCollection) {
    const items = v.items.map(nestedKey);
    if (!isOrdered(v.kind)) items.sort();
    return `\u0000${v.kind}{${items.join(',')}}`;
  }
  if (v instanceof OclRecord) return `\u0000r${JSON.stringify(v.values)}`;
  return v;
}

/** A value's key as text, for the key of a collection that holds it. */
function nestedKey(v: Value): string {
  if (v === null) return '\u0000null';
  if (typeof v === 'boolean') return `\u0000${v}`;
  if (isElement(v)) return `\u0000${typeName(v)}:${v.id}`;
  if (v instanceof OclInvalid) return '\u0000invalid';
  if (typeof v === 'string') return JSON.stringify(v);
  return valueKey(v) as string;
}

/** Remove duplicates, keeping the first of each. */
export function distinct(items: readonly Value[]): Value[] {
  const seen = new Set<unknown>();
  const out: Value[] = [];
  for (const item of items) {
    const key = valueKey(item);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

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
