import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { listOutputFiles } from '../runs/output-list.js';
import { nodeLogPath, resolveInside, runDirOf } from '../runs/rundir.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';
import { mediaType } from './mime.js';
import type { UploadTracker } from '../runs/upload-tracker.js';

export interface FileRouteOptions {
  readonly store: Store;
  readonly dataDir: string;
  /** Told of every upload, so a run reads a task's outputs only once they are stored. */
  readonly uploads?: UploadTracker;
}

/** Folders of a run the `http` transfer strategy may write into (never its input or logs). */
const WRITABLE = ['work', 'outputs'];

/** The run of a request's `:id`, or 404. */
function runOf(req: Request, opts: FileRouteOptions) {
  const run = opts.store.getRun(String(req.params.id));
  if (!run) throw new HttpError(404, `no run ${String(req.params.id)}`);
  return { run, dir: runDirOf(opts.dataDir, run.id) };
}

/** The `*path` of a route as a relative path (express 5 gives the segments as an array). */
function wildcard(req: Request): string {
  const raw = (req.params as Record<string, unknown>).path;
  return Array.isArray(raw) ? raw.join('/') : String(raw ?? '');
}

/** Resolve a requested path under `root`, or refuse it with 400. */
function confined(root: string, rel: string): string {
  const abs = resolveInside(root, rel);
  if (!abs || rel.split('/').some((s) => s === '..')) {
    throw new HttpError(400, `the path ${JSON.stringify(rel)} is outside the run directory`);
  }
  return abs;
}

/**
 * Refuse `abs` when, once symbolic links are followed, it is not inside `root`: a link a task
 * left in its run directory must not open the rest of the disk. `abs` itself need not exist;
 * its nearest existing ancestor is checked (that is where a write would go through).
 */
async function refuseLinksOut(root: string, abs: string, rel: string): Promise<void> {
  const realRoot = await realpath(root).catch(() => resolve(root));
  let probe = abs;
  for (;;) {
    const real = await realpath(probe).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (real !== undefined) {
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        throw new HttpError(
          400,
          `the path ${JSON.stringify(rel)} leads outside the run directory through a link`,
        );
      }
      return;
    }
    // Nothing exists from the root down (no outputs folder yet): there is no link to follow.
    if (probe === resolve(root)) return;
    const parent = dirname(probe);
    if (parent === probe) return;
    probe = parent;
  }
}

/** Send a file with the right media type and Range support (sendFile handles ranges). */
async function sendConfined(res: Response, root: string, rel: string): Promise<void> {
  const abs = confined(root, rel);
  await refuseLinksOut(root, abs, rel);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile()) throw new HttpError(404, `no file ${rel}`);
  const type = mediaType(abs);
  await new Promise<void>((resolve, reject) => {
    res.sendFile(
      abs,
      {
        dotfiles: 'allow',
        acceptRanges: true,
        cacheControl: false,
        // Set before the file's own type is guessed, so these win.
        headers: { 'Cache-Control': 'no-cache', ...(type ? { 'Content-Type': type } : {}) },
      },
      (err) => (err && !res.headersSent ? reject(err) : resolve()),
    );
  });
}

/** `GET /api/runs/:id/outputs/*path`: the run's published files (mp4, HLS playlist and segments). */
export async function getOutput(
  req: Request,
  res: Response,
  opts: FileRouteOptions,
): Promise<void> {
  const { dir } = runOf(req, opts);
  await sendConfined(res, dir.outputs, wildcard(req));
}

/** `GET /api/runs/:id/outputs`: the run's output files with kind, size and duration. */
export async function listOutputs(
  req: Request,
  res: Response,
  opts: FileRouteOptions,
): Promise<void> {
  const { dir } = runOf(req, opts);
  res.json(await listOutputFiles(dir.outputs));
}

/** `GET /api/runs/:id/files/*path`: any file of the run directory (the `http` transfer pulls these). */
export async function getRunFile(
  req: Request,
  res: Response,
  opts: FileRouteOptions,
): Promise<void> {
  const { dir } = runOf(req, opts);
  await sendConfined(res, dir.root, wildcard(req));
}

/**
 * `PUT /api/runs/:id/files/*path`: a task pushes a result back. Streamed to a temporary
 * file and renamed into place, so a reader never sees half a chunk.
 */
export async function putRunFile(
  req: Request,
  res: Response,
  opts: FileRouteOptions,
): Promise<void> {
  const { run, dir } = runOf(req, opts);
  const rel = wildcard(req);
  const abs = confined(dir.root, rel);
  if (!WRITABLE.includes(rel.split('/')[0]!) || rel.split('/').length < 2) {
    throw new HttpError(
      403,
      `files can only be written under ${WRITABLE.map((w) => `${w}/`).join(' or ')}`,
    );
  }
  const done = opts.uploads?.begin(run.id);
  const tmp = `${abs}.${randomUUID()}.part`;
  try {
    await refuseLinksOut(dir.root, dirname(abs), rel);
    await mkdir(dirname(abs), { recursive: true });
    await pipeline(req, createWriteStream(tmp));
    await rename(tmp, abs);
  } catch (err) {
    // `force` ignores only a missing file: under a parent that is a file, rm fails too.
    await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, `the upload of ${rel} did not complete: ${(err as Error).message}`);
  } finally {
    done?.();
  }
  const { size } = await stat(abs);
  res.status(201).json({ path: rel, bytes: size });
}

/** A log file's text; '' when it is missing or links out of the run directory. */
async function readLog(root: string, path: string): Promise<string> {
  try {
    await refuseLinksOut(root, path, path);
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** `GET /api/runs/:id/logs?node=ID`: one node's task logs as text; without `node`, every node's. */
export async function getLogs(req: Request, res: Response, opts: FileRouteOptions): Promise<void> {
  const { run, dir } = runOf(req, opts);
  const node = req.query.node;
  if (node !== undefined && typeof node !== 'string')
    throw new HttpError(400, 'give one node id: ?node=ID');
  res.type('text/plain; charset=utf-8');
  if (node !== undefined) {
    if (!run.graph.nodes.some((n) => n.id === node) && node !== 'run') {
      throw new HttpError(404, `run ${run.id} has no node ${JSON.stringify(node)}`);
    }
    const path = nodeLogPath(dir, node);
    res.send(path ? await readLog(dir.root, path) : '');
    return;
  }
  const names = (await readdir(dir.logs).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.log'))
    .sort();
  const parts = await Promise.all(
    names.map(async (n) => `== ${n.slice(0, -4)}\n${await readLog(dir.root, `${dir.logs}/${n}`)}`),
  );
  res.send(parts.join('\n'));
}
