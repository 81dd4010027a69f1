/**
 * Inputs for fuzzing the graph loader and validation: random JSON, hostile scalars and keys,
 * structure-aware mutations of the valid example graph, random graphs over the library's
 * node types, and large graphs (thousands of nodes, cycles). Shared with the runtime's
 * fuzz test of `POST /api/validate`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

export { toJsonText } from './json-text.js';

/** A parsed JSON document (or anything the loader may be handed in-process). */
export type Doc = unknown;
type JsonObject = Record<string, unknown>;
type Path = readonly (string | number)[];

const EXAMPLE_URL = new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url);

/** The valid example of CONTRACTS section 1 as JSON text. */
export const EXAMPLE_TEXT = readFileSync(EXAMPLE_URL, 'utf8');

/** A fresh copy of the valid example graph (callers mutate it). */
export const exampleDocument = (): JsonObject => JSON.parse(EXAMPLE_TEXT) as JsonObject;

/** The node types the library ships, and names that look like types but are not. */
export const NODE_TYPES = [
  'source',
  'split',
  'transfer',
  'encode',
  'merge',
  'stream',
  'probe',
  'quality',
  'scale',
  'crop',
  'pad',
  'fps',
  'deinterlace',
  'denoise',
  'watermark',
  'text',
];
const FAKE_TYPES = ['Node', 'Graph', 'unknown', 'ENCODE', 'encode ', ''];

/** Keys that break naive code: prototype pollution, inherited names, empty and odd keys. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'length',
  '',
  ' ',
  'a.b',
  '$',
  '0',
  '-1',
];

const PARAM_NAMES = [
  'crf',
  'codec',
  'preset',
  'height',
  'width',
  'bitrateKbps',
  'implementation',
  'segmentSeconds',
  'segments',
  'strategy',
  'container',
  'incremental',
  'format',
  'retries',
];

/** Values that break naive code: huge and tiny numbers, NaN-like strings, injections, junk. */
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    0,
    -0,
    1e308,
    -1e308,
    5e-324,
    2 ** 53 + 2,
    -(2 ** 63),
    1.5,
    1e21,
    NaN,
    Infinity,
    -Infinity,
    null,
    undefined,
    true,
    false,
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '-0',
    '0x10',
    ' 23 ',
    '23abc',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
    '\u202e',
    '../../etc/passwd',
    '$(touch /tmp/pwned)',
    '; rm -rf /',
    "'",
    'context Node inv: true',
  ),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 100_000 }).map((n) => 'x'.repeat(n)),
);

/** Random JSON, small enough to be many per second. */
export const randomJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

/** A key for a generated object: mostly ordinary, sometimes hostile. */
const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PARAM_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/**
 * Set an own property, even one named `__proto__` (plain assignment would replace the
 * prototype instead, which a JSON document can never do).
 */
function defineOwn(target: JsonObject | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** An object from entries, with `__proto__` and friends as own keys, as `JSON.parse` makes them. */
export function objectOf(entries: readonly (readonly [string, unknown])[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of entries) defineOwn(out, k, v);
  return out;
}

const hostileObject = fc
  .array(fc.tuple(keyArb, fc.oneof(hostileScalar, randomJson)), { maxLength: 6 })
  .map(objectOf);

/** `value` wrapped `depth` levels deep in arrays or objects (built without recursion). */
export function nest(value: unknown, depth: number, kind: 'array' | 'object'): unknown {
  let out = value;
  for (let i = 0; i < depth; i++) out = kind === 'array' ? [out] : objectOf([['a', out]]);
  return out;
}

/** A path as a linked list from the leaf up, so listing every path of a deep document is linear. */
interface PathLink {
  readonly key: string | number;
  readonly parent: PathLink | undefined;
}

function toPath(link: PathLink | undefined): Path {
  const out: (string | number)[] = [];
  for (let l = link; l; l = l.parent) out.push(l.key);
  return out.reverse();
}

/** A path in a document, picked by `index` among the first `limit` paths, breadth-first. */
function pickPath(doc: unknown, index: number, limit = 2_000): Path {
  const queue: { link: PathLink | undefined; value: unknown }[] = [{ link: undefined, value: doc }];
  for (let i = 0; i < queue.length && queue.length < limit; i++) {
    const { link, value } = queue[i]!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [k, v] of Object.entries(value))
      queue.push({ link: { key: Array.isArray(value) ? Number(k) : k, parent: link }, value: v });
  }
  return toPath(queue[index % queue.length]!.link);
}

function getAt(doc: unknown, path: Path): unknown {
  let cur = doc;
  for (const key of path) cur = (cur as Record<string | number, unknown>)[key];
  return cur;
}

/** What one mutation does at the place it picks. */
type MutationOp =
  | { op: 'drop' }
  | { op: 'duplicate' }
  | { op: 'retype'; value: unknown }
  | { op: 'nest'; depth: number; kind: 'array' | 'object' }
  | { op: 'addKey'; key: string; value: unknown }
  | { op: 'grow'; copies: number };

/** One structure-aware mutation: `at` picks a path (modulo the document's path count). */
export interface Mutation {
  readonly at: number;
  readonly change: MutationOp;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  change: fc.oneof(
    fc.constant({ op: 'drop' as const }),
    fc.constant({ op: 'duplicate' as const }),
    fc.record({
      op: fc.constant('retype' as const),
      value: fc.oneof(hostileScalar, randomJson, hostileObject, fc.constant([]), fc.constant({})),
    }),
    fc.record({
      op: fc.constant('nest' as const),
      depth: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1_000, max: 5_000 })),
      kind: fc.constantFrom('array' as const, 'object' as const),
    }),
    fc.record({
      op: fc.constant('addKey' as const),
      key: keyArb,
      value: fc.oneof(hostileScalar, randomJson, fc.constant({ polluted: 'yes' })),
    }),
    fc.record({ op: fc.constant('grow' as const), copies: fc.integer({ min: 1, max: 300 }) }),
  ),
});

/**
 * Values a document holds once written out (a shared reference counts each time it is
 * reached), counted up to `cap`. Mutations share references rather than copy, so repeated
 * duplication could otherwise make a document of exponential size.
 */
function expandedSize(root: unknown, cap: number): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0 && count < cap) {
    const value = stack.pop();
    count++;
    if (typeof value === 'object' && value !== null)
      for (const v of Object.values(value)) stack.push(v);
  }
  return count;
}

/** Largest mutated document, in values: big enough for stress, far below the 5 MB body limit. */
export const MAX_DOCUMENT_VALUES = 100_000;

/** Would adding `copies` more of `target` push the document over the size budget? */
function overBudget(doc: unknown, target: unknown, copies: number): boolean {
  const targetSize = expandedSize(target, MAX_DOCUMENT_VALUES + 1);
  const docSize = expandedSize(doc, MAX_DOCUMENT_VALUES + 1);
  return docSize + copies * targetSize > MAX_DOCUMENT_VALUES;
}

/**
 * Apply one mutation in place (the root itself can only be replaced: returns the new root).
 * Values from the mutation are copied in: fast-check hands out the same instance again (a
 * `constant`, a shrink), and a later `grow` or `addKey` must not change it for other runs.
 */
export function mutate(doc: unknown, { at, change }: Mutation): unknown {
  const path = pickPath(doc, at);
  const target = getAt(doc, path);
  if (path.length === 0) {
    if (change.op === 'retype') return structuredClone(change.value);
    if (change.op === 'nest') return nest(doc, change.depth, change.kind);
  }
  const parent = path.length > 0 ? getAt(doc, path.slice(0, -1)) : undefined;
  const key = path[path.length - 1]!;
  const container = parent as JsonObject | unknown[];
  if (change.op === 'duplicate' || change.op === 'grow') {
    if (overBudget(doc, target, change.op === 'grow' ? change.copies : 1)) return doc;
  }
  switch (change.op) {
    case 'drop':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else if (container) delete container[key];
      break;
    case 'duplicate':
      // Shared references, not copies: a deeply nested value would overflow a recursive clone.
      if (Array.isArray(container)) container.splice(key as number, 0, target);
      else if (container) defineOwn(container, `${String(key)}_copy`, target);
      break;
    case 'retype':
      if (container) defineOwn(container, key, structuredClone(change.value));
      break;
    case 'nest':
      if (container) defineOwn(container, key, nest(target, change.depth, change.kind));
      break;
    case 'addKey':
      if (typeof target === 'object' && target !== null && !Array.isArray(target))
        defineOwn(target as JsonObject, change.key, structuredClone(change.value));
      break;
    case 'grow':
      if (Array.isArray(target) && target.length > 0)
        for (let i = 0; i < change.copies; i++) target.push(target[i % target.length]);
      break;
  }
  return doc;
}

/** A fresh `base()` after one to six random structure-aware mutations. */
export const mutationsOf = (base: () => unknown): fc.Arbitrary<Doc> =>
  fc
    .array(mutationArb, { minLength: 1, maxLength: 6 })
    .map((mutations) => mutations.reduce<unknown>(mutate, base()));

/** The valid example after one to six random structure-aware mutations. */
export const mutatedExample: fc.Arbitrary<Doc> = mutationsOf(exampleDocument);

const idArb = fc.oneof(
  fc.constantFrom('src', 'split', 'enc', 'merge', 'out', 'n1', ...HOSTILE_KEYS),
  fc.string({ minLength: 1, maxLength: 6 }),
);

const paramsArb = fc
  .array(fc.tuple(keyArb, fc.oneof(hostileScalar, randomJson)), { maxLength: 5 })
  .map(objectOf);

const nodeArb = fc.record(
  {
    id: idArb,
    type: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...NODE_TYPES) },
      { weight: 1, arbitrary: fc.constantFrom(...FAKE_TYPES, ...HOSTILE_KEYS) },
    ),
    params: paramsArb,
    label: fc.oneof(fc.string({ maxLength: 10 }), hostileScalar),
    position: fc.record({ x: fc.double(), y: fc.double() }),
  },
  { requiredKeys: ['id', 'type'] },
);

const PORTS = ['in', 'out', 'in2', '', '__proto__', 'constructor'];

/**
 * A schema-valid-looking graph over the library's node types with random edges between its
 * nodes (so cycles, fan-in, dangling and wrongly typed edges all occur).
 */
export const randomGraph: fc.Arbitrary<Doc> = fc
  .array(nodeArb, { maxLength: 25 })
  .chain((nodes) => {
    const ends = fc.record({
      node: nodes.length > 0 ? fc.oneof(fc.constantFrom(...nodes.map((n) => n.id)), idArb) : idArb,
      port: fc.constantFrom(...PORTS),
    });
    const edgeArb = fc.record({ id: idArb, from: ends, to: ends });
    return fc.record({
      schemaVersion: fc.constantFrom<unknown>(1, 1, 1, 0, 2, '1', -1, 1.5),
      id: idArb,
      name: fc.string({ maxLength: 10 }),
      nodes: fc.constant(nodes),
      edges: fc.array(edgeArb, { maxLength: 40 }),
    });
  });

/**
 * A large graph: source → split → `n` transfers → merge → stream, plus `backEdges` edges from
 * later transfers to earlier ones (each closes a cycle). Built directly, not by fast-check,
 * so thousands of nodes cost milliseconds.
 */
export function chainGraph(n: number, backEdges: readonly [number, number][] = []): JsonObject {
  const nodes: JsonObject[] = [
    { id: 'src', type: 'source', params: {} },
    { id: 'split', type: 'split', params: { segmentSeconds: 10 } },
  ];
  const edges: JsonObject[] = [];
  const link = (from: string, to: string): void => {
    edges.push({
      id: `e${edges.length}`,
      from: { node: from, port: 'out' },
      to: { node: to, port: 'in' },
    });
  };
  link('src', 'split');
  let previous = 'split';
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `t${i}`, type: 'transfer', params: { strategy: 'shared' } });
    link(previous, `t${i}`);
    previous = `t${i}`;
  }
  nodes.push({ id: 'merge', type: 'merge', params: { container: 'mp4' } });
  nodes.push({ id: 'out', type: 'stream', params: { format: 'hls' } });
  link(previous, 'merge');
  link('merge', 'out');
  for (const [from, to] of backEdges) link(`t${from % n}`, `t${to % n}`);
  return { schemaVersion: 1, id: `chain-${n}`, name: 'large', nodes, edges };
}

/** A large chain graph of 1,000 to 4,000 transfers with up to 20 cycle-closing edges. */
export const largeGraph: fc.Arbitrary<Doc> = fc
  .tuple(
    fc.integer({ min: 1_000, max: 4_000 }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
  )
  .map(([n, back]) => chainGraph(n, back));

/** Any input the loader may be handed: random JSON, mutations, random and large graphs. */
export const anyDocument: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 2, arbitrary: randomJson },
  { weight: 1, arbitrary: hostileScalar },
  { weight: 4, arbitrary: mutatedExample },
  { weight: 3, arbitrary: randomGraph },
);
