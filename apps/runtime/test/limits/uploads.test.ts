/**
 * Issue 8 item 5, upload limit: an upload over `maxUploadBytes` is refused with 413 while it
 * streams, not after the whole body has been read. The bytes the server read are measured on
 * its own sockets. (runtime.test.ts checks the 413's message and that nothing stays on disk.)
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { multipart } from '../../src/server/test-helpers.js';
import { call, startRuntime, until, type TestRuntime } from './helpers.js';

const LIMIT = 1024 * 1024;
const BODY = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);

let rt: TestRuntime;
/** What the server answered each upload, seen from inside: status and bytes read by then. */
const answers: Array<{ status: number; readAtAnswer: number; socket: Socket }> = [];

beforeAll(async () => {
  rt = await startRuntime({ maxUploadBytes: LIMIT });
  rt.runtime.httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== '/api/uploads') return;
    const socket = req.socket;
    res.once('finish', () =>
      answers.push({ status: res.statusCode, readAtAnswer: socket.bytesRead, socket }),
    );
  });
});
afterAll(() => rt?.close());

interface Outcome {
  readonly status: number;
  /** Bytes the server had read from the connection (headers included) when it answered. */
  readonly readAtAnswer: number;
  /** Bytes it had read when the connection closed. */
  readonly readInAll: number;
  /** Bytes of body the client handed to its socket before it stopped. */
  readonly sent: number;
}

/**
 * Send a multipart upload of `BODY` bytes, 64 KiB at a time, until the server answers or
 * closes. With `declare` the length is announced in Content-Length, else the body is chunked.
 */
async function streamUpload(declare: boolean): Promise<Outcome> {
  const boundary = 'reelflowboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const { hostname, port } = new URL(rt.url);
  const seen = answers.length;
  let sent = 0;
  let stopped = false;
  const req = request({
    hostname,
    port,
    method: 'POST',
    path: '/api/uploads',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(declare ? { 'content-length': String(head.length + BODY + tail.length) } : {}),
    },
  });
  // The server closes the connection after its 413: the client may see the answer or a
  // broken pipe, depending on timing. Either way it stops; the server's own view is asserted.
  req.on('response', (res) => {
    stopped = true;
    res.resume();
  });
  req.on('error', () => (stopped = true));
  req.on('close', () => (stopped = true));
  req.write(head);
  while (sent < BODY && !stopped) {
    sent += CHUNK.length;
    if (!req.write(CHUNK)) await once(req, 'drain', 'close');
  }
  if (!stopped) req.end(tail);
  await until(() => answers.length > seen, 'the server answer');
  const answer = answers[seen]!;
  if (!answer.socket.destroyed) await once(answer.socket, 'close');
  req.destroy();
  return {
    status: answer.status,
    readAtAnswer: answer.readAtAnswer,
    readInAll: answer.socket.bytesRead,
    sent,
  };
}

/** The first of `events` on `emitter`. */
function once(emitter: NodeJS.EventEmitter, ...events: string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.on(e, done);
  });
}

const figures = (what: string, out: Outcome) =>
  console.log(
    `upload limit (${what}): limit ${LIMIT} B; server answered ${out.status} after reading ${out.readAtAnswer} B, read ${out.readInAll} B in all; client sent ${out.sent} of ${BODY} B`,
  );

it('refuses a chunked upload over the limit with 413 once the limit is crossed, reading little more', async () => {
  const out = await streamUpload(false);
  figures('chunked', out);
  expect(out.status).toBe(413);
  expect(out.readAtAnswer).toBeGreaterThan(LIMIT);
  expect(out.readAtAnswer).toBeLessThan(LIMIT + 4 * CHUNK.length + 64 * 1024);
  expect(out.readInAll).toBeLessThan(BODY / 4);
});

it('refuses an upload whose Content-Length is over the limit before reading its body', async () => {
  const out = await streamUpload(true);
  figures('declared', out);
  expect(out.status).toBe(413);
  expect(out.readAtAnswer).toBeLessThan(LIMIT);
  expect(out.readInAll).toBeLessThan(BODY / 4);
});

it('lets a fetch client (as the designer uses) read the 413 of an upload 8 times the limit', async () => {
  const res = await call(rt.url, 'POST', '/api/uploads', {
    body: multipart('file', 'big.mp4', Buffer.alloc(8 * LIMIT, 1)),
  });
  expect(res.status).toBe(413);
  expect(res.json.error).toBe(`the file is larger than the upload limit of ${LIMIT} bytes`);
});

it('keeps nothing of a refused upload and goes on serving', async () => {
  expect(readdirSync(join(rt.dir, 'uploads'))).toEqual([]);
  expect((await call(rt.url, 'GET', '/healthz')).status).toBe(200);
});
