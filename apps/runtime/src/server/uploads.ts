import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import type { UploadResponse } from '@reelflow/fbp-model';
import { MediaError, probeImage, probeMedia, tailDecodeError } from '../runs/media.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';

export interface UploadOptions {
  readonly store: Store;
  readonly uploadsDir: string;
  readonly maxBytes: number;
}

/**
 * Check the name a client gave its file. It is only ever shown, never used as a path (files
 * are stored under their upload id), but a name that tries to climb directories is refused
 * outright so the client learns it did something wrong.
 */
export function checkUploadName(name: string): string {
  if (name.trim() === '') throw new HttpError(400, 'the uploaded file has no name');
  if (name.length > 255) throw new HttpError(400, 'the file name is longer than 255 characters');
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new HttpError(
      400,
      `the file name ${JSON.stringify(name)} must not contain "/", "\\" or ".." parts`,
    );
  }
  return name;
}

/** A file extension safe to keep on disk (ffprobe and ffmpeg like to see one). */
const storedExtension = (name: string): string =>
  /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0].toLowerCase() ?? '';

interface Received {
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = (opts: UploadOptions) =>
  new HttpError(413, `the file is larger than the upload limit of ${opts.maxBytes} bytes`);

/** Stream the multipart field `file` to a temporary file, enforcing the size limit as bytes arrive. */
function receive(req: Request, opts: UploadOptions, id: string): Promise<Received> {
  return new Promise((resolve, reject) => {
    // A body that says up front it is too large is refused before a byte of it is read.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes + MULTIPART_OVERHEAD) {
      reject(tooLarge(opts));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        preservePath: true,
        limits: { files: 1, fileSize: opts.maxBytes, fields: 10 },
      });
    } catch {
      reject(new HttpError(400, 'send the video as multipart/form-data with a field named "file"'));
      return;
    }
    let pending: Promise<Received> | undefined;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      // Over the limit, read no more: the 413 goes out now with `Connection: close`, and a
      // client still sending learns from it (or from the closed connection) to stop. Any
      // other refusal comes with the body (nearly) read: drain it so the answer can be read.
      if (err instanceof HttpError && err.status === 413) req.pause();
      else req.resume();
      reject(err);
    };
    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || pending) {
        stream.resume();
        return;
      }
      let name: string;
      try {
        name = checkUploadName(info.filename ?? '');
      } catch (err) {
        stream.resume();
        fail(err as Error);
        return;
      }
      const path = join(opts.uploadsDir, `${id}${storedExtension(name)}.part`);
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      // Busboy stops passing bytes on at the limit and ends the stream; the partial file is removed below.
      stream.on('limit', () => fail(tooLarge(opts)));
      pending = pipeline(stream, createWriteStream(path)).then(() => ({ name, path, size }));
      pending.catch((err: Error) => fail(err));
    });
    bb.on('error', (err: Error) =>
      fail(new HttpError(400, `the multipart body cannot be read: ${err.message}`)),
    );
    bb.on('close', () => {
      if (failed) return;
      if (!pending)
        return fail(
          new HttpError(400, 'no file: send the video in a multipart field named "file"'),
        );
      pending.then(resolve, (err: Error) => fail(err));
    });
    req.pipe(bb);
  });
}

/**
 * Probe a received file: a video with a duration whose end decodes, or a still PNG/JPEG image
 * (a watermark; duration 0), or a clear 4xx.
 */
async function checkUpload(
  path: string,
  size: number,
): Promise<{ durationSeconds: number; kind: 'video' | 'image' }> {
  if (size === 0) throw new HttpError(400, 'the uploaded file is empty');
  let duration: number;
  try {
    duration = (await probeMedia(path)).durationSeconds;
  } catch (err) {
    if (!(err instanceof MediaError)) throw err;
    const image = await probeImage(path).then(
      () => true,
      () => false,
    );
    if (image) return { durationSeconds: 0, kind: 'image' };
    throw new HttpError(415, `the upload is not a usable video or image: ${err.message}`);
  }
  const tail = await tailDecodeError(path);
  if (tail) throw new HttpError(422, `the video is truncated or corrupt: ${tail}`);
  return { durationSeconds: duration, kind: 'video' };
}

/** `POST /api/uploads`: 201 `{ uploadId, name, size, durationSeconds }`. */
export async function handleUpload(
  req: Request,
  res: Response,
  opts: UploadOptions,
): Promise<void> {
  await mkdir(opts.uploadsDir, { recursive: true });
  const id = randomUUID();
  try {
    const received = await receive(req, opts, id);
    const { durationSeconds, kind } = await checkUpload(received.path, received.size);
    const finalPath = received.path.replace(/\.part$/, '');
    await rename(received.path, finalPath);
    const record = opts.store.putUpload({
      id,
      name: received.name,
      path: finalPath,
      size: received.size,
      durationSeconds,
    });
    const body: UploadResponse = {
      uploadId: record.id,
      name: record.name,
      size: record.size,
      durationSeconds,
      kind,
    };
    res.status(201).json(body);
  } catch (err) {
    // Whatever was written for this upload goes: nothing half-received stays on disk.
    await removeUpload(opts.uploadsDir, id);
    if (err instanceof HttpError && err.status === 413) res.setHeader('Connection', 'close');
    throw err;
  }
}

async function removeUpload(dir: string, id: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => n.startsWith(id)).map((n) => rm(join(dir, n), { force: true })),
  );
}
