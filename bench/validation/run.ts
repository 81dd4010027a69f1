/**
 * Benchmark of static validation (issue 3), with the real node library and its built-in
 * constraints:
 * - full validation (all rules, mode `all`) of a generated 10,000-node graph, with the
 *   rules that cost most;
 * - re-validation after one edit on a 1,000-node graph, incremental.
 * Writes median/min/max milliseconds to results.json beside this file. Not a test: the
 * figures depend on the machine.
 *
 *   npx tsx --tsconfig bench/validation/tsconfig.json bench/validation/run.ts [--runs N]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  createLibrary,
  type Edge,
  type Graph,
  type GraphNode,
  type NodeLibrary,
  type NodeTypeDef,
} from '@reelflow/fbp-model';
import * as reelflowLibrary from '@reelflow/library';
import {
  GraphModel,
  createIncrementalValidator,
  createValidationSetup,
  validateGraph,
  type GraphChange,
} from '@reelflow/semantics';

const FULL_TARGET_MS = 250;
const EDIT_TARGET_MS = 5;

/** Branches per split: each is transfer → encode → transfer. */
const BRANCHES = 32;
const NODES_PER_FLOW = 4 + 3 * BRANCHES;

/**
 * `flows` copies of source → split → BRANCHES × (transfer → encode → transfer) → merge →
 * stream: the shape of a real fan-out transcode, 100 nodes and 130 edges per flow.
 */
function generate(flows: number): Graph {
  const nodes: GraphNode[] = [];
  const edges: Edge[] = [];
  const link = (from: string, to: string): void => {
    edges.push({
      id: `e${edges.length}`,
      from: { node: from, port: 'out' },
      to: { node: to, port: 'in' },
    });
  };
  for (let f = 0; f < flows; f++) {
    const id = (name: string): string => `f${f}-${name}`;
    nodes.push(
      { id: id('src'), type: 'source', params: {} },
      { id: id('split'), type: 'split', params: { segmentSeconds: 10 } },
      { id: id('merge'), type: 'merge', params: { container: 'mp4' } },
      { id: id('out'), type: 'stream', params: { format: 'hls', segmentSeconds: 4 } },
    );
    link(id('src'), id('split'));
    for (let b = 0; b < BRANCHES; b++) {
      nodes.push(
        { id: id(`xfer${b}`), type: 'transfer', params: { strategy: 'shared' } },
        {
          id: id(`enc${b}`),
          type: 'encode',
          params: { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 },
        },
        { id: id(`back${b}`), type: 'transfer', params: { strategy: 'shared' } },
      );
      link(id('split'), id(`xfer${b}`));
      link(id(`xfer${b}`), id(`enc${b}`));
      link(id(`enc${b}`), id(`back${b}`));
      link(id(`back${b}`), id('merge'));
    }
    link(id('merge'), id('out'));
  }
  return { schemaVersion: 1, id: `generated-${nodes.length}`, name: 'generated', nodes, edges };
}

/** The library with its built-in constraints, however the library index exposes them. */
async function libraryWithConstraints(): Promise<NodeLibrary> {
  const lib = reelflowLibrary as Record<string, unknown>;
  if (reelflowLibrary.library.get('merge')?.constraints) return reelflowLibrary.library;
  type Attach = (defs: readonly NodeTypeDef[]) => NodeTypeDef[];
  // Until the library index re-exports the constraints module, load it from its file.
  const attach =
    (lib.withConstraints as Attach | undefined) ??
    (
      (await import(
        new URL('../../packages/library/src/constraints/index.ts', import.meta.url).href
      )) as { withConstraints: Attach }
    ).withConstraints;
  return createLibrary(attach(reelflowLibrary.nodeTypes as unknown as NodeTypeDef[]));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Wall-clock and CPU milliseconds of each run. On a shared machine other processes stretch
 * the wall clock; the process's own CPU time shows what validation itself costs.
 */
interface Samples {
  readonly wall: number[];
  readonly cpu: number[];
}

const samples = (): Samples => ({ wall: [], cpu: [] });

function measure<T>(into: Samples, fn: () => T): T {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = fn();
  into.wall.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  into.cpu.push((used.user + used.system) / 1000);
  return result;
}

const stats = (s: Samples) => ({
  runs: s.wall.length,
  medianMs: round(median(s.wall)),
  minMs: round(Math.min(...s.wall)),
  maxMs: round(Math.max(...s.wall)),
  cpuMedianMs: round(median(s.cpu)),
});

function time(runs: number, fn: () => void): Samples {
  const into = samples();
  for (let i = 0; i < runs; i++) measure(into, fn);
  return into;
}

/** Milliseconds per rule over `runs` full validations, costliest first. */
function ruleCosts(graph: Graph, library: NodeLibrary, runs: number) {
  const setup = createValidationSetup(library);
  const totals = new Map<string, number>();
  setup.registry.observer = (rule, run) => {
    const start = performance.now();
    run();
    const key = `${rule.kind}:${rule.name}`;
    totals.set(key, (totals.get(key) ?? 0) + performance.now() - start);
  };
  for (let i = 0; i < runs; i++) setup.registry.validate(new GraphModel(graph, library), 'all');
  return [...totals]
    .map(([rule, ms]) => ({ rule, ms: round(ms / runs) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
}

/**
 * One-edit re-validation: flip one encode's reserved cpus, alternating over the graph's
 * encodes. (Not its crf: the encodes of one merge are parallel lanes, and lanes with
 * different crf are `merge-mixed-stages`; cpus is a scheduling parameter lanes may differ in.)
 */
function editTimes(graph: Graph, library: NodeLibrary, runs: number, typed: boolean): Samples {
  const validator = createIncrementalValidator(library);
  validator.update(graph);
  const encodes = graph.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.type === 'encode');
  let current = graph;
  const times = samples();
  for (let r = 0; r < runs; r++) {
    const [target, index] = encodes[(r * 7) % encodes.length] as (typeof encodes)[number];
    const before = current.nodes[index] as GraphNode;
    const edited: GraphNode = {
      ...before,
      params: { ...before.params, cpus: before.params.cpus === 1 ? 0.5 : 1 },
    };
    const nodes = current.nodes.slice();
    nodes[index] = edited;
    current = { ...current, nodes };
    const change: GraphChange = { kind: 'node-updated', id: target.id };
    const diagnostics = measure(times, () => validator.update(current, typed ? change : undefined));
    if (diagnostics.length !== 0)
      throw new Error(`unexpected diagnostics after an edit: ${JSON.stringify(diagnostics[0])}`);
  }
  return times;
}

/** One-edit re-validation of an edge edit: remove a branch's last edge, then restore it. */
function edgeEditTimes(graph: Graph, library: NodeLibrary, runs: number): Samples {
  const validator = createIncrementalValidator(library);
  validator.update(graph);
  const intoMerge = graph.edges
    .map((e, i) => [e, i] as const)
    .filter(([e]) => e.to.node.endsWith('-merge'));
  let current = graph;
  const times = samples();
  for (let r = 0; r < runs; r++) {
    const [edge, index] = intoMerge[(r >> 1) % intoMerge.length] as (typeof intoMerge)[number];
    const removing = r % 2 === 0;
    const edges = removing
      ? current.edges.filter((e) => e !== edge)
      : [...current.edges.slice(0, index), edge, ...current.edges.slice(index)];
    current = { ...current, edges };
    const change: GraphChange = { kind: removing ? 'edge-removed' : 'edge-added', id: edge.id };
    const diagnostics = measure(times, () => validator.update(current, change));
    // Removing the edge leaves the branch's output unconnected (and the branch unreachable).
    const expected = removing
      ? diagnostics.some((d) => d.code === 'output-unconnected')
      : diagnostics.length === 0;
    if (!expected) throw new Error(`unexpected diagnostics: ${JSON.stringify(diagnostics)}`);
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  const runs = Number(values.runs);
  const library = await libraryWithConstraints();
  const big = generate(10_000 / NODES_PER_FLOW);
  const small = generate(1_000 / NODES_PER_FLOW);

  // The results are checked, not only timed: a generated graph is valid, a broken one is not.
  const first = validateGraph(big, library);
  if (first.length !== 0)
    throw new Error(`generated graph should be valid: ${JSON.stringify(first.slice(0, 3))}`);
  const broken = { ...big, edges: big.edges.slice(1) };
  if (!validateGraph(broken, library).some((d) => d.code === 'required-input-unconnected'))
    throw new Error('broken graph not caught');

  time(3, () => validateGraph(big, library)); // warm-up (JIT)
  const full = time(runs, () => validateGraph(big, library));
  const fast = time(runs, () => validateGraph(big, library, { mode: 'fast' }));
  editTimes(small, library, 50, true); // warm-up
  const typedEdit = editTimes(small, library, Math.max(runs, 101), true);
  const diffedEdit = editTimes(small, library, Math.max(runs, 101), false);
  const edgeEdit = edgeEditTimes(small, library, Math.max(runs, 101));
  const fullSmall = time(runs, () => validateGraph(small, library));

  const result = {
    benchmark: 'validation (all built-in rules and constraints, real node library)',
    graph: {
      shape: `flows of source → split → ${BRANCHES} × (transfer → encode → transfer) → merge → stream`,
    },
    fullValidation: {
      nodes: big.nodes.length,
      edges: big.edges.length,
      mode: 'all',
      ...stats(full),
      targetMs: FULL_TARGET_MS,
    },
    fullValidationFast: { nodes: big.nodes.length, mode: 'fast', ...stats(fast) },
    costliestRules: ruleCosts(big, library, 5),
    oneEdit: {
      nodes: small.nodes.length,
      edges: small.edges.length,
      edit: "one encode's crf changed",
      withChange: { ...stats(typedEdit), targetMs: EDIT_TARGET_MS },
      diffed: stats(diffedEdit),
      edgeRemovedOrRestored: stats(edgeEdit),
      fullValidationForComparison: stats(fullSmall),
    },
    pass: median(full.wall) < FULL_TARGET_MS && median(typedEdit.wall) < EDIT_TARGET_MS,
    // Other processes on the machine stretch wall-clock figures; compare with cpuMedianMs.
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    cpus: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
  };
  const out = fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (!result.pass) process.exitCode = 1;
}

await main();
