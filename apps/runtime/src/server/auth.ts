/**
 * Bearer-token access to the runtime. A runtime reachable from other machines must not let
 * anyone who can open a socket start runs or read videos, so every `/api` route, `/metrics`
 * and the socket.io handshake ask for the token; `/healthz` and the designer's static files
 * stay public (they carry nothing private). The token is made at first start, shown once,
 * and only its SHA-256 is kept, in a 0600 file under the data directory.
 *
 * Tasks of the `http` transfer strategy cannot carry the token (it would show in their argv
 * and logs), so each run gets a capability of its own: an HMAC of its id under a key kept
 * beside the token hash. It opens that run's file routes and nothing else.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import type { ExtendedError, Socket } from 'socket.io';

/** The file under the data directory that holds the token's hash and the run-capability key. */
export const ACCESS_FILE = 'access.json';

/** Path prefix of a run-capability URL: `/_task/<capability>/api/runs/<runId>/files/...`. */
export const TASK_PREFIX = '/_task/';

/** What {@link ACCESS_FILE} holds. Never the token itself. */
interface AccessFile {
  readonly tokenSha256: string;
  readonly runKey: string;
}

/** Hosts that only this machine can reach. Anything else (even 127.0.0.2) is treated as exposed. */
export function isLoopbackHost(host: string): boolean {
  return ['127.0.0.1', '::1', '[::1]', 'localhost'].includes(host.toLowerCase());
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Equal in constant time, so the answer's timing says nothing about how much of a guess was right. */
function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A fresh token: 32 random bytes, prefixed so it is recognisable in a secret scanner. */
function newToken(): string {
  return `rf_${randomBytes(32).toString('base64url')}`;
}

/** Write the access file with mode 0600, atomically (a crash never leaves half a file). */
function writeAccessFile(path: string, content: AccessFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readAccessFile(path: string): AccessFile {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AccessFile>;
  if (typeof parsed.tokenSha256 !== 'string' || typeof parsed.runKey !== 'string') {
    throw new Error(`${path} is damaged; start with --new-token to make a new token`);
  }
  // Whoever edited it may have loosened its mode: only the runtime's user may read it.
  chmodSync(path, 0o600);
  return { tokenSha256: parsed.tokenSha256, runKey: parsed.runKey };
}

/** The token check of one runtime. */
export class RuntimeAccess {
  private readonly tokenHash: Buffer;
  private readonly runKey: Buffer;

  private constructor(
    file: AccessFile,
    /** The token in clear, only when it was made by this open (to be shown once). */
    readonly newToken?: string,
  ) {
    this.tokenHash = Buffer.from(file.tokenSha256, 'hex');
    this.runKey = Buffer.from(file.runKey, 'hex');
  }

  /**
   * Read the data directory's access file, or make it (and a token) when there is none or
   * `rotate` is set; rotating keeps the run key, so tasks in flight keep their access.
   */
  static open(dataDir: string, options: { rotate?: boolean } = {}): RuntimeAccess {
    const path = join(dataDir, ACCESS_FILE);
    const existing = existsSync(path) ? readAccessFile(path) : undefined;
    if (existing && !options.rotate) return new RuntimeAccess(existing);
    const token = newToken();
    const file: AccessFile = {
      tokenSha256: sha256(token).toString('hex'),
      runKey: existing?.runKey ?? randomBytes(32).toString('hex'),
    };
    writeAccessFile(path, file);
    return new RuntimeAccess(file, token);
  }

  /** True when `token` is the runtime's token. */
  verify(token: string | undefined): boolean {
    return token !== undefined && token !== '' && sameDigest(sha256(token), this.tokenHash);
  }

  /** The capability that opens run `runId`'s file routes (hex HMAC-SHA256 of the id). */
  runCapability(runId: string): string {
    return createHmac('sha256', this.runKey).update(runId, 'utf8').digest('hex');
  }

  /** The base URL a run's tasks use for its file routes, with the run's capability in the path. */
  taskFilesBase(base: string, runId: string): string {
    return `${base.replace(/\/+$/, '')}${TASK_PREFIX}${this.runCapability(runId)}/api/runs/${encodeURIComponent(runId)}/files`;
  }

  /**
   * Express middleware: `/api/*` and `/metrics` need the token (`Authorization: Bearer`, or
   * `?access_token=` for what cannot set headers, such as a `<video src>`, which also sets a
   * read-only cookie for the segments a playlist names); a `/_task/` URL is checked against
   * its run and rewritten to the plain file route. Everything else passes.
   */
  http(): RequestHandler {
    return (req, res, next) => {
      if (req.path.startsWith(TASK_PREFIX)) {
        const rewritten = this.taskUrl(req.method, req.url);
        if (!rewritten) return refuse(res, 'the task URL is not valid for this run');
        req.url = rewritten;
        return next();
      }
      if (!isProtected(req.path)) return next();
      const bearer = bearerOf(req.headers.authorization);
      const query = typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
      // The cookie only ever opens reads: a page elsewhere cannot make it start or cancel runs.
      const cookie = READS.has(req.method) ? cookieOf(req.headers.cookie) : undefined;
      if (!this.verify(bearer ?? query ?? cookie)) {
        return refuse(
          res,
          'this runtime needs its access token: send "Authorization: Bearer <token>"',
        );
      }
      // A player given `?access_token=` once then fetches segments by relative URL: let it.
      if (!bearer && query) res.append('Set-Cookie', mediaCookie(query));
      next();
    };
  }

  /** socket.io middleware: the handshake must carry `auth: { token }`. */
  socket(): (socket: Socket, next: (err?: ExtendedError) => void) => void {
    return (socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const token = typeof auth?.token === 'string' ? auth.token : undefined;
      if (this.verify(token)) return next();
      const error: ExtendedError = new Error('unauthorized: connect with auth: { token }');
      error.data = { status: 401 };
      next(error);
    };
  }

  /** `/_task/<cap>/api/runs/<id>/files/<path>` → `/api/runs/<id>/files/<path>` when `cap` fits `id`. */
  private taskUrl(method: string, url: string): string | undefined {
    const match = /^\/_task\/([0-9a-f]{64})(\/api\/runs\/([^/?]+)\/files\/[^?]*)(\?.*)?$/.exec(url);
    if (!match || !['GET', 'HEAD', 'PUT'].includes(method)) return undefined;
    let runId: string;
    try {
      runId = decodeURIComponent(match[3]!);
    } catch {
      return undefined;
    }
    const expected = Buffer.from(this.runCapability(runId), 'hex');
    return sameDigest(Buffer.from(match[1]!, 'hex'), expected) ? match[2] : undefined;
  }
}

/** Paths that need the token. */
function isProtected(path: string): boolean {
  return /^\/(api|metrics)(\/|$)/i.test(path);
}

/** Methods that only read, for which the media cookie is accepted. */
const READS = new Set(['GET', 'HEAD']);
const MEDIA_COOKIE = 'reelflow_media';

/** The token of an `Authorization: Bearer` header. */
function bearerOf(header: string | undefined): string | undefined {
  return (header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]) || undefined;
}

/** The token in the media cookie of a `Cookie` header. */
function cookieOf(header: string | undefined): string | undefined {
  const raw = header
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${MEDIA_COOKIE}=`));
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw.slice(MEDIA_COOKIE.length + 1));
  } catch {
    return undefined;
  }
}

/** Scoped to run routes, unreadable by scripts, never sent by other sites. */
function mediaCookie(token: string): string {
  return `${MEDIA_COOKIE}=${encodeURIComponent(token)}; Path=/api/runs/; HttpOnly; SameSite=Strict`;
}

function refuse(res: Parameters<RequestHandler>[1], message: string): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="reelflow"');
  res.status(401).json({ error: message });
}
