import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../executors/local.js';
import { makeClip, RecordingExecutorStub } from '../server/test-helpers.js';
import { runCommand, type RunArgs, type RunSummary } from './cli-run.js';
import { openTestExecutor } from './test-executors.js';

const openLocal = async () => ({ executor: await openTestExecutor('local') });
import { bar, ProgressView } from './progress-view.js';

const examplePath = new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url)
  .pathname;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-cli-run-'));
  await makeClip(join(dir, 'clip.mp4'), { seconds: 2, gop: 25 });
  writeFileSync(join(dir, 'broken.json'), '{ "nodes": ');
  writeFileSync(join(dir, 'notvideo.mp4'), 'plain text');
  const example = JSON.parse(readFileSync(examplePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'invalid.reelflow.json'), JSON.stringify({ ...example, edges: [] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(args: Partial<RunArgs>) {
  let stdout = '';
  let stderr = '';
  const executor = new RecordingExecutorStub();
  const code = await runCommand(
    { graphPath: examplePath, input: join(dir, 'clip.mp4'), dataDir: join(dir, 'data'), ...args },
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false },
    { openExecutor: async () => ({ executor }), handleSignals: false },
  );
  return { code, stdout, stderr, executor };
}

describe('reelflow run: bad input exits 2 with one line on stderr', () => {
  it.each([
    [
      'a graph file that does not exist',
      { graphPath: 'missing.json' },
      /cannot read .*no such file/,
    ],
    ['a graph file that is not JSON', { graphPath: 'broken.json' }, /is not valid JSON/],
    ['an input that does not exist', { input: 'missing.mp4' }, /cannot be used/],
    ['an input that is not a video', { input: 'notvideo.mp4' }, /notvideo\.mp4 cannot be used: /],
    [
      'a graph that does not validate',
      { graphPath: 'invalid.reelflow.json' },
      /required-input-unconnected/,
    ],
  ])('%s', async (_what, args, message) => {
    const resolved = Object.fromEntries(
      Object.entries(args).map(([k, v]) => [k, v.startsWith('/') ? v : join(dir, v)]),
    );
    const { code, stderr, stdout, executor } = await runCli(resolved);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n').every((line) => !line.includes('    at '))).toBe(true);
    expect(stdout).toBe('');
    expect(executor.launched).toEqual([]);
  });
});

describe('reelflow run: the executor opens while the input is checked', () => {
  it('reports a bad input before an executor that cannot open, and closes one that did', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t), isTTY: false };
    const failing = async () => {
      throw new Error('the swarm executor needs a Docker engine');
    };
    const bad = { graphPath: examplePath, input: join(dir, 'notvideo.mp4'), dataDir: dir };
    expect(await runCommand(bad, io, { openExecutor: failing, handleSignals: false })).toBe(2);
    expect(stderr).toMatch(/notvideo\.mp4 cannot be used/);
    expect(stderr).not.toMatch(/Docker engine/);

    stderr = '';
    const good = { ...bad, input: join(dir, 'clip.mp4') };
    expect(await runCommand(good, io, { openExecutor: failing, handleSignals: false })).toBe(2);
    expect(stderr).toBe('reelflow run: the swarm executor needs a Docker engine\n');

    const executor = new RecordingExecutorStub();
    let closed = false;
    executor.close = async () => void (closed = true);
    const opened = async () => ({ executor });
    expect(await runCommand(bad, io, { openExecutor: opened, handleSignals: false })).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
    expect(executor.launched).toEqual([]);
  });
});

describe('reelflow run: a real run with the local executor', () => {
  it('exits 0, copies the outputs to --out and ends with the JSON summary', async () => {
    const graph = JSON.parse(readFileSync(examplePath, 'utf8')) as {
      nodes: { id: string; params: Record<string, unknown> }[];
    };
    for (const n of graph.nodes) if (n.id === 'split') n.params = { segmentSeconds: 1 };
    writeFileSync(join(dir, 'short.reelflow.json'), JSON.stringify(graph));
    let stdout = '';
    let stderr = '';
    const out = join(dir, 'out');
    const code = await runCommand(
      {
        graphPath: join(dir, 'short.reelflow.json'),
        input: join(dir, 'clip.mp4'),
        out,
        json: true,
        dataDir: join(dir, 'data-real'),
      },
      { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false },
      { handleSignals: false, openExecutor: async () => openLocal() },
    );
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as RunSummary;
    expect(summary.state).toBe('succeeded');
    expect(summary.nodes.enc).toEqual({ state: 'done', tasks: 2 });
    expect(summary.outputs).toEqual(
      expect.arrayContaining([join(out, 'merge', 'output.mp4'), join(out, 'out', 'index.m3u8')]),
    );
    for (const path of summary.outputs) expect(existsSync(path)).toBe(true);
    // Progress went to stderr, as plain lines.
    expect(stderr).toMatch(/^run running$/m);
    expect(stderr).toMatch(/^enc done 2\/2$/m);
  }, 120_000);
});

describe('progress view', () => {
  it('draws bars', () => {
    expect(bar(0.5, 10)).toBe('[#####.....]');
    expect(bar(2, 4)).toBe('[####]');
  });

  it('prints one plain line per node state change when not on a terminal', () => {
    let out = '';
    const view = new ProgressView(['a', 'b'], (t) => void (out += t), false);
    view.run('running');
    view.node({ runId: 'r', nodeId: 'a', state: 'running', done: 0, total: 3 });
    view.node({ runId: 'r', nodeId: 'a', state: 'running', done: 0, total: 3 });
    view.node({ runId: 'r', nodeId: 'a', state: 'done', done: 3, total: 3 });
    expect(out).toBe('run running\na running 0/3\na done 3/3\n');
  });

  it('redraws in place on a terminal', () => {
    let out = '';
    const view = new ProgressView(['enc'], (t) => void (out += t), true);
    view.node({ runId: 'r', nodeId: 'enc', state: 'running', done: 1, total: 4 });
    view.progress({
      runId: 'r',
      key: 'enc:1',
      nodeId: 'enc',
      index: 1,
      fraction: 1,
      outTimeSeconds: 1,
    });
    expect(out).toContain('\x1b[2A');
    expect(out.split('\n').filter(Boolean).pop()).toMatch(/enc\s+\[#{12}\.{12}\]\s+1\/4 running/);
  });
});

describe('reelflow run: the executor capabilities', () => {
  it.skipIf(existsSync('/dev/dri/renderD128'))(
    'refuses a hardware encode on a local machine without a render node, exit 2',
    async () => {
      const graph = JSON.parse(readFileSync(examplePath, 'utf8')) as {
        nodes: { id: string; params: Record<string, unknown> }[];
      };
      for (const n of graph.nodes)
        if (n.id === 'enc') n.params = { ...n.params, implementation: 'hardware' };
      writeFileSync(join(dir, 'hardware.reelflow.json'), JSON.stringify(graph));
      const executor = new LocalExecutor();
      let stderr = '';
      const code = await runCommand(
        {
          graphPath: join(dir, 'hardware.reelflow.json'),
          input: join(dir, 'clip.mp4'),
          dataDir: join(dir, 'data-hw'),
        },
        { stdout: () => undefined, stderr: (t) => void (stderr += t), isTTY: false },
        { handleSignals: false, openExecutor: async () => ({ executor }) },
      );
      expect(code).toBe(2);
      expect(stderr).toMatch(/node enc: .*\/dev\/dri\/renderD128.*\[executor-capability\]/);
    },
  );
});
