import { describe, expect, it } from 'vitest';
import { createLibrary, type Calibration, type MediaInfo } from '@reelflow/fbp-model';
import { createSimulator, simulateGraph } from './simulator.js';
import { DEFAULT_CALIBRATION } from './cost.js';
import { buildGraph, pipelineGraph, testLibrary } from './testing.js';

const library = testLibrary();

describe('simulateGraph', () => {
  it.each([1, 2, 1000])(
    'fires the pipeline for %i chunks with the CONTRACTS report shape',
    (chunks) => {
      const report = simulateGraph(pipelineGraph(), library, { chunks, workers: 2, cores: 4 });
      expect(Object.keys(report).sort()).toEqual([
        'deadlock',
        'firings',
        'makespanSeconds',
        'trace',
      ]);
      expect(report.firings).toEqual({
        src: 1,
        split: 1,
        xfer: chunks,
        enc: chunks,
        back: chunks,
        merge: 1,
        out: 1,
      });
      expect(report.deadlock).toBe(false);
      expect(report.trace).toHaveLength(4 + 3 * chunks);
      expect(report.trace[0]).toEqual({ step: 1, node: 'src', consumed: 0, produced: 1 });
      expect(report.trace[1]).toEqual({ step: 2, node: 'split', consumed: 1, produced: chunks });
      expect(report.trace.find((e) => e.node === 'merge')).toMatchObject({
        consumed: chunks,
        produced: 1,
      });
      expect(report.trace.at(-1)).toEqual({
        step: 4 + 3 * chunks,
        node: 'out',
        consumed: 1,
        produced: 0,
      });
    },
  );

  it('predicts the makespan of a chain as the sum of its task times', () => {
    const c = { encodeSecondsPerSecond: 0.5, copySecondsPerSecond: 0.1, taskOverheadSeconds: 1 };
    const report = simulateGraph(pipelineGraph(), library, {
      chunks: 1,
      workers: 1,
      cores: 2,
      calibration: c,
      durationSeconds: 10,
    });
    const copy = 1 + 10 * 0.1;
    const encode = (1 + 10 * 0.5) / 2; // two cores
    expect(report.makespanSeconds).toBeCloseTo(5 * copy + encode, 9);
  });

  it('simulates a ladder: every rung encodes every chunk, the stream gathers the merges once', () => {
    const graph = buildGraph(
      {
        src: 'source',
        split: 'split',
        e1: 'encode',
        e2: 'encode',
        e3: 'encode',
        m1: 'merge',
        m2: 'merge',
        m3: 'merge',
        out: 'stream',
      },
      [
        ['src', 'split'],
        ['split', 'e1'],
        ['split', 'e2'],
        ['split', 'e3'],
        ['e1', 'm1'],
        ['e2', 'm2'],
        ['e3', 'm3'],
        ['m1', 'out'],
        ['m2', 'out'],
        ['m3', 'out'],
      ],
    );
    const c = { encodeSecondsPerSecond: 0.5, copySecondsPerSecond: 0.1, taskOverheadSeconds: 1 };
    const report = simulateGraph(graph, library, {
      chunks: 4,
      workers: 1,
      cores: 2,
      calibration: c,
      durationSeconds: 20,
    });
    expect(report.deadlock).toBe(false);
    expect(report.firings).toMatchObject({ e1: 4, e2: 4, e3: 4, m1: 1, m2: 1, m3: 1, out: 1 });
    expect(report.trace.at(-1)).toMatchObject({ node: 'out', consumed: 3, produced: 0 });
    // One worker runs everything in turn: the stream copies all three 20 s renditions.
    const split = 1 + 20 * 0.1;
    const encodes = 12 * ((1 + 5 * 0.5) / 2);
    const merges = 3 * (1 + 20 * 0.1);
    const stream = 1 + 60 * 0.1;
    expect(report.makespanSeconds).toBeCloseTo(split + encodes + merges + stream, 9);
  });

  it('plays fused encodes as one task per chunk, each node keeping its firings', () => {
    const graph = buildGraph(
      { src: 'source', split: 'split', e1: 'encode', e2: 'encode', m1: 'merge', m2: 'merge' },
      [
        ['src', 'split'],
        ['split', 'e1'],
        ['split', 'e2'],
        ['e1', 'm1'],
        ['e2', 'm2'],
      ],
    );
    const fusing = createLibrary(
      library.types().map((def) =>
        def.type === 'encode'
          ? {
              ...def,
              // One decode saved: the fused task costs 1.5 encodes, not 2.
              fusion: {
                compile: () => [],
                estimateSeconds: (ps: readonly unknown[], m: MediaInfo, c: Calibration) =>
                  c.taskOverheadSeconds +
                  m.durationSeconds * c.encodeSecondsPerSecond * (ps.length - 0.5),
                cores: () => 2,
              },
            }
          : def,
      ),
    );
    const c = { encodeSecondsPerSecond: 0.5, copySecondsPerSecond: 0, taskOverheadSeconds: 1 };
    const options = { chunks: 2, workers: 1, cores: 2, calibration: c, durationSeconds: 20 };
    const apart = simulateGraph(graph, library, options);
    const fused = simulateGraph(graph, fusing, options);
    expect(fused.firings).toEqual(apart.firings);
    expect(fused.trace).toHaveLength(apart.trace.length);
    // Apart: 4 encodes of (1 + 10 * 0.5) / 2 = 3 s; fused: 2 tasks of (1 + 10 * 0.5 * 1.5) / 2.
    const copies = 1 + 1 + 1;
    expect(apart.makespanSeconds).toBeCloseTo(copies + 4 * 3, 9);
    // Each step of a fused task completes both nodes' firings.
    const sim = createSimulator(graph, fusing, options);
    let most = 0;
    sim.onStep = (r) => {
      if (r.kind === 'fired') most = Math.max(most, r.entries.length);
    };
    sim.run();
    expect(most).toBe(2);
    // Fused, both merges become ready together and share the worker's two cores.
    expect(fused.makespanSeconds).toBeCloseTo(1 + 2 * 4.25 + 1, 9);
  });

  it('predicts a shorter makespan with more workers, bounded below by the work per core', () => {
    const run = (workers: number) =>
      simulateGraph(pipelineGraph(), library, {
        chunks: 40,
        workers,
        cores: 2,
        calibration: DEFAULT_CALIBRATION,
        durationSeconds: 400,
      });
    const one = run(1).makespanSeconds;
    const four = run(4).makespanSeconds;
    expect(four).toBeLessThan(one / 2.5);
    // 40 encodes of 10 s each need (1 + 4) core-seconds of work: at least 200 core-seconds on 8 cores
    expect(four).toBeGreaterThanOrEqual(
      (40 * (1 + 10 * DEFAULT_CALIBRATION.encodeSecondsPerSecond)) / 8,
    );
  });

  it('reports a deadlock and stops', () => {
    const graph = buildGraph({ src: 'source', merge: 'merge', out: 'stream' }, [
      ['src', 'merge'],
      ['merge', 'out'],
    ]);
    const report = simulateGraph(graph, library, { chunks: 3 });
    expect(report.deadlock).toBe(true);
    expect(report.firings).toEqual({ src: 1, merge: 0, out: 0 });
  });

  it('is deterministic', () => {
    const options = { chunks: 25, workers: 3, cores: 2 };
    expect(simulateGraph(pipelineGraph(), library, options)).toEqual(
      simulateGraph(pipelineGraph(), library, options),
    );
  });

  it('derives the chunk count from the split parameters when none is given', () => {
    const graph = buildGraph(
      { src: 'source', split: ['split', { segmentSeconds: 7 }], merge: 'merge' },
      [
        ['src', 'split'],
        ['split', 'merge'],
      ],
    );
    expect(simulateGraph(graph, library, { durationSeconds: 60 }).trace[1]!.produced).toBe(9);
  });
});

describe('simulator', () => {
  it('steps one firing at a time and runs to quiescence', () => {
    const sim = createSimulator(pipelineGraph(), library, { chunks: 3 });
    expect(sim.step()).toMatchObject({ kind: 'fired', entries: [{ node: 'src' }] });
    expect(sim.step()).toMatchObject({ kind: 'fired', entries: [{ node: 'split', produced: 3 }] });
    expect(sim.run()).toEqual({ kind: 'done', state: 'succeeded' });
    expect(sim.trace).toHaveLength(13);
    expect(sim.step()).toEqual({ kind: 'done', state: 'succeeded' });
  });

  it('pauses before a node with a breakpoint fires, once per firing', () => {
    const sim = createSimulator(pipelineGraph(), library, { chunks: 2, workers: 1, cores: 1 });
    sim.setBreakpoint('enc');
    const hit = sim.run();
    expect(hit).toEqual({ kind: 'breakpoint', nodeId: 'enc', key: 'enc:0' });
    expect(sim.trace.some((e) => e.node === 'enc')).toBe(false);
    expect(sim.run()).toEqual({ kind: 'breakpoint', nodeId: 'enc', key: 'enc:1' });
    expect(sim.trace.filter((e) => e.node === 'enc').map((e) => e.key)).toEqual(['enc:0']);
    sim.setBreakpoint('enc', false);
    expect(sim.run()).toEqual({ kind: 'done', state: 'succeeded' });
  });

  it('stops a run when paused from a step listener', () => {
    const sim = createSimulator(pipelineGraph(), library, { chunks: 5 });
    sim.onStep = (result) => {
      if (result.kind === 'fired' && result.entries.some((e) => e.node === 'back')) sim.pause();
    };
    sim.run();
    expect(sim.paused).toBe(true);
    expect(sim.trace.at(-1)!.node).toBe('back');
    expect(sim.engine.run.state).toBe('running');
  });

  it('steps back through the trace and forward again to the same trace', () => {
    const sim = createSimulator(pipelineGraph(), library, { chunks: 4, workers: 2 });
    sim.run();
    const trace = sim.trace.map((e) => ({ ...e }));
    const time = sim.time;
    let backs = 0;
    while (sim.trace.length > 6 && sim.back()) backs++;
    expect(backs).toBeGreaterThan(0);
    expect(sim.trace).toEqual(trace.slice(0, 6));
    expect(sim.engine.run.state).toBe('running');
    sim.run();
    expect(sim.trace).toEqual(trace);
    expect(sim.time).toBe(time);
    while (sim.back());
    expect(sim.trace).toEqual([]);
    expect(sim.engine.run.state).toBe('queued');
  });

  it('plays failures: an automatic retry after the backoff, in virtual time', () => {
    let failures = 0;
    const sim = createSimulator(pipelineGraph(), library, {
      chunks: 1,
      engine: { backoffMs: 5000 },
      fail: (f) => (f.key === 'enc:0' && f.attempt === 1 ? (failures++, 'crash') : undefined),
    });
    sim.run();
    expect(failures).toBe(1);
    expect(sim.engine.run.state).toBe('succeeded');
    const attempts = sim.trace.filter((e) => e.node === 'enc');
    expect(attempts.map((e) => e.failed)).toEqual(['crash', undefined]);
    expect(attempts[1]!.start - attempts[0]!.end).toBeCloseTo(5, 9);
  });
});

describe('pass-through nodes in simulation', () => {
  const graph = (filters: number) =>
    buildGraph(
      {
        src: 'source',
        split: 'split',
        ...Object.fromEntries(Array.from({ length: filters }, (_, i) => [`f${i}`, 'filter'])),
        enc: 'encode',
        merge: 'merge',
        out: 'stream',
      },
      [
        ['src', 'split'],
        ...Array.from({ length: filters }, (_, i): [string, string] => [
          i === 0 ? 'split' : `f${i - 1}`,
          `f${i}`,
        ]),
        [filters === 0 ? 'split' : `f${filters - 1}`, 'enc'],
        ['enc', 'merge'],
        ['merge', 'out'],
      ],
    );
  // The stand-in encode, costed by the steps fused into it: 1 s plus 1 s per filter.
  const costed = createLibrary(
    library
      .types()
      .map((def) =>
        def.type === 'encode'
          ? { ...def, estimateSeconds: (_p, media) => 1 + (media.filters?.length ?? 0) }
          : def,
      ),
  );

  it('fires no task for a filter and charges its step to the encode that consumes the token', () => {
    const plain = simulateGraph(graph(0), costed, { chunks: 2, workers: 1, cores: 2 });
    const two = simulateGraph(graph(2), costed, { chunks: 2, workers: 1, cores: 2 });
    expect(two.trace.map((e) => e.node)).toEqual(plain.trace.map((e) => e.node));
    expect(two.firings).toMatchObject({ f0: 0, f1: 0, enc: 2 });
    expect(two.deadlock).toBe(false);
    // Two chunks, each encode 2 s longer on the same one worker.
    expect(two.makespanSeconds - plain.makespanSeconds).toBeCloseTo(4 / 2, 6);
  });
});
