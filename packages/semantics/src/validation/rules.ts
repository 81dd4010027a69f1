import type { EdgeView, GraphModel, NodeView } from './model.js';
import type { Acceptor, ValidationRegistry } from './registry.js';
import { checkMergeMixedStages } from './lanes.js';

/*
 * The built-in rules that need the whole graph or the node type's zod schema, in
 * TypeScript. Rules that read well as constraints live in `structural-constraints.ts`.
 */

/** `duplicate-id`: two nodes, or two edges, share an id; reported once per shared id. */
export function checkDuplicateIds(model: GraphModel, accept: Acceptor): void {
  const report = (kind: 'node' | 'edge', ids: readonly string[]): void => {
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of counts) {
      if (count > 1)
        accept('error', `${count} ${kind}s share the id '${id}'; give each ${kind} its own id`, {
          element: { kind, id },
        });
    }
  };
  report(
    'node',
    model.nodes.map((n) => n.id),
  );
  report(
    'edge',
    model.edges.map((e) => e.id),
  );
}

/** `unknown-node-type`: the node's type is not in the library. */
export function checkNodeType(node: NodeView, accept: Acceptor): void {
  if (node.def) return;
  const known = node.model.library.types().map((t) => t.type);
  accept(
    'error',
    `node '${node.id}' has unknown type '${node.node.type}' (known types: ${known.join(', ')})`,
  );
}

/** `param-invalid`: each problem the node type's zod schema finds, at `params.<name>`. */
export function checkParams(node: NodeView, accept: Acceptor): void {
  if (!node.def) return;
  const parsed = node.def.params.safeParse(node.node.params);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const property = ['params', ...issue.path.map(String)].join('.');
    accept('error', `node '${node.id}' (${node.node.type}): ${property}: ${issue.message}`, {
      property,
    });
  }
}

/** `dangling-edge`: an edge names a node that does not exist. */
export function checkDanglingEdge(edge: EdgeView, accept: Acceptor): void {
  for (const [end, ref] of [
    ['source', edge.edge.from],
    ['target', edge.edge.to],
  ] as const) {
    if (!edge.model.node(ref.node))
      accept('error', `edge '${edge.id}' names ${end} node '${ref.node}', which does not exist`);
  }
}

/** `unknown-port`: an edge names a port its node type lacks, or uses an input as an output. */
export function checkEdgePorts(edge: EdgeView, accept: Acceptor): void {
  const ends = [
    { ref: edge.edge.from, node: edge.source(), direction: 'out' as const, role: 'output' },
    { ref: edge.edge.to, node: edge.target(), direction: 'in' as const, role: 'input' },
  ];
  for (const { ref, node, direction, role } of ends) {
    if (!node?.def || node.port(ref.port, direction)) continue;
    const wrongWay = node.port(ref.port);
    const ports = node
      .ports()
      .filter((p) => p.spec.direction === direction)
      .map((p) => p.spec.name);
    const reason = wrongWay
      ? `uses ${wrongWay.spec.direction === 'in' ? 'input' : 'output'} '${ref.port}' of '${node.id}' as an ${role}`
      : `names ${role} port '${ref.port}', which type '${node.node.type}' does not have`;
    accept('error', `edge '${edge.id}' ${reason} (its ${role}s: ${ports.join(', ') || 'none'})`);
  }
}

/**
 * `cycle`: depth-first search in document order; every edge that leads back to a node on
 * the current path closes a cycle and is reported with the cycle it closes.
 */
export function checkCycles(model: GraphModel, accept: Acceptor): void {
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  // An explicit stack: a long chain of nodes must not overflow the call stack.
  const stack: { id: string; edges: readonly EdgeView[]; next: number }[] = [];
  for (const start of model.nodes) {
    if (state.has(start.id)) continue;
    enterNode(start.id, model, state, path, stack);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as (typeof stack)[number];
      const edge = top.edges[top.next++];
      if (!edge) {
        state.set(top.id, 'done');
        path.pop();
        stack.pop();
        continue;
      }
      if (!edge.target()) continue; // dangling: dangling-edge reports it
      const to = edge.edge.to.node;
      const seen = state.get(to);
      if (seen === undefined) enterNode(to, model, state, path, stack);
      else if (seen === 'active') {
        const loop = [...path.slice(path.indexOf(to)), to].join(' → ');
        accept('error', `edge '${edge.id}' closes a cycle: ${loop}; flows must be acyclic`, {
          element: edge.ref,
        });
      }
    }
  }
}

function enterNode(
  id: string,
  model: GraphModel,
  state: Map<string, 'active' | 'done'>,
  path: string[],
  stack: { id: string; edges: readonly EdgeView[]; next: number }[],
): void {
  state.set(id, 'active');
  path.push(id);
  stack.push({ id, edges: model.outgoing(id), next: 0 });
}

/**
 * `unreachable-node`: a node on no path from a source to a sink. Skipped when the graph has
 * no source or no sink, which `no-source` / `no-sink` already report.
 */
export function checkReachability(model: GraphModel, accept: Acceptor): void {
  const sources: string[] = [];
  const sinks: string[] = [];
  for (const n of model.nodes) {
    if (!n.def) continue;
    if (!n.def.ports.some((p) => p.direction === 'in')) sources.push(n.id);
    if (!n.def.ports.some((p) => p.direction === 'out')) sinks.push(n.id);
  }
  if (sources.length === 0 || sinks.length === 0) return;
  const forward = reach(model, sources, 'forward');
  const backward = reach(model, sinks, 'backward');
  const reported = new Set<string>();
  for (const node of model.nodes) {
    if ((forward.has(node.id) && backward.has(node.id)) || reported.has(node.id)) continue;
    reported.add(node.id);
    const why = forward.has(node.id) ? 'reaches no sink' : 'is not fed by any source';
    accept('warning', `node '${node.id}' ${why}, so it is on no path from a source to a sink`, {
      element: node.ref,
    });
  }
}

/** Node ids reachable from `starts` along edges (or against them, backward). */
function reach(
  model: GraphModel,
  starts: readonly string[],
  way: 'forward' | 'backward',
): Set<string> {
  const seen = new Set(starts);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const e of way === 'forward' ? model.outgoing(id) : model.incoming(id)) {
      const next = way === 'forward' ? e.edge.to.node : e.edge.from.node;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** Register the TypeScript built-ins. Order matters only for the order of diagnostics. */
export function registerBuiltinRules(registry: ValidationRegistry): void {
  registry
    .register('graph', checkDuplicateIds, { code: 'duplicate-id', tags: ['fast'] })
    .register('graph', checkCycles, { code: 'cycle', tags: ['fast'] })
    .register('graph', checkReachability, { code: 'unreachable-node', tags: ['slow'] })
    .register('node', checkNodeType, { code: 'unknown-node-type', tags: ['fast'] })
    .register('node', checkParams, { code: 'param-invalid', tags: ['fast'] })
    .register('node', checkMergeMixedStages, { code: 'merge-mixed-stages', tags: ['fast'] })
    .register('edge', checkDanglingEdge, { code: 'dangling-edge', tags: ['fast'] })
    .register('edge', checkEdgePorts, { code: 'unknown-port', tags: ['fast'] });
}
