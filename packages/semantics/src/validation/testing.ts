import { z } from 'zod';
import {
  CURRENT_SCHEMA_VERSION,
  createLibrary,
  type Diagnostic,
  type Edge,
  type FiringKind,
  type Graph,
  type GraphNode,
  type NodeLibrary,
  type NodeTypeDef,
  type PortSpec,
} from '@reelflow/fbp-model';

/*
 * Test helpers in the manner of Langium's `expectError` / `expectNoIssues`: they throw a
 * plain Error with every diagnostic listed, so they work under any test runner.
 */

export interface DiagnosticMatch {
  /** Element id (`nodeId`, `edgeId` or `nodeId.portName`). */
  readonly element?: string;
  readonly kind?: Diagnostic['element']['kind'];
  readonly property?: string;
  readonly severity?: Diagnostic['severity'];
  readonly message?: RegExp | string;
}

const show = (ds: readonly Diagnostic[]): string =>
  ds.length === 0
    ? '  (none)'
    : ds
        .map(
          (d) =>
            `  ${d.severity} ${d.code} @${d.element.kind}:${d.element.id}${d.property ? ` [${d.property}]` : ''}: ${d.message}`,
        )
        .join('\n');

function matches(d: Diagnostic, code: string, m: DiagnosticMatch): boolean {
  return (
    d.code === code &&
    (m.element === undefined || d.element.id === m.element) &&
    (m.kind === undefined || d.element.kind === m.kind) &&
    (m.property === undefined || d.property === m.property) &&
    (m.severity === undefined || d.severity === m.severity) &&
    (m.message === undefined ||
      (typeof m.message === 'string' ? d.message.includes(m.message) : m.message.test(d.message)))
  );
}

/** Assert that a diagnostic with `code` (and the given details) is present; returns it. */
export function expectIssue(
  diagnostics: readonly Diagnostic[],
  code: string,
  match: DiagnosticMatch = {},
): Diagnostic {
  const found = diagnostics.find((d) => matches(d, code, match));
  if (!found) {
    throw new Error(
      `expected a '${code}' diagnostic matching ${JSON.stringify(match, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}, got:\n${show(diagnostics)}`,
    );
  }
  return found;
}

/** Like `expectIssue`, for severity `error`. */
export const expectError = (
  diagnostics: readonly Diagnostic[],
  code: string,
  match: DiagnosticMatch = {},
): Diagnostic => expectIssue(diagnostics, code, { ...match, severity: 'error' });

/** Like `expectIssue`, for severity `warning`. */
export const expectWarning = (
  diagnostics: readonly Diagnostic[],
  code: string,
  match: DiagnosticMatch = {},
): Diagnostic => expectIssue(diagnostics, code, { ...match, severity: 'warning' });

/** Assert that no diagnostic has `code`. */
export function expectNoIssue(diagnostics: readonly Diagnostic[], code: string): void {
  const found = diagnostics.filter((d) => d.code === code);
  if (found.length > 0) throw new Error(`expected no '${code}' diagnostic, got:\n${show(found)}`);
}

/** Assert that there are no diagnostics at all. */
export function expectNoIssues(diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length > 0)
    throw new Error(`expected no diagnostics, got:\n${show(diagnostics)}`);
}

// ---- a small library shaped like CONTRACTS section 1, independent of packages/library ----

const port = (
  name: string,
  direction: 'in' | 'out',
  dataType: 'video' | 'chunk' | 'audio',
  multiplicity: 'one' | 'many' = 'one',
  required?: boolean,
): PortSpec => ({
  ...(required === undefined ? {} : { required }),
  name,
  direction,
  dataType,
  multiplicity,
});

/** A node type with inert compile and cost functions; validation never calls them. */
export function testNodeType(
  type: string,
  ports: readonly PortSpec[],
  params: z.ZodType<Record<string, unknown>>,
  firing: FiringKind,
  constraints?: string,
): NodeTypeDef {
  return {
    type,
    title: type,
    description: `test node type ${type}`,
    ports,
    params,
    firing,
    compile: () => [],
    estimateSeconds: () => 1,
    cores: () => 1,
    ...(constraints === undefined ? {} : { constraints }),
  };
}

/** The six node types of CONTRACTS section 1, with parameter schemas, for tests. */
export function createTestLibrary(
  extra: readonly NodeTypeDef[] = [],
  constraintsByType: Readonly<Record<string, string>> = {},
): NodeLibrary {
  const defs = [
    testNodeType(
      'source',
      [port('out', 'out', 'video')],
      z.object({ path: z.string().optional() }),
      'source',
    ),
    testNodeType(
      'split',
      [port('in', 'in', 'video'), port('out', 'out', 'chunk')],
      z.object({
        segmentSeconds: z.number().positive().default(10),
        segments: z.number().int().positive().optional(),
      }),
      'fanout',
    ),
    {
      // Stream copy only, like the library's: merge-mixed-stages looks through it.
      ...testNodeType(
        'transfer',
        [port('in', 'in', 'chunk'), port('out', 'out', 'chunk')],
        z.object({ strategy: z.enum(['shared', 'http']).default('shared') }),
        'map',
      ),
      light: true,
    },
    testNodeType(
      'encode',
      [port('in', 'in', 'chunk'), port('out', 'out', 'chunk')],
      z.object({
        codec: z.enum(['h264', 'h265', 'vp9', 'av1']).default('h264'),
        preset: z.string().default('veryfast'),
        crf: z.number().int().min(0).max(51).optional(),
        bitrateKbps: z.number().positive().optional(),
        width: z.number().int().positive().optional(),
        height: z.number().int().positive().optional(),
      }),
      'map',
    ),
    testNodeType(
      'merge',
      [port('in', 'in', 'chunk', 'many'), port('out', 'out', 'video')],
      z.object({
        container: z.enum(['mp4', 'mkv', 'webm']).default('mp4'),
        incremental: z.boolean().default(false),
      }),
      'join',
    ),
    testNodeType(
      'stream',
      [port('in', 'in', 'video', 'many'), port('audio', 'in', 'audio', 'one', false)],
      z.object({
        format: z.enum(['hls', 'dash']).default('hls'),
        segmentSeconds: z.number().positive().default(4),
      }),
      'sink',
    ),
    ...extra,
  ].map((def) =>
    constraintsByType[def.type] ? { ...def, constraints: constraintsByType[def.type] } : def,
  );
  return createLibrary(defs);
}

/** A node: `node('enc', 'encode', { crf: 23 })`. */
export const node = (
  id: string,
  type: string,
  params: Record<string, unknown> = {},
): GraphNode => ({ id, type, params });

/** An edge between `node.port` ends: `edge('e1', 'src.out', 'split.in')`. */
export function edge(id: string, from: string, to: string): Edge {
  const [fromNode = '', fromPort = ''] = from.split('.');
  const [toNode = '', toPort = ''] = to.split('.');
  return { id, from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } };
}

export const graphOf = (nodes: GraphNode[], edges: Edge[], id = 'test'): Graph => ({
  schemaVersion: CURRENT_SCHEMA_VERSION,
  id,
  name: id,
  nodes,
  edges,
});

/** The CONTRACTS example: source → split → transfer → encode → transfer → merge → stream. */
export function exampleGraph(): Graph {
  return graphOf(
    [
      node('src', 'source'),
      node('split', 'split', { segmentSeconds: 10 }),
      node('xfer', 'transfer', { strategy: 'shared' }),
      node('enc', 'encode', { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 }),
      node('back', 'transfer', { strategy: 'shared' }),
      node('merge', 'merge', { container: 'mp4' }),
      node('out', 'stream', { format: 'hls', segmentSeconds: 4 }),
    ],
    [
      edge('e1', 'src.out', 'split.in'),
      edge('e2', 'split.out', 'xfer.in'),
      edge('e3', 'xfer.out', 'enc.in'),
      edge('e4', 'enc.out', 'back.in'),
      edge('e5', 'back.out', 'merge.in'),
      edge('e6', 'merge.out', 'out.in'),
    ],
    'transcode-720p',
  );
}
