import { z } from 'zod';
import { diagnostic } from './diagnostic.js';
import { CURRENT_SCHEMA_VERSION, type Graph, type GraphNode, type PortRef } from './graph.js';
import { loadGraph, type LoadResult } from './load.js';

/** One end of an FBP connection: a process, one of its ports, and the array-port index. */
export interface FbpPortRef {
  process: string;
  port: string;
  index?: number;
}

/** An FBP connection: an edge (`src` → `tgt`) or an initial information packet (`data` → `tgt`). */
export interface FbpConnection {
  src?: FbpPortRef;
  data?: unknown;
  tgt: FbpPortRef;
  metadata?: Record<string, unknown>;
}

/**
 * A NoFlo / flowbased FBP JSON graph (`schemata/graph.yaml` of flowbased/fbp). Keys that the
 * source had beyond the format (such as the legacy `exports`) are carried as they were.
 */
export interface FbpJsonGraph {
  caseSensitive?: boolean;
  properties?: Record<string, unknown>;
  inports?: Record<string, unknown>;
  outports?: Record<string, unknown>;
  groups?: unknown[];
  exports?: unknown;
  processes: Record<string, { component: string; metadata?: Record<string, unknown> }>;
  /** Always written, except for an imported graph whose source had none and that has none. */
  connections?: FbpConnection[];
  [key: string]: unknown;
}

/** The node types an import knows, to tell a Reelflow parameter from a port (a NodeLibrary fits). */
export interface FbpImportOptions {
  readonly library?: {
    get(type: string): { readonly ports: readonly { readonly name: string }[] } | undefined;
  };
}

/** Graph id and name of an import whose FBP properties have none. */
export const IMPORTED_GRAPH_ID = 'imported';
export const IMPORTED_GRAPH_NAME = 'Imported flow';

/**
 * A process name every FBP tool takes: the official schema's `[a-zA-Z0-9_]+`, whole. Node ids
 * outside it are exported under a safe name, with the id in the process metadata (`reelflowId`).
 */
const SAFE_PROCESS_NAME = /^[A-Za-z0-9_]+$/;
const ID_KEY = 'reelflowId';

/** Top-level FBP keys with a place in the format, carried by the `fbp` key of a Reelflow graph. */
const FORMAT_KEYS = ['caseSensitive', 'inports', 'outports', 'groups', 'exports'] as const;
const MAPPED_KEYS = new Set(['properties', 'processes', 'connections']);
const GRAPH_KEYS = new Set(['schemaVersion', 'id', 'name', 'nodes', 'edges', 'fbp']);

const KeptIipSchema = z.object({
  /** Index in the source's `connections`, so the export puts it back where it was. */
  at: z.number().int().nonnegative(),
  /** The connection as it was; without `data` when that became the param `param` of `node`. */
  connection: z.record(z.string(), z.unknown()),
  node: z.string().optional(),
  param: z.string().optional(),
});

/**
 * What an import keeps in the top-level `fbp` key of the Reelflow graph: the source's FBP
 * data that has no Reelflow home, and what the export needs to write the source back as it was.
 * A graph without it is exported in Reelflow's own form.
 */
export const FbpKeptSchema = z.looseObject({
  caseSensitive: z.unknown().optional(),
  inports: z.unknown().optional(),
  outports: z.unknown().optional(),
  groups: z.unknown().optional(),
  exports: z.unknown().optional(),
  /** `properties` other than name and id (`environment`, `description`, `icon`, ...). */
  properties: z.record(z.string(), z.unknown()).optional(),
  /** Top-level keys the format does not define, as they were. */
  other: z.record(z.string(), z.unknown()).optional(),
  /** `name` / `id` the source lacked: the import's defaults are not written back. */
  defaulted: z.array(z.enum(['name', 'id'])).optional(),
  /** Process names outside the safe set that came from the source and are written back as is. */
  verbatimNames: z.array(z.string()).optional(),
  /** Edge ids the import made up (FBP connections have none): not written back. */
  anonymousEdges: z.array(z.string()).optional(),
  /** The source had no `connections` key. */
  noConnections: z.literal(true).optional(),
  /** Initial information packets, each kept whole or as the param it became. */
  iips: z.array(KeptIipSchema).optional(),
});
export type FbpKept = z.infer<typeof FbpKeptSchema>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Set an own property, even one called `__proto__`, which plain assignment would swallow. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function without(record: Record<string, unknown>, keys: ReadonlySet<string>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!keys.has(k)) setOwn(out, k, v);
  return out;
}

/** Process name of every node: the id when it is safe (or came so from FBP), else a safe one. */
function processNames(graph: Graph, kept: FbpKept | undefined) {
  const verbatim = new Set(kept?.verbatimNames ?? []);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const { id } of graph.nodes) {
    if ((SAFE_PROCESS_NAME.test(id) || verbatim.has(id)) && !names.has(id)) {
      names.set(id, id);
      taken.add(id);
    }
  }
  const renamed = new Set<string>();
  for (const { id } of graph.nodes) {
    if (names.has(id)) continue;
    const base = id.replace(/[^A-Za-z0-9_]/g, '_');
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    names.set(id, name);
    taken.add(name);
    renamed.add(id);
  }
  return { nameOf: (id: string) => names.get(id) ?? id, taken, renamed };
}

function fbpPort(ref: PortRef, nameOf: (id: string) => string): FbpPortRef {
  return {
    process: nameOf(ref.node),
    port: ref.port,
    ...(ref.index !== undefined ? { index: ref.index } : {}),
  };
}

/**
 * Export to FBP JSON. Node types become components; position (whole pixels), label, params and
 * the node's own `metadata` go to the process metadata; edges become connections with their id
 * and label in the connection metadata. A graph imported from FBP is written back as it came:
 * initial information packets where they were, its properties, ports, groups and names.
 * Graph keys beyond Reelflow's travel in `properties.reelflow`.
 */
export function toFbpJson(graph: Graph): FbpJsonGraph {
  const keptParse = graph.fbp === undefined ? undefined : FbpKeptSchema.safeParse(graph.fbp);
  const kept = keptParse?.success ? keptParse.data : undefined;
  const { nameOf, taken, renamed } = processNames(graph, kept);
  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));

  const connections: FbpConnection[] = graph.edges.map((edge) => {
    const metadata: Record<string, unknown> = { ...edge.metadata };
    if (!kept?.anonymousEdges?.includes(edge.id)) metadata.id = edge.id;
    if (edge.label !== undefined) metadata.label = edge.label;
    return {
      src: fbpPort(edge.from, nameOf),
      tgt: fbpPort(edge.to, nameOf),
      ...(edge.metadata !== undefined || Object.keys(metadata).length > 0 ? { metadata } : {}),
    };
  });

  // Initial information packets go back where they were; a param that came from one is one again.
  const iipParams = new Map<string, Set<string>>();
  for (const iip of [...(kept?.iips ?? [])].sort((a, b) => a.at - b.at)) {
    let connection: Record<string, unknown>;
    if (iip.node !== undefined && iip.param !== undefined) {
      const node = nodesById.get(iip.node);
      if (!node || !Object.hasOwn(node.params, iip.param)) continue;
      const tgt = isRecord(iip.connection.tgt) ? iip.connection.tgt : {};
      connection = {
        ...iip.connection,
        tgt: { ...tgt, process: nameOf(node.id), port: iip.param },
        data: node.params[iip.param],
      };
      const used = iipParams.get(node.id) ?? new Set<string>();
      iipParams.set(node.id, used.add(iip.param));
    } else {
      const tgt = iip.connection.tgt;
      if (!isRecord(tgt) || typeof tgt.process !== 'string' || !taken.has(tgt.process)) continue;
      connection = iip.connection;
    }
    connections.splice(
      Math.min(iip.at, connections.length),
      0,
      connection as unknown as FbpConnection,
    );
  }

  const processes: FbpJsonGraph['processes'] = {};
  for (const node of graph.nodes) {
    const metadata: Record<string, unknown> = { ...node.metadata };
    if (node.position) {
      // The schema wants whole pixels; `|| 0` keeps -0 out.
      metadata.x = Math.round(node.position.x) || 0;
      metadata.y = Math.round(node.position.y) || 0;
    }
    if (node.label !== undefined) metadata.label = node.label;
    const params = without(node.params, iipParams.get(node.id) ?? new Set());
    if (Object.keys(params).length > 0) metadata.params = params;
    if (renamed.has(node.id)) metadata[ID_KEY] = node.id;
    const process = {
      component: node.type,
      ...(node.metadata !== undefined || Object.keys(metadata).length > 0 ? { metadata } : {}),
    };
    setOwn(processes, nameOf(node.id), process);
  }

  const properties: Record<string, unknown> = { ...kept?.properties };
  const defaults = { name: IMPORTED_GRAPH_NAME, id: IMPORTED_GRAPH_ID };
  for (const key of ['name', 'id'] as const) {
    if (!(kept?.defaulted?.includes(key) && graph[key] === defaults[key])) {
      properties[key] = graph[key];
    }
  }
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(graph)) {
    if (!GRAPH_KEYS.has(key)) setOwn(extras, key, value);
  }
  if (Object.keys(extras).length > 0) properties.reelflow = extras;

  const out: FbpJsonGraph = { ...kept?.other, processes };
  if (!(kept?.noConnections && connections.length === 0)) out.connections = connections;
  if (kept) {
    for (const key of FORMAT_KEYS) if (kept[key] !== undefined) setOwn(out, key, kept[key]);
  } else {
    Object.assign(out, { caseSensitive: true, inports: {}, outports: {}, groups: [] });
  }
  if (!kept || kept.properties !== undefined || Object.keys(properties).length > 0) {
    out.properties = properties;
  }
  return out;
}

/**
 * Why a parsed document is not an FBP JSON graph, in a few words, or undefined when it is one.
 * A Reelflow graph document and `{}` are not.
 */
export function fbpJsonProblem(doc: unknown): string | undefined {
  if (!isRecord(doc)) return 'an FBP JSON graph is a JSON object';
  if ('schemaVersion' in doc || Array.isArray(doc.nodes)) {
    return 'this is a Reelflow graph document, not FBP JSON (it needs no import)';
  }
  if (!isRecord(doc.processes)) return 'not an FBP JSON graph: it has no "processes" object';
  if (doc.connections !== undefined && !Array.isArray(doc.connections)) {
    return 'not an FBP JSON graph: its "connections" is not an array';
  }
  return undefined;
}

/** Is this parsed JSON an FBP JSON graph rather than a Reelflow document? */
export function looksLikeFbpJson(doc: unknown): boolean {
  return fbpJsonProblem(doc) === undefined;
}

/** The kept data of an export of a Reelflow graph with nothing FBP of its own: none needed. */
function isReelflowShaped(kept: FbpKept): boolean {
  return (
    Object.keys(kept).length === 5 &&
    kept.caseSensitive === true &&
    isRecord(kept.inports) &&
    Object.keys(kept.inports).length === 0 &&
    isRecord(kept.outports) &&
    Object.keys(kept.outports).length === 0 &&
    Array.isArray(kept.groups) &&
    kept.groups.length === 0 &&
    isRecord(kept.properties) &&
    Object.keys(kept.properties).length === 0
  );
}

function portRef(end: Record<string, unknown>, idOf: (name: unknown) => unknown) {
  return {
    node: idOf(end.process),
    port: end.port,
    ...('index' in end ? { index: end.index } : {}),
  };
}

/**
 * Import FBP JSON, keeping everything the format defines: processes become nodes of their
 * component's type (unknown components included), process metadata beyond x/y/label/params
 * becomes the node's `metadata`, connections become edges with their metadata and array-port
 * indexes, and the graph's properties, ports, groups and other keys go to the `fbp` key, so that
 * `toFbpJson` writes the source back. An initial information packet into a Reelflow node's
 * parameter (with `options.library`) becomes that param; every other one is kept as it is.
 * The result goes through `loadGraph`: problems are `schema` diagnostics, never thrown.
 */
export function fromFbpJson(input: unknown, options: FbpImportOptions = {}): LoadResult {
  const problem = fbpJsonProblem(input);
  if (problem !== undefined || !isRecord(input)) {
    return {
      diagnostics: [diagnostic('schema', 'error', `$: ${problem}`, { kind: 'graph', id: '' }, '$')],
      migrations: [],
    };
  }
  const kept: FbpKept = {};
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((FORMAT_KEYS as readonly string[]).includes(key)) kept[key] = value;
    else if (!MAPPED_KEYS.has(key)) setOwn(other, key, value);
  }
  if (Object.keys(other).length > 0) kept.other = other;

  let id = IMPORTED_GRAPH_ID;
  let name = IMPORTED_GRAPH_NAME;
  let extras: Record<string, unknown> = {};
  const defaulted: Array<'name' | 'id'> = [];
  if (isRecord(input.properties)) {
    const properties = { ...input.properties };
    if (isRecord(properties.reelflow)) {
      extras = properties.reelflow;
      delete properties.reelflow;
    }
    if (typeof properties.id === 'string' && properties.id !== '') {
      id = properties.id;
      delete properties.id;
    } else defaulted.push('id');
    if (typeof properties.name === 'string') {
      name = properties.name;
      delete properties.name;
    } else defaulted.push('name');
    kept.properties = properties;
  } else defaulted.push('name', 'id');
  if (defaulted.length > 0) kept.defaulted = defaulted;

  const nodes: Array<Record<string, unknown> & { params: Record<string, unknown> }> = [];
  const idByName = new Map<string, string>();
  const verbatimNames: string[] = [];
  for (const [processName, proc] of Object.entries(input.processes as Record<string, unknown>)) {
    const p = isRecord(proc) ? proc : {};
    const node: (typeof nodes)[number] = { id: processName, type: p.component, params: {} };
    if (isRecord(p.metadata)) {
      const meta = { ...p.metadata };
      if (typeof meta[ID_KEY] === 'string' && meta[ID_KEY] !== '') {
        node.id = meta[ID_KEY];
        delete meta[ID_KEY];
      }
      if (isFiniteNumber(meta.x) && isFiniteNumber(meta.y)) {
        node.position = { x: meta.x, y: meta.y };
        delete meta.x;
        delete meta.y;
      }
      if (typeof meta.label === 'string') {
        node.label = meta.label;
        delete meta.label;
      }
      if (isRecord(meta.params) && Object.keys(meta.params).length > 0) {
        node.params = { ...meta.params };
        delete meta.params;
      }
      // An empty metadata object in the source is kept, so that it comes back.
      if (Object.keys(meta).length > 0 || Object.keys(p.metadata).length === 0) {
        node.metadata = meta;
      }
    }
    if (node.id === processName && !SAFE_PROCESS_NAME.test(processName)) {
      verbatimNames.push(processName);
    }
    idByName.set(processName, node.id as string);
    nodes.push(node);
  }
  if (verbatimNames.length > 0) kept.verbatimNames = verbatimNames;
  const idOf = (processName: unknown) =>
    typeof processName === 'string' ? (idByName.get(processName) ?? processName) : processName;
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const isParam = (type: unknown, port: string) => {
    const def = typeof type === 'string' ? options.library?.get(type) : undefined;
    return def !== undefined && !def.ports.some((p) => p.name === port);
  };

  const connections = Array.isArray(input.connections) ? input.connections : [];
  if (input.connections === undefined) kept.noConnections = true;
  // Edge ids: the ones the source names first, then made-up ones that collide with none.
  const usedIds = new Set<string>();
  for (const conn of connections) {
    if (isRecord(conn) && isRecord(conn.metadata) && typeof conn.metadata.id === 'string') {
      usedIds.add(conn.metadata.id);
    }
  }
  let counter = 0;
  const newEdgeId = () => {
    let edgeId: string;
    do edgeId = `e${++counter}`;
    while (usedIds.has(edgeId));
    usedIds.add(edgeId);
    return edgeId;
  };
  const edges: unknown[] = [];
  const anonymousEdges: string[] = [];
  const iips: NonNullable<FbpKept['iips']> = [];
  connections.forEach((conn: unknown, at) => {
    if (!isRecord(conn)) {
      edges.push(conn);
      return;
    }
    const tgt = isRecord(conn.tgt) ? conn.tgt : {};
    if (conn.src === undefined && 'data' in conn) {
      const node = nodeById.get(idOf(tgt.process) as string);
      const port = tgt.port;
      if (
        node &&
        typeof port === 'string' &&
        tgt.index === undefined &&
        isParam(node.type, port) &&
        !Object.hasOwn(node.params, port)
      ) {
        const { data, ...connection } = conn;
        setOwn(node.params, port, data);
        iips.push({ at, connection, node: node.id as string, param: port });
      } else {
        iips.push({ at, connection: conn });
      }
      return;
    }
    const src = isRecord(conn.src) ? conn.src : {};
    const meta = isRecord(conn.metadata) ? { ...conn.metadata } : undefined;
    let edgeId: string;
    if (meta && typeof meta.id === 'string' && meta.id !== '') {
      edgeId = meta.id;
      delete meta.id;
    } else {
      edgeId = newEdgeId();
      anonymousEdges.push(edgeId);
    }
    const edge: Record<string, unknown> = {
      id: edgeId,
      from: portRef(src, idOf),
      to: portRef(tgt, idOf),
    };
    if (meta && typeof meta.label === 'string') {
      edge.label = meta.label;
      delete meta.label;
    }
    if (
      meta &&
      (Object.keys(meta).length > 0 || Object.keys(conn.metadata as object).length === 0)
    ) {
      edge.metadata = meta;
    }
    edges.push(edge);
  });
  if (anonymousEdges.length > 0) kept.anonymousEdges = anonymousEdges;
  if (iips.length > 0) kept.iips = iips;

  return loadGraph({
    ...extras,
    ...(isReelflowShaped(kept) ? {} : { fbp: kept }),
    schemaVersion: CURRENT_SCHEMA_VERSION,
    id,
    name,
    nodes: nodes as unknown as GraphNode[],
    edges,
  });
}
