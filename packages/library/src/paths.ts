import type { StorageView, Token } from '@reelflow/fbp-model';

/** How a task reaches a file of the run: the shared volume, or the runtime's HTTP file routes. */
export type Via = 'shared' | 'http';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** FNV-1a, 32 bit: a short stable fingerprint, enough to keep sanitized names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * A file-name-safe form of a node id. Node ids are arbitrary strings in a graph, so any id that
 * is not already plain `[A-Za-z0-9_-]` is cleaned and suffixed with a hash of the original, so
 * two ids that clean to the same text still get different folders.
 */
export function safeName(id: string): string {
  if (SAFE_ID.test(id)) return id;
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${cleaned}-${fnv1a(id)}`;
}

/** The folder a node writes its intermediate files into, relative to the run directory. */
export const workDir = (nodeId: string): string => `work/${safeName(nodeId)}`;

/** The folder a node publishes its final files into, relative to the run directory. */
export const outputDir = (nodeId: string): string => `outputs/${safeName(nodeId)}`;

/** Zero-padded task index, as ffmpeg's `%05d` writes it. */
export const pad5 = (n: number): string => String(n).padStart(5, '0');

/** True when `text` holds a C0 control character or DEL (a newline would break a list file). */
const hasControlCharacter = (text: string): boolean =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Check a token path before it goes into argv or a concat list. Paths come from the runtime
 * (uploads) and from our own outputs; reject anything that could escape the run directory or
 * break a list file, and say which path was wrong.
 */
export function assertRunPath(path: string): string {
  const problem =
    path.length === 0
      ? 'is empty'
      : path.startsWith('/') || /^[A-Za-z]:/.test(path)
        ? 'is absolute'
        : path.includes('\\')
          ? 'contains a backslash'
          : hasControlCharacter(path)
            ? 'contains a control character'
            : path.split('/').some((s) => s === '..' || s === '' || s === '.')
              ? 'has an empty, "." or ".." segment'
              : undefined;
  if (problem !== undefined) {
    throw new Error(
      `Token path ${JSON.stringify(path)} ${problem}; it must be relative to the run directory.`,
    );
  }
  return path;
}

/** The `via` a token asks for; absent means the shared volume. */
export const viaOf = (token: Token): Via => token.via ?? 'shared';

/** Where a task reads or writes `path`: a file under the storage root, or a URL under httpBase. */
export function locate(storage: StorageView, path: string, via: Via): string {
  assertRunPath(path);
  if (via === 'shared') return `${storage.root.replace(/\/+$/, '')}/${path}`;
  if (storage.httpBase === undefined) {
    throw new Error(
      `Path ${JSON.stringify(path)} is to be reached over HTTP but the run has no httpBase.`,
    );
  }
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${storage.httpBase.replace(/\/+$/, '')}/${encoded}`;
}

/**
 * Escape `%` for ffmpeg outputs that take a printf-like pattern (segment, HLS), so a `%` in
 * the storage root or an encoded URL is not read as a conversion.
 */
export const escapePattern = (location: string): string => location.replace(/%/g, '%%');

/** Lower-case extension of a path, without the dot ('' when none). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** An upload id as the runtime makes them (a random UUID). */
export const UPLOAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The folder of the run directory the runtime puts a run's assets (uploaded images) into. */
export const ASSETS_DIR = 'assets';

/** Where an upload used by a node (a watermark image) sits in the run directory. */
export function assetPath(uploadId: string): string {
  if (!UPLOAD_ID_PATTERN.test(uploadId)) {
    throw new Error(`${JSON.stringify(uploadId)} is not an upload id`);
  }
  return `${ASSETS_DIR}/${uploadId}`;
}
