import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../executors/local.js';
import { createRuntime, type Runtime } from './runtime.js';
import { makeClip, multipart } from './test-helpers.js';

// The real local executor on this machine: what it reports is checked against the machine.
const HAS_RENDER_NODE = existsSync('/dev/dri/renderD128');

const example = JSON.parse(
  readFileSync(
    new URL('../../../../examples/transcode-720p.reelflow.json', import.meta.url),
    'utf8',
  ),
) as { nodes: { id: string; params: Record<string, unknown> }[] };

/** The example graph with the encode's params changed. */
function withEncode(params: Record<string, unknown>) {
  const g = structuredClone(example);
  const enc = g.nodes.find((n) => n.id === 'enc')!;
  enc.params = { ...enc.params, ...params };
  return g;
}

let dir: string;
let runtime: Runtime;
let base: string;
let uploadId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-capabilities-'));
  await makeClip(join(dir, 'clip.mp4'), { seconds: 2 });
  runtime = createRuntime({
    dataDir: join(dir, 'data'),
    executor: new LocalExecutor(),
    port: 0,
    designerDir: false,
  });
  base = (await runtime.start()).url;
  const res = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    body: multipart('file', 'clip.mp4', readFileSync(join(dir, 'clip.mp4'))),
  });
  expect(res.status).toBe(201);
  uploadId = ((await res.json()) as { uploadId: string }).uploadId;
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (graph: unknown) =>
  fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ graph, input: uploadId }),
  });

describe('executor capabilities (local executor, this machine)', () => {
  it('GET /api/executor/capabilities describes this machine and its render node', async () => {
    const res = await fetch(`${base}/api/executor/capabilities`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      executor: 'local',
      placement: false,
      nodes: [
        {
          hostname: os.hostname(),
          role: 'manager',
          labels: {},
          platform: { os: os.platform(), arch: os.arch() },
          devices: HAS_RENDER_NODE ? ['/dev/dri/renderD128'] : [],
        },
      ],
    });
  });

  it.skipIf(HAS_RENDER_NODE)(
    'refuses a hardware encode at submission with 422 and an executor-capability error',
    async () => {
      const res = await submit(withEncode({ implementation: 'hardware' }));
      expect(res.status).toBe(422);
      const { diagnostics } = (await res.json()) as {
        diagnostics: { code: string; severity: string; element: { id: string }; message: string }[];
      };
      const found = diagnostics.filter((d) => d.code === 'executor-capability');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'error', element: { id: 'enc' } });
      expect(found[0]!.message).toContain('/dev/dri/renderD128');
      // /api/validate knows no executor: the same graph is valid there.
      const validated = await fetch(`${base}/api/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(withEncode({ implementation: 'hardware' })),
      });
      expect(((await validated.json()) as { valid: boolean }).valid).toBe(true);
    },
  );

  it('accepts a software encode, and placement (which the local executor ignores)', async () => {
    const res = await submit(withEncode({ placement: ['node.hostname==nowhere'] }));
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    await fetch(`${base}/api/runs/${runId}/cancel`, { method: 'POST' });
    // Let the run settle before the runtime closes its database.
    let state = '';
    for (let i = 0; i < 300 && !['succeeded', 'failed', 'cancelled'].includes(state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = ((await (await fetch(`${base}/api/runs/${runId}`)).json()) as { state: string })
        .state;
    }
    expect(['succeeded', 'cancelled']).toContain(state);
  });
});
