import { describe, expect, it } from 'vitest';
import { figuresOf } from './collect.js';
import { figureOf, atLeast, atMost } from './figures.js';
import { caseLabel, matrixFrom } from './matrix.js';
import { joinFrames, parsePsnrStats, parseSummaryLines } from './quality.js';
import { parseSummary } from './reelflow.js';
import { median, percentile } from './stats.js';
import { ratioTarget, rotate, withPredictions } from './suite.js';
import { runTimings, unionSeconds, type StoredEvent } from './timings.js';

describe('statistics', () => {
  it('takes the middle value, or the mean of the middle pair', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
  it('finds the 95th percentile by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
  });
});

describe('figures', () => {
  it('judges the median against an upper target', () => {
    const f = figureOf(
      { group: 'g', name: 'ratio', unit: '×', target: atMost(1.1) },
      [1.2, 1.0, 1.05],
    );
    expect(f).toMatchObject({ median: 1.05, min: 1, max: 1.2, n: 3, met: true });
  });
  it('judges p95 when the target says so', () => {
    const values = [...Array.from({ length: 19 }, () => 10), 500];
    const f = figureOf(
      { group: 'g', name: 'latency', unit: 'ms', target: atMost(300, 'p95') },
      values,
    );
    expect(f.met).toBe(true);
    expect(
      figureOf({ group: 'g', name: 'l', unit: 'ms', target: atMost(300, 'p95') }, [...values, 500])
        .met,
    ).toBe(false);
  });
  it('says a figure without samples was not measured, and leaves `met` unset', () => {
    const f = figureOf({ group: 'g', name: 'psnr', unit: 'dB', target: atLeast(45) }, []);
    expect(f.met).toBeUndefined();
    expect(f.note).toBe('not measured');
  });
});

describe('matrix', () => {
  it('is one small pair when quick and eight pairs when full', () => {
    expect(matrixFrom(true, {}).cases.map(caseLabel)).toEqual(['60s 1280x720 veryfast']);
    const full = matrixFrom(false, {});
    expect(full.name).toBe('full');
    expect(full.cases).toHaveLength(8);
  });
  it('narrows by environment and says so', () => {
    const m = matrixFrom(false, {
      BENCH_DURATIONS: '30',
      BENCH_SIZES: '640x360',
      BENCH_EXECUTORS: 'local',
      BENCH_REPS: '2',
    });
    expect(m).toMatchObject({ name: 'custom', executors: ['local'], reps: 2 });
    expect(m.cases.map(caseLabel)).toEqual(['30s 640x360 veryfast', '30s 640x360 medium']);
  });
  it('refuses a malformed size or executor', () => {
    expect(() => matrixFrom(true, { BENCH_SIZES: '720p' })).toThrow(/WIDTHxHEIGHT/);
    expect(() => matrixFrom(true, { BENCH_EXECUTORS: 'k8s' })).toThrow(/unknown executor/);
  });
  it('rotates the contenders so each takes each slot', () => {
    expect([0, 1, 2].map((r) => rotate(['plain', 'swarm', 'local'], r)[0])).toEqual([
      'plain',
      'swarm',
      'local',
    ]);
  });
  it('has the issue targets for 60 s and 300 s clips only', () => {
    expect(ratioTarget(60, 'local')?.value).toBe(1.1);
    expect(ratioTarget(60, 'swarm')?.value).toBe(1.15);
    expect(ratioTarget(300, 'swarm')?.value).toBe(1.05);
    expect(ratioTarget(30, 'local')).toBeUndefined();
  });
});

describe('run timings from the event log', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  const task = (s: number, key: string, state: string): StoredEvent => ({
    at: at(s),
    type: 'task:state',
    payload: { key, nodeId: key.split(':')[0], state },
  });
  const events: StoredEvent[] = [
    { at: at(0), type: 'run:state', payload: { state: 'running' } },
    task(0, 'split:0', 'running'),
    task(2, 'split:0', 'done'),
    task(2, 'enc:0', 'running'),
    task(3, 'enc:1', 'running'),
    task(6, 'enc:0', 'done'),
    task(8, 'enc:1', 'done'),
    task(8, 'merge:0', 'running'),
    task(10, 'merge:0', 'done'),
    { at: at(10), type: 'run:state', payload: { state: 'succeeded' } },
  ];
  it('counts overlapping intervals once', () => {
    expect(
      unionSeconds([
        { start: 0, end: 2000 },
        { start: 1000, end: 3000 },
        { start: 5000, end: 6000 },
      ]),
    ).toBe(4);
  });
  it('splits the run into busy time per node type and time with no encode running', () => {
    const t = runTimings(events, { split: 'split', enc: 'encode', merge: 'merge' })!;
    expect(t.runSeconds).toBe(10);
    expect(t.byType.encode).toEqual({ tasks: 2, taskSeconds: 9, busySeconds: 6 });
    expect(t.byType.split!.busySeconds).toBe(2);
    expect(t.nonEncodeShare).toBeCloseTo(0.4);
  });
});

describe('parsers', () => {
  it('reads the JSON summary on the last line of `reelflow run --json`', () => {
    expect(
      parseSummary('progress\n{"runId":"r1","state":"succeeded","outputs":[],"nodes":{}}\n')?.runId,
    ).toBe('r1');
    expect(parseSummary('no json here')).toBeUndefined();
  });
  it("reads ffmpeg's PSNR and SSIM summary lines, infinite PSNR included", () => {
    const text =
      '[Parsed_psnr_2 @ 0x1] PSNR y:47.1 u:50.2 v:50.0 average:48.02 min:44.1 max:inf\n' +
      '[Parsed_ssim_3 @ 0x2] SSIM Y:0.990 (20.0) U:0.99 V:0.99 All:0.9912 (20.5)\n';
    expect(parseSummaryLines(text)).toEqual({ psnr: 48.02, ssim: 0.9912 });
    expect(parseSummaryLines(text.replace('average:48.02', 'average:inf')).psnr).toBe(Infinity);
  });
  it('reads per-frame PSNR and places join frames around each segment boundary', () => {
    const stats = parsePsnrStats('n:1 mse_avg:0.5 psnr_avg:51.2\nn:2 mse_avg:0.0 psnr_avg:inf\n');
    expect([...stats]).toEqual([
      [1, 51.2],
      [2, Infinity],
    ]);
    expect(joinFrames(30, 10, 25)).toEqual([249, 250, 251, 252, 499, 500, 501, 502]);
  });
});

describe('collecting the other benchmarks', () => {
  it('turns median<Unit>/target<Unit> objects into rows', () => {
    const rows = figuresOf('validation', {
      fullValidation: {
        nodes: 10000,
        runs: 15,
        medianMs: 193,
        minMs: 95,
        maxMs: 526,
        targetMs: 250,
      },
      oneEdit: { withChange: { runs: 101, medianMs: 6, minMs: 1, maxMs: 16, targetMs: 5 } },
    });
    expect(rows).toEqual([
      expect.objectContaining({
        name: 'full validation (10000 nodes)',
        unit: 'ms',
        median: 193,
        n: 15,
        met: true,
      }),
      expect.objectContaining({ name: 'one edit › with change', median: 6, met: false }),
    ]);
  });
  it('names a top-level figure after its benchmark, and treats fps targets as minimums', () => {
    const [sim] = figuresOf('simulate', {
      benchmark: 'simulate 1000 chunks',
      medianMs: 37,
      targetMs: 100,
    });
    expect(sim).toMatchObject({ name: 'simulate 1000 chunks', met: true });
    const [fps] = figuresOf('designer', {
      drag: { medianFps: 40, minFps: 30, maxFps: 60, targetFps: 50 },
    });
    expect(fps).toMatchObject({ unit: 'fps', met: false, target: { op: '>=' } });
  });
  it('takes an explicit figures list as it is', () => {
    const rows = figuresOf('designer', {
      figures: [{ name: 'first render', unit: 'ms', median: 900, target: 1500 }],
    });
    expect(rows).toEqual([
      expect.objectContaining({ group: 'designer', name: 'first render', met: true }),
    ]);
  });
});

describe('re-predicted figures', () => {
  it('replaces only the prediction figures, by name, in place', () => {
    const fig = (group: string, name: string, v: number) =>
      figureOf({ group, name, unit: '%', target: atMost(15) }, [v]);
    const recorded = [
      fig('end to end', 'ratio', 1),
      fig('prediction', 'error, local', 16.5),
      fig('prediction', 'error, swarm', 9.3),
      fig('quality', 'psnr', 48),
    ];
    const fresh = [fig('prediction', 'error, local', 10.1), fig('end to end', 'ratio', 2)];
    const out = withPredictions(recorded, fresh);
    expect(out.map((f) => f.median)).toEqual([1, 10.1, 9.3, 48]);
    expect(out[1]!.met).toBe(true);
    expect(recorded[1]!.met).toBe(false);
  });
});
