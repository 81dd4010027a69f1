import { describe, expect, it } from 'vitest';
import { createEngine, getTask, listTasks, replay, step } from './engine.js';
import {
  EngineHarness,
  buildGraph,
  chunkTokens,
  launches,
  notifications,
  pipelineGraph,
  testLibrary,
  videoToken,
} from './testing.js';
import type { EngineState } from './types.js';

/** Freeze a state deeply, so any mutation by `step` throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const nodeState = (state: EngineState, id: string) => state.nodes[id]!.state;

describe('firing rules', () => {
  it('emits the source token on start and launches the split once', () => {
    const h = new EngineHarness(pipelineGraph());
    const effects = h.start();
    expect(launches(effects).map((l) => l.firing.key)).toEqual(['split:0']);
    expect(notifications(effects, 'run:state')).toEqual([{ type: 'run:state', state: 'running' }]);
    expect(nodeState(h.state, 'src')).toBe('done');
    expect(h.state.nodes.split!.state).toBe('pending');
  });

  it.each([1, 2, 1000])(
    'fans out %i chunks, maps each once and joins them into one video',
    (chunks) => {
      const h = new EngineHarness(pipelineGraph(), testLibrary(), { capacity: 16 });
      h.start();
      h.drain(chunks);
      for (const id of ['xfer', 'enc', 'back']) expect(listTasks(h.state, id)).toHaveLength(chunks);
      const merge = listTasks(h.state, 'merge');
      expect(merge).toHaveLength(1);
      expect(merge[0]!.inputs.map((t) => t.group!.index)).toEqual(
        Array.from({ length: chunks }, (_, i) => i),
      );
      expect(listTasks(h.state, 'out')).toHaveLength(1);
      expect(h.state.run.state).toBe('succeeded');
      expect(Object.values(h.state.nodes).every((n) => n.state === 'done')).toBe(true);
    },
  );

  it('gives chunks of a split their group, and map outputs keep it', () => {
    const h = new EngineHarness(pipelineGraph());
    h.start();
    h.complete('split:0', 2);
    const xfer = launches(h.effects).filter((l) => l.firing.nodeId === 'xfer');
    expect(xfer.map((l) => l.firing.inputs[0]!.group)).toEqual([
      { id: 'split#0', origin: 'split', index: 0, count: 2 },
      { id: 'split#0', origin: 'split', index: 1, count: 2 },
    ]);
    h.send({
      type: 'taskSucceeded',
      key: 'xfer:0',
      outputs: [{ id: 'x', dataType: 'chunk', path: 'x.ts' }],
    });
    expect(getTask(h.state, 'enc:0')!.inputs[0]!.group).toEqual({
      id: 'split#0',
      origin: 'split',
      index: 0,
      count: 2,
    });
  });

  it('joins chunks arriving out of order in index order', () => {
    const h = new EngineHarness(
      buildGraph({ src: 'source', split: 'split', merge: 'merge', out: 'stream' }, [
        ['src', 'split'],
        ['split', 'merge'],
        ['merge', 'out'],
      ]),
    );
    h.start();
    h.send({
      type: 'taskSucceeded',
      key: 'split:0',
      outputs: chunkTokens('g', 'split', 3).reverse(),
    });
    expect(getTask(h.state, 'merge:0')!.inputs.map((t) => t.id)).toEqual(['g/0', 'g/1', 'g/2']);
  });

  it('reports the growing prefix of an incremental merge', () => {
    const graph = buildGraph(
      {
        src: 'source',
        split: 'split',
        enc: 'encode',
        merge: ['merge', { incremental: true }],
        out: 'stream',
      },
      [
        ['src', 'split'],
        ['split', 'enc'],
        ['enc', 'merge'],
        ['merge', 'out'],
      ],
    );
    const h = new EngineHarness(graph);
    h.start();
    h.complete('split:0', 3);
    const prefixes = () => notifications(h.effects, 'merge:prefix').map((n) => n.ready);
    h.complete('enc:1');
    expect(prefixes()).toEqual([]);
    h.complete('enc:0');
    expect(prefixes()).toEqual([2]);
    h.complete('enc:2');
    expect(prefixes()).toEqual([2, 3]);
  });

  it('runs two splits into two merges, one video each', () => {
    const graph = buildGraph(
      {
        src: 'source',
        s1: 'split',
        s2: 'split',
        e1: 'encode',
        e2: 'encode',
        m1: 'merge',
        m2: 'merge',
        o1: 'stream',
        o2: 'stream',
      },
      [
        ['src', 's1'],
        ['src', 's2'],
        ['s1', 'e1'],
        ['s2', 'e2'],
        ['e1', 'm1'],
        ['e2', 'm2'],
        ['m1', 'o1'],
        ['m2', 'o2'],
      ],
    );
    const h = new EngineHarness(graph, testLibrary(), { capacity: 4 });
    h.start();
    h.drain(5);
    expect(h.state.run.state).toBe('succeeded');
    for (const [merge, split] of [
      ['m1', 's1'],
      ['m2', 's2'],
    ] as const) {
      const tasks = listTasks(h.state, merge);
      expect(tasks).toHaveLength(1);
      expect(new Set(tasks[0]!.inputs.map((t) => t.group!.origin))).toEqual(new Set([split]));
    }
  });

  it('shares the chunks among parallel branches that meet again at one merge', () => {
    const graph = buildGraph(
      { src: 'source', split: 'split', a: 'encode', b: 'encode', merge: 'merge', out: 'stream' },
      [
        ['src', 'split'],
        ['split', 'a'],
        ['split', 'b'],
        ['a', 'merge'],
        ['b', 'merge'],
        ['merge', 'out'],
      ],
    );
    const h = new EngineHarness(graph, testLibrary(), { capacity: 10 });
    h.start();
    h.drain(5);
    const chunksOf = (id: string) => listTasks(h.state, id).map((t) => t.inputs[0]!.group!.index);
    expect(chunksOf('a')).toEqual([0, 2, 4]);
    expect(chunksOf('b')).toEqual([1, 3]);
    expect(listTasks(h.state, 'merge')).toHaveLength(1);
    expect(h.state.run.state).toBe('succeeded');
  });

  it('gives every chunk to each of two merges fed by one split (a rendition ladder)', () => {
    const graph = buildGraph(
      { src: 'source', split: 'split', lo: 'encode', hi: 'encode', m1: 'merge', m2: 'merge' },
      [
        ['src', 'split'],
        ['split', 'lo'],
        ['split', 'hi'],
        ['lo', 'm1'],
        ['hi', 'm2'],
      ],
    );
    const h = new EngineHarness(graph, testLibrary(), { capacity: 10 });
    h.start();
    h.drain(4);
    expect(listTasks(h.state, 'lo')).toHaveLength(4);
    expect(listTasks(h.state, 'hi')).toHaveLength(4);
    expect(listTasks(h.state, 'm1')[0]!.inputs).toHaveLength(4);
    expect(listTasks(h.state, 'm2')[0]!.inputs).toHaveLength(4);
    expect(h.state.run.state).toBe('succeeded');
  });

  /** source → split → one encode and one merge per rung → one stream gathering them. */
  function ladder(rungs: number, audio = false): ReturnType<typeof buildGraph> {
    const nodes: Record<string, string> = { src: 'source', split: 'split', out: 'stream' };
    const edges: Array<[string, string]> = [['src', 'split']];
    for (let i = 0; i < rungs; i++) {
      nodes[`enc${i}`] = 'encode';
      nodes[`m${i}`] = 'merge';
      edges.push(['split', `enc${i}`], [`enc${i}`, `m${i}`], [`m${i}`, 'out']);
    }
    const graph = buildGraph(nodes, edges);
    if (!audio) return graph;
    graph.nodes.push({ id: 'aud', type: 'transfer', params: {} });
    graph.edges.push({
      id: 'ea',
      from: { node: 'src', port: 'out' },
      to: { node: 'aud', port: 'in' },
    });
    graph.edges.push({
      id: 'eb',
      from: { node: 'aud', port: 'out' },
      to: { node: 'out', port: 'audio' },
    });
    return graph;
  }

  it('gathers one video from each incoming edge into one firing, in edge order', () => {
    const h = new EngineHarness(ladder(4), testLibrary(), { capacity: 20 });
    h.start();
    h.complete('split:0', 3);
    // Finish the rungs' merges in reverse: the gather waits for all four.
    for (const i of [3, 2, 1, 0]) {
      for (let c = 0; c < 3; c++) h.complete(`enc${i}:${c}`);
      expect(listTasks(h.state, 'out')).toHaveLength(0);
      h.complete(`m${i}:0`);
      if (i > 0) {
        expect(listTasks(h.state, 'out')).toHaveLength(0);
        expect(h.state.nodes.out!.held).toBe(4 - i);
        expect(h.state.nodes.out!.state).toBe('pending');
      }
    }
    const out = listTasks(h.state, 'out');
    expect(out).toHaveLength(1);
    expect(out[0]!.inputs.map((t) => t.id)).toEqual(['m0:0', 'm1:0', 'm2:0', 'm3:0']);
    expect(h.state.nodes.out!.held).toBe(0);
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    expect(nodeState(h.state, 'out')).toBe('done');
  });

  it('gathers an audio edge with the videos, and one input fires as before', () => {
    const h = new EngineHarness(ladder(2, true), testLibrary(), { capacity: 20 });
    h.start();
    h.drain(2);
    const out = listTasks(h.state, 'out');
    expect(out).toHaveLength(1);
    // Edges in graph order: m0 → out, m1 → out, then aud → out.audio.
    expect(out[0]!.inputs.map((t) => t.id)).toEqual(['m0:0', 'm1:0', 'aud:0']);
    expect(h.state.run.state).toBe('succeeded');

    const single = new EngineHarness(pipelineGraph());
    single.start();
    single.drain(2);
    expect(listTasks(single.state, 'out')).toHaveLength(1);
    expect(single.state.run.state).toBe('succeeded');
  });

  it('fires a gather once per round when its edges deliver several tokens', () => {
    // Two splits feed the gather directly: the k-th token of each edge go together.
    const graph = buildGraph({ src: 'source', s1: 'split', s2: 'split', out: 'stream' }, [
      ['src', 's1'],
      ['src', 's2'],
      ['s1', 'out'],
      ['s2', 'out'],
    ]);
    const h = new EngineHarness(graph, testLibrary(), { capacity: 20 });
    expect(h.state.topology.nodes.s1!.targetSlots).toEqual([0]);
    expect(h.state.topology.nodes.s2!.targetSlots).toEqual([1]);
    h.start();
    h.complete('s2:0', 3);
    expect(h.state.nodes.out!.held).toBe(3);
    expect(listTasks(h.state, 'out')).toHaveLength(0);
    h.complete('s1:0', 3);
    const out = listTasks(h.state, 'out');
    expect(out.map((t) => t.inputs.map((i) => i.id))).toEqual([
      ['s1:0/0', 's2:0/0'],
      ['s1:0/1', 's2:0/1'],
      ['s1:0/2', 's2:0/2'],
    ]);
    expect(h.state.nodes.out!.held).toBe(0);
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    // Plain JSON: the held slots survive a round trip of the state.
    expect(JSON.parse(JSON.stringify(h.state))).toEqual(h.state);
  });

  it('reports a gather that never gets a token on one edge as a deadlock', () => {
    const graph = ladder(2);
    // The second rung's merge never gets a group: it is fed a whole video.
    graph.edges = graph.edges.filter((e) => !(e.from.node === 'enc1'));
    graph.edges.push({
      id: 'bad',
      from: { node: 'src', port: 'out' },
      to: { node: 'm1', port: 'in' },
    });
    const h = new EngineHarness(graph, testLibrary(), { capacity: 20 });
    h.start();
    h.drain(2);
    expect(h.state.run.state).toBe('failed');
    const deadlock = notifications(h.effects, 'deadlock')[0]!;
    expect(deadlock.stuck).toEqual(
      expect.arrayContaining([
        { nodeId: 'm1', tokens: 1 },
        { nodeId: 'out', tokens: 1 },
      ]),
    );
    expect(nodeState(h.state, 'out')).toBe('failed');
  });

  it('never has more than `capacity` tasks in flight, and launches downstream work first', () => {
    const h = new EngineHarness(pipelineGraph(), testLibrary(), { capacity: 3 });
    h.start();
    h.complete('split:0', 10);
    expect([...h.launched.keys()]).toEqual(['xfer:0', 'xfer:1', 'xfer:2']);
    h.complete('xfer:0');
    // the freed slot goes to the deeper node: encode chunk 0 rather than transfer chunk 3
    expect([...h.launched.keys()]).toEqual(['xfer:1', 'xfer:2', 'enc:0']);
    let most = 0;
    while (h.launched.size > 0) {
      most = Math.max(most, h.state.inFlight);
      h.complete(h.launched.keys().next().value!);
    }
    expect(most).toBe(3);
    expect(h.state.run.state).toBe('succeeded');
  });
});

describe('pass-through nodes', () => {
  const filtered = () =>
    buildGraph(
      {
        src: 'source',
        split: 'split',
        a: ['filter', { strength: 3 }],
        b: 'filter',
        enc: 'encode',
        merge: 'merge',
        out: 'stream',
      },
      [
        ['src', 'split'],
        ['split', 'a'],
        ['a', 'b'],
        ['b', 'enc'],
        ['enc', 'merge'],
        ['merge', 'out'],
      ],
    );

  it('runs no task and hands the next task each token with the steps appended in order', () => {
    const h = new EngineHarness(filtered());
    h.start();
    h.complete('split:0', 3);
    expect(listTasks(h.state, 'a')).toHaveLength(0);
    expect(listTasks(h.state, 'b')).toHaveLength(0);
    const encodes = launches(h.effects).filter((l) => l.firing.nodeId === 'enc');
    expect(encodes).toHaveLength(3);
    expect(encodes.map((l) => l.firing.inputs[0]!.group!.index)).toEqual([0, 1, 2]);
    for (const l of encodes) {
      expect(l.firing.inputs[0]!.filters).toEqual([
        { node: 'a', type: 'filter', params: { strength: 3 } },
        { node: 'b', type: 'filter', params: { strength: 1 } },
      ]);
    }
    expect(launches(h.effects).some((l) => l.firing.nodeType === 'filter')).toBe(false);
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    expect(listTasks(h.state, 'merge')[0]!.inputs.every((t) => t.filters === undefined)).toBe(true);
  });

  it('is done with one firing per token passed on, once its input closes', () => {
    const h = new EngineHarness(filtered());
    h.start();
    const effects = h.complete('split:0', 4);
    expect(notifications(effects, 'node:state')).toContainEqual({
      type: 'node:state',
      nodeId: 'a',
      state: 'done',
      done: 4,
      total: 4,
    });
    expect(nodeState(h.state, 'b')).toBe('done');
  });

  it('gives the step to every branch after it (two encodes of one filtered stream)', () => {
    const graph = buildGraph(
      {
        src: 'source',
        split: 'split',
        f: 'filter',
        lo: 'encode',
        hi: 'encode',
        m1: 'merge',
        m2: 'merge',
      },
      [
        ['src', 'split'],
        ['split', 'f'],
        ['f', 'lo'],
        ['f', 'hi'],
        ['lo', 'm1'],
        ['hi', 'm2'],
      ],
    );
    const h = new EngineHarness(graph, testLibrary(), { capacity: 10 });
    h.start();
    h.drain(2);
    for (const id of ['lo', 'hi']) {
      const tasks = listTasks(h.state, id);
      expect(tasks).toHaveLength(2);
      expect(tasks.every((t) => t.inputs[0]!.filters?.[0]?.node === 'f')).toBe(true);
    }
    expect(h.state.run.state).toBe('succeeded');
  });

  it('keeps the steps through a JSON round-trip of the state', () => {
    const h = new EngineHarness(filtered());
    h.start();
    const revived = JSON.parse(JSON.stringify(h.state)) as EngineState;
    const { effects } = step(revived, {
      type: 'taskSucceeded',
      key: 'split:0',
      outputs: [{ id: 'c', dataType: 'chunk', path: 'c.ts' }],
    });
    const enc = launches(effects).find((l) => l.firing.nodeId === 'enc');
    expect(enc?.firing.inputs[0]!.filters?.map((f) => f.node)).toEqual(['a', 'b']);
  });
});

describe('deadlock', () => {
  it('reports tokens stuck at a join that receives a whole video, and fails the run', () => {
    const h = new EngineHarness(
      buildGraph({ src: 'source', merge: 'merge', out: 'stream' }, [
        ['src', 'merge'],
        ['merge', 'out'],
      ]),
    );
    const effects = h.start();
    expect(notifications(effects, 'deadlock')).toEqual([
      { type: 'deadlock', stuck: [{ nodeId: 'merge', tokens: 1 }] },
    ]);
    expect(h.state.run.state).toBe('failed');
    expect(h.state.run.reason).toMatch(/deadlock.*merge/);
    expect(nodeState(h.state, 'merge')).toBe('failed');
    expect(nodeState(h.state, 'out')).toBe('skipped');
  });

  it('reports a group that can never complete', () => {
    const h = new EngineHarness(
      buildGraph({ src: 'source', split: 'split', merge: 'merge' }, [
        ['src', 'split'],
        ['split', 'merge'],
      ]),
    );
    h.start();
    // the split claims 3 chunks but reports only 2
    h.send({
      type: 'taskSucceeded',
      key: 'split:0',
      outputs: chunkTokens('g', 'split', 3).slice(0, 2),
    });
    expect(notifications(h.effects, 'deadlock')[0]!.stuck).toEqual([
      { nodeId: 'merge', tokens: 2 },
    ]);
    expect(h.state.run.state).toBe('failed');
  });

  it('fails a run of a cyclic graph at start instead of never ending', () => {
    const h = new EngineHarness(
      buildGraph({ src: 'source', a: 'transfer', b: 'transfer' }, [
        ['src', 'a'],
        ['a', 'b'],
        ['b', 'a'],
      ]),
    );
    h.start();
    expect(h.state.run).toMatchObject({ state: 'failed', reason: expect.stringMatching(/cycle/) });
  });
});

describe('cancel', () => {
  it('cancels every in-flight task mid-run and ignores their late reports', () => {
    const h = new EngineHarness(pipelineGraph(), testLibrary(), { capacity: 4 });
    h.start();
    h.complete('split:0', 10);
    h.send({ type: 'taskStarted', key: 'xfer:0' });
    const inFlight = [...h.launched.keys()];
    const effects = h.send({ type: 'cancel', reason: 'user' });
    expect(
      effects.filter((e) => e.type === 'cancel').map((e) => (e as { key: string }).key),
    ).toEqual(inFlight);
    expect(h.state.run).toEqual({ state: 'cancelled', reason: 'user' });
    expect(h.state.inFlight).toBe(0);
    expect(nodeState(h.state, 'xfer')).toBe('cancelled');
    expect(nodeState(h.state, 'split')).toBe('done');
    expect(nodeState(h.state, 'merge')).toBe('skipped');
    const after = h.state;
    expect(step(after, { type: 'taskSucceeded', key: 'xfer:0', outputs: [] })).toEqual({
      state: after,
      effects: [],
    });
    expect(step(after, { type: 'retry', nodeId: 'xfer' }).effects).toEqual([]);
  });
});

describe('failures and retries', () => {
  it('retries a failed task with exponential backoff, showing the node as retrying', () => {
    const h = new EngineHarness(pipelineGraph(), testLibrary(), { backoffMs: 100 });
    h.start();
    h.complete('split:0', 1);
    h.complete('xfer:0');
    const first = h.fail('enc:0', 'oom');
    expect(launches(first)).toEqual([
      {
        type: 'launch',
        firing: expect.objectContaining({ key: 'enc:0', attempt: 2 }),
        delayMs: 100,
      },
    ]);
    expect(nodeState(h.state, 'enc')).toBe('retrying');
    expect(notifications(first, 'task:state')).toEqual([
      expect.objectContaining({ key: 'enc:0', state: 'retrying', attempt: 2, reason: 'oom' }),
    ]);
    const second = h.fail('enc:0', 'oom');
    expect(launches(second)[0]).toMatchObject({ firing: { attempt: 3 }, delayMs: 200 });
    h.complete('enc:0');
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    expect(getTask(h.state, 'enc:0')).toMatchObject({ state: 'done', attempt: 3 });
  });

  it('fails task, node and run when retries are exhausted, and cancels the other tasks', () => {
    const h = new EngineHarness(pipelineGraph({}, 1), testLibrary(), { capacity: 4 });
    h.start();
    h.complete('split:0', 4);
    h.fail('xfer:0', 'disk full');
    const effects = h.fail('xfer:0', 'disk full');
    expect(launches(effects)).toEqual([]);
    expect(
      effects.filter((e) => e.type === 'cancel').map((e) => (e as { key: string }).key),
    ).toEqual(['xfer:1', 'xfer:2', 'xfer:3']);
    expect(getTask(h.state, 'xfer:0')).toMatchObject({
      state: 'failed',
      reason: 'disk full',
      attempt: 2,
    });
    expect(nodeState(h.state, 'xfer')).toBe('failed');
    expect(h.state.run.state).toBe('failed');
    expect(h.state.run.reason).toMatch(/xfer:0.*disk full/);
    expect(h.state.inFlight).toBe(0);
    expect(notifications(effects, 'run:state')).toEqual([
      { type: 'run:state', state: 'failed', reason: h.state.run.reason },
    ]);
  });

  it('re-runs only the failed tasks of a node on a user retry, and the run completes', () => {
    const h = new EngineHarness(pipelineGraph({}, 0), testLibrary(), { capacity: 2 });
    h.start();
    h.complete('split:0', 3);
    h.complete('xfer:0');
    h.complete('enc:0');
    h.fail('xfer:1', 'network');
    expect(h.state.run.state).toBe('failed');
    expect(nodeState(h.state, 'enc')).toBe('cancelled');
    const effects = h.send({ type: 'retry', nodeId: 'xfer' });
    expect(notifications(effects, 'run:state')).toEqual([{ type: 'run:state', state: 'running' }]);
    const relaunched = launches(effects).map((l) => [l.firing.key, l.firing.attempt]);
    // the failed task first, then chunk 0's transfer back, which the failure cut short
    expect(relaunched).toEqual([
      ['xfer:1', 2],
      ['back:0', 2],
    ]);
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    expect(listTasks(h.state, 'xfer').map((t) => t.attempt)).toEqual([1, 2, 1]);
  });

  it('ignores a retry of a node that has not failed', () => {
    const h = new EngineHarness(pipelineGraph());
    h.start();
    expect(step(h.state, { type: 'retry', nodeId: 'split' }).effects).toEqual([]);
  });
});

describe('purity, determinism and persistence', () => {
  /** A run with chunks, a retry, capacity limits and out-of-order completions. */
  function scriptedRun(): EngineHarness {
    const h = new EngineHarness(pipelineGraph({ incremental: true }), testLibrary(), {
      capacity: 3,
    });
    h.start();
    h.complete('split:0', 6);
    h.fail('xfer:1');
    h.complete('xfer:2');
    h.drain();
    return h;
  }

  it('never mutates the state it is given', () => {
    const h = new EngineHarness(pipelineGraph(), testLibrary(), { capacity: 2 });
    h.state = deepFreeze(h.state);
    h.start();
    h.state = deepFreeze(h.state);
    h.complete('split:0', 4);
    h.state = deepFreeze(h.state);
    expect(() => h.drain()).not.toThrow();
  });

  it('gives the same effects and states for the same events', () => {
    const a = scriptedRun();
    const b = replay(a.graph, a.library, a.events, a.state.options);
    expect(b.effects).toEqual(a.effects);
    expect(b.state).toEqual(a.state);
    expect(a.state.run.state).toBe('succeeded');
  });

  it('continues identically from a JSON round-trip of any intermediate state', () => {
    const a = scriptedRun();
    let state = createEngine(a.graph, a.library, a.state.options);
    for (const event of a.events) {
      const revived = JSON.parse(JSON.stringify(state)) as EngineState;
      expect(revived).toEqual(state);
      const direct = step(state, event);
      expect(step(revived, event)).toEqual(direct);
      state = direct.state;
    }
  });
});

describe('lifecycle notifications', () => {
  it('reports node progress with a total once it is known', () => {
    const h = new EngineHarness(pipelineGraph(), testLibrary(), { capacity: 8 });
    h.start();
    h.drain(2);
    const of = (id: string) =>
      notifications(h.effects, 'node:state').filter((n) => n.nodeId === id);
    // the split is done when its chunks reach the transfer, so that total is known at once
    expect(of('xfer')[0]).toMatchObject({ state: 'pending', done: 0, total: 2 });
    expect(of('xfer').at(-1)).toEqual({
      type: 'node:state',
      nodeId: 'xfer',
      state: 'done',
      done: 2,
      total: 2,
    });
    // the encoder's first chunk arrives while the transfer still has work
    expect(of('enc')[0]).toMatchObject({ state: 'pending', done: 0, total: null });
  });

  it('does not start a run twice', () => {
    const h = new EngineHarness(pipelineGraph());
    h.start();
    expect(step(h.state, { type: 'start', inputs: { src: videoToken() } }).effects).toEqual([]);
  });

  it('fails a run whose source has no input', () => {
    const h = new EngineHarness(pipelineGraph());
    h.start({});
    expect(h.state.run).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/no input video for source src/),
    });
  });

  it('goes through validating and deploying when the runtime reports them', () => {
    const h = new EngineHarness(pipelineGraph());
    h.send({ type: 'phase', state: 'validating' });
    h.send({ type: 'phase', state: 'deploying' });
    h.start();
    expect(notifications(h.effects, 'run:state').map((n) => n.state)).toEqual([
      'validating',
      'deploying',
      'running',
    ]);
  });

  it('fails a run aborted before it starts and skips every node', () => {
    const h = new EngineHarness(pipelineGraph());
    h.send({ type: 'abort', reason: 'invalid graph' });
    expect(h.state.run).toEqual({ state: 'failed', reason: 'invalid graph' });
    expect(Object.values(h.state.nodes).every((n) => n.state === 'skipped')).toBe(true);
    expect(step(h.state, { type: 'start', inputs: { src: videoToken() } }).effects).toEqual([]);
  });

  it('reports a token reaching a node type the library does not know as stuck', () => {
    const h = new EngineHarness(
      buildGraph({ src: 'source', x: 'mystery', out: 'stream' }, [
        ['src', 'x'],
        ['x', 'out'],
      ]),
    );
    const effects = h.start();
    expect(notifications(effects, 'token:stuck')).toEqual([
      expect.objectContaining({ nodeId: 'x', reason: expect.stringMatching(/mystery/) }),
    ]);
    expect(notifications(effects, 'deadlock')).toEqual([
      { type: 'deadlock', stuck: [{ nodeId: 'x', tokens: 1 }] },
    ]);
  });
});

describe('fused siblings (decode once)', () => {
  const fusingLibrary = () => testLibrary({ fusion: true });
  /** src → split → enc0..enc(n-1) → m0..m(n-1) → out */
  function rungs(n: number) {
    const nodes: Record<string, string> = { src: 'source', split: 'split', out: 'stream' };
    const edges: Array<[string, string]> = [['src', 'split']];
    for (let i = 0; i < n; i++) {
      nodes[`enc${i}`] = 'encode';
      nodes[`m${i}`] = 'merge';
      edges.push(['split', `enc${i}`], [`enc${i}`, `m${i}`], [`m${i}`, 'out']);
    }
    return buildGraph(nodes, edges);
  }
  const succeed = (h: EngineHarness, key: string) => {
    h.send({ type: 'taskStarted', key });
    h.send({
      type: 'taskSucceeded',
      key,
      outputs: [{ id: key, dataType: 'chunk', path: `${key}.ts` }],
    });
  };

  it('launches the encodes of one chunk as one task with riders, holding one capacity slot', () => {
    const h = new EngineHarness(rungs(3), fusingLibrary(), { capacity: 2 });
    expect(h.state.topology.nodes.enc1!.fusion).toEqual(['enc0', 'enc1', 'enc2']);
    h.start();
    const effects = h.complete('split:0', 3);
    const fused = launches(effects);
    expect(fused.map((l) => [l.firing.key, l.firing.riders?.map((r) => r.key)])).toEqual([
      ['enc0:0', ['enc1:0', 'enc2:0']],
      ['enc0:1', ['enc1:1', 'enc2:1']],
    ]);
    expect(h.state.inFlight - (h.state.riding ?? 0)).toBe(2);
    expect(getTask(h.state, 'enc2:1')).toMatchObject({ launched: true, rider: true });
    // The leader reports first: its riders are still in flight, so nothing deadlocks.
    h.launched.delete('enc0:0');
    succeed(h, 'enc0:0');
    expect(h.state.run.state).toBe('running');
    succeed(h, 'enc1:0');
    succeed(h, 'enc2:0');
    // The freed slot goes to the next chunk, fused again.
    expect(
      launches(h.effects)
        .at(-1)!
        .firing.riders?.map((r) => r.key),
    ).toEqual(['enc1:2', 'enc2:2']);
    for (const key of ['enc1:1', 'enc2:1', 'enc1:2', 'enc2:2']) succeed(h, key);
    for (const key of ['enc0:1', 'enc0:2']) {
      h.launched.delete(key);
      succeed(h, key);
    }
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
    expect(listTasks(h.state, 'enc2').every((t) => t.state === 'done' && !t.rider)).toBe(true);
    expect(h.state.inFlight).toBe(0);
    expect(h.state.riding).toBe(0);
    expect(JSON.parse(JSON.stringify(h.state))).toEqual(h.state);
  });

  it('retries each node of a failed fused task on its own, each taking capacity', () => {
    const h = new EngineHarness(rungs(2), fusingLibrary(), { capacity: 4, backoffMs: 10 });
    h.start();
    h.complete('split:0', 1);
    h.launched.delete('enc0:0');
    for (const key of ['enc1:0', 'enc0:0']) {
      h.send({ type: 'taskStarted', key });
      h.send({ type: 'taskFailed', key, reason: 'boom' });
    }
    const retries = launches(h.effects).filter((l) => l.firing.attempt === 2);
    expect(retries.map((l) => [l.firing.key, l.firing.riders])).toEqual([
      ['enc1:0', undefined],
      ['enc0:0', undefined],
    ]);
    expect(h.state.inFlight).toBe(2);
    expect(h.state.riding).toBe(0);
    h.drain();
    expect(h.state.run.state).toBe('succeeded');
  });

  it('fuses nothing when asked not to, or when siblings do not share their input', () => {
    const off = new EngineHarness(rungs(2), fusingLibrary(), { fuse: false });
    expect(off.state.topology.nodes.enc0!.fusion).toBeUndefined();
    // Each encode behind its own transfer: different inputs, no fusion.
    const graph = buildGraph(
      {
        src: 'source',
        split: 'split',
        x0: 'transfer',
        x1: 'transfer',
        enc0: 'encode',
        enc1: 'encode',
        m0: 'merge',
        m1: 'merge',
      },
      [
        ['src', 'split'],
        ['split', 'x0'],
        ['split', 'x1'],
        ['x0', 'enc0'],
        ['x1', 'enc1'],
        ['enc0', 'm0'],
        ['enc1', 'm1'],
      ],
    );
    expect(createEngine(graph, fusingLibrary()).topology.nodes.enc0!.fusion).toBeUndefined();
    // Parallel lanes of one merge share the chunks: they never see the same chunk.
    const lanes = buildGraph(
      { src: 'source', split: 'split', a: 'encode', b: 'encode', m: 'merge' },
      [
        ['src', 'split'],
        ['split', 'a'],
        ['split', 'b'],
        ['a', 'm'],
        ['b', 'm'],
      ],
    );
    expect(createEngine(lanes, fusingLibrary()).topology.nodes.a!.fusion).toBeUndefined();
  });
});
