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
  it('validates the deep graph: 200, valid', async () => {
    const res = await send('POST', '/api/validate', deepGraph('deep'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ valid: true, diagnostics: [] });
  });

  // BUG (open): POST /api/graphs (and PUT /api/graphs/:id) answer 500
  //   {"error":"internal error: Maximum call stack size exceeded"}: the graph loads, then
  // saving it overflows JSON.stringify (see packages/semantics/test/fuzz/loader-regressions).
  // Expected: 201 (saved), or a 4xx saying the document is nested too deep.
  it.fails('stores, or refuses with a 4xx, a graph nested 20,000 deep', async () => {
    const res = await send('POST', '/api/graphs', deepGraph('deep-post'));
    expect(res.status).toBeLessThan(500);
  });

  // BUG (open): POST /api/validate answers 500 {"error":"internal error: Maximum call stack
  // size exceeded"} for the 20 KB body {"schemaVersion":[[[…10,000 deep…]]]}: loadGraph throws
  // in migrate (packages/fbp-model/src/migrations.ts:76, JSON.stringify of the bad value).
  // Expected: 200 { valid: false, diagnostics: [schema] }.
  it.fails(
    'answers a schemaVersion nested 10,000 deep with 200 and a schema diagnostic',
    async () => {
      const body = `{"schemaVersion":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const res = await send('POST', '/api/validate', body);
      expect(res.status).toBe(200);
    },
  );
});
