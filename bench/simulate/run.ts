/**
 * Benchmark of the operational semantics (issue 4): simulate split into 1,000 chunks
 * through transfer, encode, transfer, merge and stream to completion, with the real node
 * library. Writes median/min/max milliseconds to results.json beside this file.
 *
 *   npx tsx --tsconfig bench/simulate/tsconfig.json bench/simulate/run.ts [--runs N] [--chunks N]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Graph } from '@reelflow/fbp-model';
import { library } from '@reelflow/library';
import { simulateGraph } from '@reelflow/semantics';

const TARGET_MS = 100;

/** The graph of CONTRACTS section 1. */
const graph: Graph = {
  schemaVersion: 1,
  id: 'transcode-720p',
  name: 'Transcode to 720p H.264',
  nodes: [
    { id: 'src', type: 'source', params: {} },
    { id: 'split', type: 'split', params: { segmentSeconds: 10 } },
    { id: 'xfer', type: 'transfer', params: { strategy: 'shared' } },
    {
      id: 'enc',
      type: 'encode',
      params: { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 },
    },
    { id: 'back', type: 'transfer', params: { strategy: 'shared' } },
    { id: 'merge', type: 'merge', params: { container: 'mp4' } },
    { id: 'out', type: 'stream', params: { format: 'hls', segmentSeconds: 4 } },
  ],
  edges: [
    ['src', 'split'],
    ['split', 'xfer'],
    ['xfer', 'enc'],
    ['enc', 'back'],
    ['back', 'merge'],
    ['merge', 'out'],
  ].map(([from, to], i) => ({
    id: `e${i + 1}`,
    from: { node: from!, port: 'out' },
    to: { node: to!, port: 'in' },
  })),
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '21' },
      chunks: { type: 'string', default: '1000' },
    },
  });
  const runs = Number(values.runs);
  const chunks = Number(values.chunks);
  const options = { chunks, workers: 4, cores: 4, durationSeconds: chunks * 10 };

  // The result is checked, not only timed: a fast wrong simulation is no benchmark.
  const report = simulateGraph(graph, library, options);
  const expected = { src: 1, split: 1, xfer: chunks, enc: chunks, back: chunks, merge: 1, out: 1 };
  if (report.deadlock || JSON.stringify(report.firings) !== JSON.stringify(expected)) {
    throw new Error(`unexpected simulation result: ${JSON.stringify(report.firings)}`);
  }

  for (let i = 0; i < 3; i++) simulateGraph(graph, library, options); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    simulateGraph(graph, library, options);
    times.push(performance.now() - start);
  }

  const result = {
    benchmark: 'simulate split→transfer→encode→transfer→merge→stream',
    chunks,
    workers: options.workers,
    cores: options.cores,
    runs,
    traceLength: report.trace.length,
    makespanSeconds: round(report.makespanSeconds),
    medianMs: round(median(times)),
    minMs: round(Math.min(...times)),
    maxMs: round(Math.max(...times)),
    targetMs: TARGET_MS,
    pass: median(times) < TARGET_MS,
    node: process.version,
    date: new Date().toISOString(),
  };
  const out = fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
  if (!result.pass) process.exitCode = 1;
}

main();
