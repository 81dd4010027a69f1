/**
 * The engine keeps as many tasks in flight as the executor says it can use (`slots`): a run's
 * parallelism follows the size of the cluster instead of a fixed number. Real ffmpeg, a real
 * local executor whose slots are set low.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../executors/local.js';
import type { ExecutorEvent } from '../executors/types.js';
import { createRuntime } from '../server/runtime.js';
import { makeClip } from '../server/test-helpers.js';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as { nodes: { id: string; type: string; params: Record<string, unknown> }[] };

/** A local executor that says it can use `n` tasks at once (its lanes would take four). */
class NarrowExecutor extends LocalExecutor {
  constructor(private readonly n: number) {
    super({ concurrency: 2, lightConcurrency: 2 });
  }
  async slots(): Promise<number> {
    return this.n;
  }
}

/** The most tasks running at once, from an executor's events. */
function peakOf(events: readonly ExecutorEvent[]): number {
  let running = 0;
  let peak = 0;
  for (const e of events) {
    if (e.type === 'started') peak = Math.max(peak, ++running);
    if (e.type === 'succeeded' || e.type === 'failed' || e.type === 'cancelled') running--;
  }
  return peak;
}

describe('engine capacity from the executor', () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reelflow-capacity-'));
    clip = join(dir, 'clip.mp4');
    await makeClip(clip, { seconds: 8, size: '320x240', gop: 25 });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([1, 3])(
    'keeps at most %i task(s) in flight when the executor has that many slots',
    async (n) => {
      const executor = new NarrowExecutor(n);
      const events: ExecutorEvent[] = [];
      executor.onEvent((e) => events.push(e));
      const runtime = createRuntime({
        dataDir: join(dir, `data-${n}`),
        executor,
        port: 0,
        designerDir: false,
      });
      await runtime.start();
      try {
        const graph = {
          ...example,
          nodes: example.nodes.map((node) =>
            node.type === 'split'
              ? { ...node, params: { segmentSeconds: 1 } }
              : node.type === 'encode'
                ? { ...node, params: { ...node.params, preset: 'ultrafast', height: 120 } }
                : node,
          ),
        };
        const run = runtime.manager.create(graph, { path: clip });
        expect(await runtime.manager.waitFor(run.id)).toBe('succeeded');
        expect(events.filter((e) => e.type === 'started').length).toBeGreaterThan(8);
        expect(peakOf(events)).toBe(n);
      } finally {
        await runtime.close();
        await executor.close();
      }
    },
    120_000,
  );
});
