import { CURRENT_SCHEMA_VERSION, type Graph } from './graph.js';
import { loadGraph, type LoadResult } from './load.js';

/** A NoFlo FBP JSON graph (the `fbp-graph` format). Only the parts Reelflow maps. */
export interface FbpJsonGraph {
  caseSensitive?: boolean;
  properties: Record<string, unknown>;
  inports: Record<string, { process: string; port: string; metadata?: Record<string, unknown> }>;
  outports: Record<string, { process: string; port: string; metadata?: Record<string, unknown> }>;
  groups: unknown[];
  processes: Record<string, { component: string; metadata?: Record<string, unknown> }>;
  connections: Array<{
    src?: { process: string; port: string; index?: number };
    data?: unknown;
    tgt: { process: string; port: string; index?: number };
    metadata?: Record<string, unknown>;
  }>;
}

const GRAPH_KEYS = new Set(['schemaVersion', 'id', 'name', 'nodes', 'edges']);

/**
 * Export to NoFlo FBP JSON. Node types become components; params, label and position go
 * to the process `metadata` (positions as `x`/`y`, as NoFlo's UI keeps them). The graph's
 * own extra keys travel in `properties.reelflow` so an import gives back an equal graph.
 */
export function toFbpJson(graph: Graph): FbpJsonGraph {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(graph)) {
    if (!GRAPH_KEYS.has(key)) extras[key] = value;
  }
  const fbpExtras = (extras.fbp ?? {}) as Partial<
    Pick<FbpJsonGraph, 'inports' | 'outports' | 'groups'>
  >;
  delete extras.fbp;
  const processes: FbpJsonGraph['processes'] = {};
  for (const node of graph.nodes) {
    const metadata: Record<string, unknown> = { params: node.params };
    if (node.position) {
      metadata.x = node.position.x;
      metadata.y = node.position.y;
    }
    if (node.label !== undefined) metadata.label = node.label;
    processes[node.id] = { component: node.type, metadata };
  }
  return {
    caseSensitive: true,
    properties: {
      name: graph.name,
      id: graph.id,
      ...(Object.keys(extras).length > 0 ? { reelflow: extras } : {}),
    },
    inports: fbpExtras.inports ?? {},
    outports: fbpExtras.outports ?? {},
    groups: fbpExtras.groups ?? [],
    processes,
    connections: graph.edges.map((edge) => ({
      src: { process: edge.from.node, port: edge.from.port },
      tgt: { process: edge.to.node, port: edge.to.port },
      metadata: { id: edge.id, ...(edge.label !== undefined ? { label: edge.label } : {}) },
    })),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Import NoFlo FBP JSON. Initial information packets (`data` connections) become params of
 * their target process, keyed by port name. The result goes through `loadGraph`, so every
 * problem is reported as a `schema` diagnostic rather than thrown.
 */
export function fromFbpJson(input: unknown): LoadResult {
  if (!isRecord(input)) return loadGraph(input);
  const properties = isRecord(input.properties) ? input.properties : {};
  const processes = isRecord(input.processes) ? input.processes : {};
  const nodes = Object.entries(processes).map(([id, proc]) => {
    const p = isRecord(proc) ? proc : {};
    const meta = isRecord(p.metadata) ? p.metadata : {};
    const node: Record<string, unknown> = {
      id,
      type: p.component,
      params: isRecord(meta.params) ? { ...meta.params } : {},
    };
    if (typeof meta.x === 'number' && typeof meta.y === 'number') {
      node.position = { x: meta.x, y: meta.y };
    }
    if (typeof meta.label === 'string') node.label = meta.label;
    return node;
  });
  const edges: unknown[] = [];
  const connections = Array.isArray(input.connections) ? input.connections : [];
  connections.forEach((conn, i) => {
    if (!isRecord(conn)) {
      edges.push(conn);
      return;
    }
    const tgt = isRecord(conn.tgt) ? conn.tgt : {};
    if (conn.src === undefined && 'data' in conn) {
      const target = nodes.find((n) => n.id === tgt.process);
      if (target && typeof tgt.port === 'string') {
        (target.params as Record<string, unknown>)[tgt.port] = conn.data;
      }
      return;
    }
    const src = isRecord(conn.src) ? conn.src : {};
    const meta = isRecord(conn.metadata) ? conn.metadata : {};
    const edge: Record<string, unknown> = {
      id: typeof meta.id === 'string' ? meta.id : `e${i + 1}`,
      from: { node: src.process, port: src.port },
      to: { node: tgt.process, port: tgt.port },
    };
    if (typeof meta.label === 'string') edge.label = meta.label;
    edges.push(edge);
  });
  const extras = isRecord(properties.reelflow) ? properties.reelflow : {};
  const fbp: Record<string, unknown> = {};
  if (isRecord(input.inports) && Object.keys(input.inports).length > 0) fbp.inports = input.inports;
  if (isRecord(input.outports) && Object.keys(input.outports).length > 0)
    fbp.outports = input.outports;
  if (Array.isArray(input.groups) && input.groups.length > 0) fbp.groups = input.groups;
  return loadGraph({
    ...extras,
    ...(Object.keys(fbp).length > 0 ? { fbp } : {}),
    schemaVersion: CURRENT_SCHEMA_VERSION,
    id: typeof properties.id === 'string' ? properties.id : 'imported',
    name: typeof properties.name === 'string' ? properties.name : 'Imported flow',
    nodes,
    edges,
  });
}

/** Is this parsed JSON shaped like an FBP JSON graph rather than a Reelflow document? */
export function looksLikeFbpJson(doc: unknown): boolean {
  return isRecord(doc) && isRecord(doc.processes) && !('nodes' in doc);
}
