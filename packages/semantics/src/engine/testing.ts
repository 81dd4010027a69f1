import { z } from 'zod';
import {
  createLibrary,
  type Calibration,
  type FiringKind,
  type Graph,
  type MediaInfo,
  type NodeLibrary,
  type NodeTypeDef,
  type PortSpec,
  type Token,
} from '@reelflow/fbp-model';
import { createEngine, step } from './engine.js';
import type {
  Effect,
  EngineEvent,
  EngineOptions,
  EngineState,
  Firing,
  Notification,
} from './types.js';

/**
 * Test helpers of the engine: a small stand-in library with the six node types of
 * CONTRACTS section 1 (ports, firing kinds and simple costs, no ffmpeg), and graph builders.
 * The real node types live in @reelflow/library; these keep the engine's tests independent
 * of how those compile.
 */

const port = (
  name: string,
  direction: 'in' | 'out',
  dataType: 'video' | 'chunk' | 'audio',
  multiplicity: 'one' | 'many' = name === 'in' && dataType === 'chunk' ? 'many' : 'one',
): PortSpec => ({ name, direction, dataType, multiplicity });

function testType(
  type: string,
  firing: FiringKind,
  ports: PortSpec[],
  cost: (media: MediaInfo, calibration: Calibration) => number,
  cores = 1,
): NodeTypeDef {
  return {
    type,
    title: type,
    description: `test stand-in for ${type}`,
    ports,
    params: z.record(z.string(), z.unknown()),
    firing,
    compile: () => [],
    estimateSeconds: (_p, media, calibration) => cost(media, calibration),
    cores: () => cores,
  };
}

const copy = (media: MediaInfo, c: Calibration) =>
  c.taskOverheadSeconds + media.durationSeconds * c.copySecondsPerSecond;

/**
 * The stand-in library: source, split, transfer, encode (2 cores), merge, stream (a gather:
 * one video from each incoming edge, as for a ladder's renditions), filter (a pass-through).
 */
export function testLibrary(options: { fusion?: boolean } = {}): NodeLibrary {
  // A fusible encode: sibling encodes of one chunk run as one task costing 1.5 encodes each pair.
  const fusion: NodeTypeDef['fusion'] = {
    compile: () => [],
    estimateSeconds: (ps, m, c) =>
      c.taskOverheadSeconds + (m.durationSeconds * c.encodeSecondsPerSecond * (ps.length + 1)) / 2,
    cores: () => 2,
  };
  const withFusion = (def: NodeTypeDef): NodeTypeDef =>
    options.fusion && def.type === 'encode' ? { ...def, fusion } : def;
  return createLibrary(
    [
      testType('source', 'source', [port('out', 'out', 'video')], () => 0),
      testType('split', 'fanout', [port('in', 'in', 'video'), port('out', 'out', 'chunk')], copy),
      testType('transfer', 'map', [port('in', 'in', 'chunk'), port('out', 'out', 'chunk')], copy),
      testType(
        'encode',
        'map',
        [port('in', 'in', 'chunk'), port('out', 'out', 'chunk')],
        (m, c) => c.taskOverheadSeconds + m.durationSeconds * c.encodeSecondsPerSecond,
        2,
      ),
      testType('merge', 'join', [port('in', 'in', 'chunk'), port('out', 'out', 'video')], copy),
      testType(
        'stream',
        'gather',
        [port('in', 'in', 'video', 'many'), port('audio', 'in', 'audio', 'one')],
        copy,
      ),
      // A pass-through node: no task, its step rides on the token to the next task.
      {
        ...testType(
          'filter',
          'map',
          [port('in', 'in', 'chunk'), port('out', 'out', 'chunk')],
          () => 0,
        ),
        params: z.strictObject({ strength: z.number().default(1) }),
        passThrough: true,
      },
    ].map(withFusion),
  );
}

/**
 * A graph from a compact description: `nodes` maps id to type (or [type, params]) and
 * `edges` lists `[from, to]` pairs joined `out` → `in`.
 */
export function buildGraph(
  nodes: Record<string, string | [string, Record<string, unknown>]>,
  edges: Array<[string, string]>,
): Graph {
  return {
    schemaVersion: 1,
    id: 'test',
    name: 'test',
    nodes: Object.entries(nodes).map(([id, spec]) => {
      const [type, params] = typeof spec === 'string' ? [spec, {}] : spec;
      return { id, type, params };
    }),
    edges: edges.map(([from, to], i) => ({
      id: `e${i + 1}`,
      from: { node: from, port: 'out' },
      to: { node: to, port: 'in' },
    })),
  };
}

/** The pipeline of the issue: split → transfer → encode → transfer → merge → stream. */
export function pipelineGraph(mergeParams: Record<string, unknown> = {}, retries?: number): Graph {
  const task = retries === undefined ? {} : { retries };
  return buildGraph(
    {
      src: 'source',
      split: ['split', task],
      xfer: ['transfer', task],
      enc: ['encode', task],
      back: ['transfer', task],
      merge: ['merge', { ...task, ...mergeParams }],
      out: ['stream', task],
    },
    [
      ['src', 'split'],
      ['split', 'xfer'],
      ['xfer', 'enc'],
      ['enc', 'back'],
      ['back', 'merge'],
      ['merge', 'out'],
    ],
  );
}

/** A video token for a source. */
export function videoToken(id = 'input', durationSeconds = 60): Token {
  return { id, dataType: 'video', path: `input/${id}.mp4`, durationSeconds };
}

/** `count` chunk tokens of one group, as a split's task would report them. */
export function chunkTokens(groupId: string, origin: string, count: number): Token[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${groupId}/${index}`,
    dataType: 'chunk' as const,
    path: `${origin}/chunk-${index}.ts`,
    durationSeconds: 1,
    group: { id: groupId, origin, index, count },
  }));
}

/** Launch effects of a step result. */
export function launches(effects: readonly Effect[]): Array<Extract<Effect, { type: 'launch' }>> {
  return effects.filter((e): e is Extract<Effect, { type: 'launch' }> => e.type === 'launch');
}

/** Notifications of a step result, optionally of one type. */
export function notifications<T extends Notification['type']>(
  effects: readonly Effect[],
  type?: T,
): Array<Extract<Notification, { type: T }>> {
  return effects
    .filter((e): e is Extract<Effect, { type: 'emit' }> => e.type === 'emit')
    .map((e) => e.event)
    .filter((n): n is Extract<Notification, { type: T }> => type === undefined || n.type === type);
}

/**
 * A hand-driven run for tests: every event goes through `step`, the log of events and
 * effects is kept, and launched firings wait in `launched` until the test finishes them.
 */
export class EngineHarness {
  state: EngineState;
  readonly events: EngineEvent[] = [];
  readonly effects: Effect[] = [];
  /** Firings launched and not yet finished or cancelled, by key. */
  readonly launched = new Map<string, Firing>();

  constructor(
    readonly graph: Graph,
    readonly library: NodeLibrary = testLibrary(),
    options?: EngineOptions,
  ) {
    this.state = createEngine(graph, library, options);
  }

  send(event: EngineEvent): Effect[] {
    const { state, effects } = step(this.state, event);
    this.state = state;
    this.events.push(event);
    this.effects.push(...effects);
    for (const effect of effects) {
      if (effect.type === 'launch') this.launched.set(effect.firing.key, effect.firing);
      if (effect.type === 'cancel') this.launched.delete(effect.key);
    }
    return effects;
  }

  start(inputs: Record<string, Token> = { src: videoToken() }): Effect[] {
    return this.send({ type: 'start', inputs });
  }

  /** Start and succeed one launched firing with the outputs a real task would report. */
  complete(key: string, chunks = 3): Effect[] {
    const firing = this.launched.get(key);
    if (!firing) throw new Error(`${key} is not launched`);
    this.launched.delete(key);
    this.send({ type: 'taskStarted', key });
    return this.send({
      type: 'taskSucceeded',
      key,
      outputs: fakeOutputs(this.library, this.graph, firing, chunks),
    });
  }

  fail(key: string, reason = 'boom'): Effect[] {
    this.launched.delete(key);
    this.send({ type: 'taskStarted', key });
    return this.send({ type: 'taskFailed', key, reason });
  }

  /** Complete launched firings, oldest first, until nothing is launched. */
  drain(chunks = 3): void {
    for (
      let key = this.launched.keys().next().value;
      key !== undefined;
      key = this.launched.keys().next().value
    ) {
      this.complete(key, chunks);
    }
  }
}

/** What a task of this firing reports: chunks for a split (without groups: the engine adds them). */
function fakeOutputs(library: NodeLibrary, graph: Graph, firing: Firing, chunks: number): Token[] {
  const type = graph.nodes.find((n) => n.id === firing.nodeId)?.type ?? '';
  switch (library.get(type)?.firing) {
    case 'fanout':
      return Array.from({ length: chunks }, (_, i) => ({
        id: `${firing.key}/${i}`,
        dataType: 'chunk',
        path: `${firing.key}/${i}.ts`,
      }));
    case 'map': {
      // A task carries out the steps its token brought; its output carries none.
      const { filters: _done, ...input } = firing.inputs[0]!;
      return [{ ...input, id: firing.key }];
    }
    case 'join':
      return [{ id: firing.key, dataType: 'video', path: `${firing.key}.mp4` }];
    default:
      return [];
  }
}
