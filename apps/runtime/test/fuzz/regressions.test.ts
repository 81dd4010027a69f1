/**
 * Regressions the fuzz suite found in the runtime's routes, as minimal requests. A test marked
 * `it.fails` documents a bug that is still open: it passes while the bug is there and fails,
 * asking to become a plain `it`, once it is fixed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/executors/index.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import {
  EXAMPLE_TEXT,
  nest,
  toJsonText,
} from '../../../../packages/semantics/test/fuzz/graph-arbitraries.js';

let dir: string;
let runtime: Runtime;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-fuzz-regress-'));
  runtime = createRuntime({
    dataDir: dir,
    executor: new LocalExecutor(),
    port: 0,
    designerDir: false,
  });
  base = (await runtime.start()).url;
});

afterAll(async () => {
  await runtime?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A valid graph whose extra top-level key (kept on load) nests 20,000 arrays deep. */
const deepGraph = (id: string): string =>
  toJsonText({ ...JSON.parse(EXAMPLE_TEXT), id, extra: nest(1, 20_000, 'array') });

const send = (method: string, path: string, body: string) =>
  fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body });

describe('runtime regressions found by fuzzing', () => {
  it('answers the deep graph with 200 and a schema diagnostic naming the depth', async () => {
    const res = await send('POST', '/api/validate', deepGraph('deep'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      valid: boolean;
      diagnostics: Array<{ code: string; message: string }>;
    };
    expect(body.valid).toBe(false);
    expect(body.diagnostics).toEqual([
      expect.objectContaining({
        code: 'schema',
        message: expect.stringMatching(/nests deeper than/),
      }),
    ]);
  });

  // Was a 500 (saving overflowed JSON.stringify); loadGraph now refuses documents nested
  // deeper than MAX_DOCUMENT_DEPTH, so this is a 4xx.
  it('stores, or refuses with a 4xx, a graph nested 20,000 deep', async () => {
    const res = await send('POST', '/api/graphs', deepGraph('deep-post'));
    expect(res.status).toBeLessThan(500);
  });

  // Was a 500: migrate() stringified the whole bad value into its message.
  it('answers a schemaVersion nested 10,000 deep with 200 and a schema diagnostic', async () => {
    const body = `{"schemaVersion":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await send('POST', '/api/validate', body);
    expect(res.status).toBe(200);
  });
});
