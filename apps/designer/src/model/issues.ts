import type { Diagnostic, Graph, Severity } from '@reelflow/fbp-model';

/** Per element: how many diagnostics and the worst severity, for markers on the canvas. */
export interface Issue {
  readonly count: number;
  readonly severity: Severity;
}

const rank: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** The node or edge a diagnostic should be drawn on; ports count for their node. */
export function elementKey(d: Diagnostic): string | undefined {
  switch (d.element.kind) {
    case 'node':
    case 'edge':
      return d.element.id;
    case 'port': {
      const dot = d.element.id.lastIndexOf('.');
      return dot > 0 ? d.element.id.slice(0, dot) : d.element.id;
    }
    default:
      return undefined;
  }
}

/** Port problems that are about the edges on the port, so the edges are marked too. */
const EDGE_CODES = new Set(['port-type-mismatch', 'port-multiplicity', 'unknown-port']);

/** The edges a port diagnostic is about (the edges on that port). */
function edgesOfPort(d: Diagnostic, graph: Graph): string[] {
  if (d.element.kind !== 'port' || !EDGE_CODES.has(d.code)) return [];
  const dot = d.element.id.lastIndexOf('.');
  const node = d.element.id.slice(0, dot);
  const port = d.element.id.slice(dot + 1);
  return graph.edges
    .filter(
      (e) =>
        (e.to.node === node && e.to.port === port) ||
        (e.from.node === node && e.from.port === port),
    )
    .map((e) => e.id);
}

/** Index diagnostics by the element they mark: nodes (for their ports too) and edges. */
export function indexIssues(
  diagnostics: readonly Diagnostic[],
  graph: Graph,
): ReadonlyMap<string, Issue> {
  const out = new Map<string, Issue>();
  const add = (key: string, severity: Severity) => {
    const prev = out.get(key);
    out.set(key, {
      count: (prev?.count ?? 0) + 1,
      severity: prev && rank[prev.severity] >= rank[severity] ? prev.severity : severity,
    });
  };
  for (const d of diagnostics) {
    const key = elementKey(d);
    if (key !== undefined) add(key, d.severity);
    for (const edge of edgesOfPort(d, graph)) add(edge, d.severity);
  }
  return out;
}
