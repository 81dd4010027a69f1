/**
 * Issue 8 item 6, paths: uploads, `/api/runs/:id/outputs/*` and `/api/runs/:id/files/*` never
 * read or write outside the run directory, whatever the path's spelling (encoded, double
 * encoded, absolute, backslashes, NUL) and even through a symbolic link left in the run.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzParams } from '../../../../packages/semantics/test/fuzz/settings.js';
import { makeClip, multipart, RecordingExecutorStub } from '../../src/server/test-helpers.js';
import {
  call,
  example,
  rawRequest,
  startRuntime,
  until,
  uploadFile,
  type TestRuntime,
} from '../limits/helpers.js';

const SECRET = 'TOP-SECRET-7f3a9';

let rt: TestRuntime;
let outside: string;
let runId: string;
let runDir: string;

/** Every file under `root`, relative to it. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), 'reelflow-outside-'));
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  rt = await startRuntime({}, new RecordingExecutorStub());
  const clip = join(outside, 'clip.mp4');
  await makeClip(clip, { seconds: 1, size: '160x120' });
  const input = await uploadFile(rt.url, clip);
  rmSync(clip);
  const created = await call(rt.url, 'POST', '/api/runs', { body: { graph: example, input } });
  runId = String(created.json.runId);
  runDir = join(rt.dir, 'runs', runId);
  await until(() => (rt.executor as RecordingExecutorStub).launched.length > 0, 'the first task');
  // What a hostile task could leave behind: links out of the run directory.
  for (const sub of ['outputs', 'work', 'logs']) mkdirSync(join(runDir, sub), { recursive: true });
  symlinkSync(join(outside, 'secret.txt'), join(runDir, 'outputs', 'leak.m3u8'));
  symlinkSync(outside, join(runDir, 'outputs', 'dirlink'));
  symlinkSync(outside, join(runDir, 'work', 'dirlink'));
  symlinkSync(join(outside, 'secret.txt'), join(runDir, 'logs', 'enc.log'));
  symlinkSync('/', join(runDir, 'work', 'root'));
});
afterAll(async () => {
  await rt?.close();
  rmSync(outside, { recursive: true, force: true });
});

const HOSTILE_READS = [
  '../../../reelflow.db',
  '%2e%2e/%2e%2e/%2e%2e/reelflow.db',
  '%252e%252e/%252e%252e/reelflow.db',
  '..%2f..%2f..%2freelflow.db',
  '..%252f..%252freelflow.db',
  '%2fetc%2fpasswd',
  '/etc/passwd',
  '..\\..\\..\\reelflow.db',
  '..%5c..%5creelflow.db',
  'a%00/../../../reelflow.db',
  'leak.m3u8',
  'dirlink/secret.txt',
  'outputs/leak.m3u8',
  'outputs/dirlink/secret.txt',
  'work/dirlink/secret.txt',
  'work/root/etc/passwd',
];

describe('run file routes', () => {
  it.each(HOSTILE_READS)('never serve %s from outside the run', async (path) => {
    for (const route of ['outputs', 'files']) {
      const res = await rawRequest(rt.url, 'GET', `/api/runs/${runId}/${route}/${path}`);
      expect([route, res.status >= 400 && res.status < 500]).toEqual([route, true]);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).not.toContain('root:x:0:0');
      expect(res.body).not.toContain('SQLite format');
    }
  });

  it('shows no log that links out of the run', async () => {
    for (const path of [`/api/runs/${runId}/logs?node=enc`, `/api/runs/${runId}/logs`]) {
      const res = await call(rt.url, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(SECRET);
    }
  });

  it('writes nothing through a link or a climbing path', async () => {
    for (const path of [
      'work/dirlink/evil.ts',
      'work/dirlink/sub/evil.ts',
      'outputs/dirlink/evil.ts',
      'work/root/tmp/evil.ts',
      'work/../../evil.ts',
      'work/%2e%2e/%2e%2e/evil.ts',
      'work/..%2f..%2fevil.ts',
      'work/%252e%252e/evil.ts',
      'input/evil.ts',
      'logs/evil.log',
      '%2fwork%2fevil.ts',
    ]) {
      const res = await rawRequest(rt.url, 'PUT', `/api/runs/${runId}/files/${path}`, {
        body: 'evil',
      });
      expect([path, res.status === 201]).toEqual([path, path.includes('%252e')]);
    }
    expect(filesUnder(outside)).toEqual(['secret.txt']);
    expect(filesUnder(rt.dir).filter((f) => f.includes('evil'))).toEqual(
      // Double encoding is a name, not a climb: it stays where it was put.
      [`runs/${runId}/work/%2e%2e/evil.ts`],
    );
  });

  it('refuses a write below a file with 400, not 500 (a link replaced by an upload)', async () => {
    // A task may replace a link in outputs/ by a file; a path below that file is then no
    // folder at all (found by the property below with a random seed).
    const first = await rawRequest(rt.url, 'PUT', `/api/runs/${runId}/files/outputs/flat.m3u8`, {
      body: 'playlist',
    });
    expect(first.status).toBe(201);
    const below = await rawRequest(
      rt.url,
      'PUT',
      `/api/runs/${runId}/files/outputs/flat.m3u8/dirlink`,
      { body: 'evil' },
    );
    expect(below.status).toBe(400);
    expect(below.body).toMatch(/did not complete/);
    expect(filesUnder(outside)).toEqual(['secret.txt']);
  });

  it('holds for random paths made of climbing pieces (property)', async () => {
    const piece = fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2e',
      '%252e%252e',
      '%2f',
      '%5c',
      '\\',
      '',
      'a',
      'work',
      'outputs',
      'dirlink',
      'root',
      'leak.m3u8',
      'secret.txt',
      'reelflow.db',
      'etc',
      'passwd',
      '%00',
      '%2e',
    );
    const before = filesUnder(rt.dir);
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (parts, put) => {
          const path = `/api/runs/${runId}/${put ? 'files' : parts[0] === 'outputs' ? 'outputs' : 'files'}/${parts.join('/')}`;
          const res = await rawRequest(
            rt.url,
            put ? 'PUT' : 'GET',
            path,
            put ? { body: 'evil' } : {},
          );
          expect(res.body).not.toContain(SECRET);
          expect(res.body).not.toContain('root:x:0:0');
          expect(res.body).not.toContain('SQLite format');
          expect(res.status).not.toBe(500);
        },
      ),
      // The fuzz suite's seed (FUZZ_SEED) and 3× its cases (300 by default): repeatable.
      fuzzParams(3),
    );
    expect(filesUnder(outside)).toEqual(['secret.txt']);
    // Whatever was written landed under the run's work/ or outputs/.
    const added = filesUnder(rt.dir).filter(
      (f) => !before.includes(f) && !f.startsWith('reelflow.db'),
    );
    for (const f of added) expect(f).toMatch(new RegExp(`^runs/${runId}/(work|outputs)/`));
  });
});

describe('uploads', () => {
  it.each([
    '../../escape.mp4',
    '/etc/cron.d/evil.mp4',
    '..\\..\\escape.mp4',
    'nul\u0000.mp4',
    '..',
    '%2e%2e%2fescape.mp4',
    `${'a'.repeat(300)}.mp4`,
  ])('store %j under the upload id or refuse it, never elsewhere', async (name) => {
    const before = filesUnder(rt.dir);
    const clip = readFileSync(join(rt.dir, 'uploads', readdirSync(join(rt.dir, 'uploads'))[0]!));
    const res = await call(rt.url, 'POST', '/api/uploads', { body: multipart('file', name, clip) });
    expect([400, 201]).toContain(res.status);
    const added = filesUnder(rt.dir).filter(
      (f) => !before.includes(f) && !f.startsWith('reelflow.db'),
    );
    if (res.status === 201) expect(added).toEqual([`uploads/${String(res.json.uploadId)}.mp4`]);
    else expect(added).toEqual([]);
    expect(filesUnder(outside)).toEqual(['secret.txt']);
  });
});
