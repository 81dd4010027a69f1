/**
 * Fuzzing `POST /api/validate` of the runtime (issue 8 item 8) over real HTTP: random and
 * mutated graph documents, raw byte garbage, truncated bodies, wrong content types and
 * encodings. Every answer is 200 `{ valid, diagnostics }` or a 4xx `{ error }` in JSON, never
 * a 5xx, and the server stays up. Settings (FUZZ_RUNS, FUZZ_SEED) and inputs are shared with
 * the semantics fuzz suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { library } from '@reelflow/library';
import { validateDocument } from '@reelflow/semantics';
import { LocalExecutor } from '../../src/executors/index.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import {
  expectPrototypeIntact,
  expectValidationResult,
} from '../../../../packages/semantics/test/fuzz/checks.js';
import { preview } from '../../../../packages/semantics/test/fuzz/json-text.js';
import {
  EXAMPLE_TEXT,
  anyDocument,
  largeGraph,
  mutatedExample,
  nest,
  toJsonText,
} from '../../../../packages/semantics/test/fuzz/graph-arbitraries.js';
import { fuzzParams, fuzzTimeout } from '../../../../packages/semantics/test/fuzz/settings.js';

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

let dir: string;
let runtime: Runtime;
let origin: URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-fuzz-'));
  runtime = createRuntime({
    dataDir: dir,
    executor: new LocalExecutor({ concurrency: 1 }),
    port: 0,
    designerDir: false,
  });
  origin = new URL((await runtime.start()).url);
});

afterAll(async () => {
  await runtime?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * POST raw bytes with exactly the given headers (fetch would fix up or refuse some of them).
 * `declaredLength` larger than the body sends a truncated body and closes the connection:
 * then there is no answer, only the server's survival to check.
 */
function post(
  body: Uint8Array | string,
  headers: Record<string, string>,
  declaredLength?: number,
): Promise<Answer | 'no answer'> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: origin.hostname,
        port: origin.port,
        path: '/api/validate',
        method: 'POST',
        headers: { ...headers, 'content-length': String(declaredLength ?? bytes.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err) => (declaredLength === undefined ? reject(err) : resolve('no answer')));
    if (declaredLength === undefined) req.end(bytes);
    else {
      req.write(bytes);
      // Give up on the body half-way, as a client that crashed would.
      setImmediate(() => req.destroy());
    }
  });
}

/** 200 with a well-formed `{ valid, diagnostics }`, or a 4xx with a JSON `{ error }`. */
function expectWellFormedAnswer(answer: Answer): unknown {
  const where = `${answer.status} ${preview(answer.text, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.contentType, where).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as unknown;
  if (answer.status === 200) expectValidationResult(body);
  else {
    expect(answer.status, where).toBeGreaterThanOrEqual(400);
    const { error } = body as { error?: unknown };
    expect(typeof error, where).toBe('string');
    expect((error as string).trim(), where).not.toBe('');
  }
  return body;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Content types and encodings a confused or hostile client might send. */
const headerVariants = fc.constantFrom<Record<string, string>>(
  {},
  JSON_HEADERS,
  { 'content-type': 'application/json; charset=utf-8' },
  { 'content-type': 'application/json; charset=utf-16' },
  { 'content-type': 'application/json; charset=latin1' },
  { 'content-type': 'application/json; charset=bogus' },
  { 'content-type': 'text/plain' },
  { 'content-type': 'application/x-www-form-urlencoded' },
  { 'content-type': 'multipart/form-data; boundary=xyz' },
  { 'content-type': 'application/octet-stream' },
  { 'content-type': ';;;' },
  { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  { 'content-type': 'application/json', 'content-encoding': 'deflate' },
  { 'content-type': 'application/json', 'content-encoding': 'br' },
  { 'content-type': 'application/json', 'content-encoding': 'bogus' },
);

/** The server is still there and healthy. */
async function expectAlive(): Promise<void> {
  const res = await fetch(new URL('/healthz', origin));
  expect(res.status).toBe(200);
}

describe('POST /api/validate fuzzing', () => {
  it(
    'answers random and mutated graph documents exactly as validateDocument does in-process',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(anyDocument, mutatedExample), async (doc) => {
          const text = toJsonText(doc);
          const answer = await post(text, JSON_HEADERS);
          if (answer === 'no answer') throw new Error('the server dropped the connection');
          const body = expectWellFormedAnswer(answer);
          if (answer.status === 200) {
            expect(body).toEqual(validateDocument(JSON.parse(text), library, { mode: 'all' }));
          }
        }),
        fuzzParams(1),
      );
      expectPrototypeIntact();
    },
    fuzzTimeout(1),
  );

  it(
    'answers graphs of thousands of nodes',
    async () => {
      await fc.assert(
        fc.asyncProperty(largeGraph, async (doc) => {
          const answer = await post(toJsonText(doc), JSON_HEADERS);
          if (answer === 'no answer') throw new Error('the server dropped the connection');
          expect(answer.status).toBe(200);
          expectWellFormedAnswer(answer);
        }),
        fuzzParams(0.02),
      );
    },
    fuzzTimeout(0.02, 10_000),
  );

  it(
    'answers byte garbage, damaged text and wrong content types with 200 or a JSON 4xx',
    async () => {
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.nat({ max: EXAMPLE_TEXT.length }).map((n) => EXAMPLE_TEXT.slice(0, n)),
        fc.constant(EXAMPLE_TEXT),
      );
      await fc.assert(
        fc.asyncProperty(body, headerVariants, async (bytes, headers) => {
          const answer = await post(bytes, headers);
          if (answer === 'no answer') throw new Error('the server dropped the connection');
          expectWellFormedAnswer(answer);
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it('refuses a truncated JSON body with 400 and says the body is not valid JSON', async () => {
    const answer = await post(EXAMPLE_TEXT.slice(0, 100), JSON_HEADERS);
    expect(answer).toMatchObject({ status: 400 });
    expect(JSON.parse((answer as Answer).text)).toEqual({
      error: 'the request body is not valid JSON',
    });
  });

  it('answers JSON nested 100,000 deep and a body over the size limit with JSON', async () => {
    for (const text of [
      toJsonText(nest({}, 100_000, 'array')),
      toJsonText({ ...JSON.parse(EXAMPLE_TEXT), nodes: nest([], 100_000, 'object') }),
      `${'['.repeat(100_000)}`,
      `{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`,
    ]) {
      const answer = await post(text, JSON_HEADERS);
      if (answer === 'no answer') throw new Error('the server dropped the connection');
      expectWellFormedAnswer(answer);
    }
  }, 60_000);

  it(
    'survives clients that send part of the body they announced and hang up',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: EXAMPLE_TEXT.length - 1 }),
          headerVariants,
          async (cut, headers) => {
            await post(EXAMPLE_TEXT.slice(0, cut), headers, EXAMPLE_TEXT.length);
            await expectAlive();
          },
        ),
        fuzzParams(0.3),
      );
      const answer = await post(EXAMPLE_TEXT, JSON_HEADERS);
      expect(answer).toMatchObject({ status: 200 });
    },
    fuzzTimeout(0.3),
  );
});
