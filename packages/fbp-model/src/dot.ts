import type { Graph } from './graph.js';

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Export to Graphviz DOT, left to right, nodes labelled with id and type. */
export function toDot(graph: Graph): string {
  const lines = [
    `digraph ${quote(graph.id)} {`,
    '  rankdir=LR;',
    `  label=${quote(graph.name)};`,
    '  node [shape=box, style=rounded];',
  ];
  for (const node of graph.nodes) {
    const label = `${node.label ?? node.id}\\n(${node.type})`;
    lines.push(`  ${quote(node.id)} [label="${label.replace(/"/g, '\\"')}"];`);
  }
  for (const edge of graph.edges) {
    lines.push(
      `  ${quote(edge.from.node)} -> ${quote(edge.to.node)} [id=${quote(edge.id)}, taillabel=${quote(edge.from.port)}, headlabel=${quote(edge.to.port)}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
