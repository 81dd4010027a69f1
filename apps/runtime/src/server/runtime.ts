import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Server as IoServer } from 'socket.io';
import type { NodeLibrary, ServerEventName, ServerEvents } from '@reelflow/fbp-model';
import { library as defaultLibrary } from '@reelflow/library';
import type { Executor } from '../executors/types.js';
import { RunManager, type RunManagerOptions } from '../runs/manager.js';
import type { EngineOptions } from '../runs/orchestrator.js';
import { Store } from '../store/store.js';
import { createApi } from './api.js';
import { RuntimeAccess } from './auth.js';
import { allowedImage, allowedImagesOf, guardImages } from './images.js';
import { errorHandler } from './errors.js';
import { createEvents, publishTo } from './events.js';
import { createMetrics } from './metrics.js';
import { UploadTracker } from '../runs/upload-tracker.js';

export interface RuntimeOptions {
  /** Holds the database, uploads and run directories. */
  readonly dataDir: string;
  /** The executor(s) runs use; the first is the default. */
  readonly executor: Executor | readonly Executor[];
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the runtime is not reachable from other machines unless asked. */
  readonly host?: string;
  readonly library?: NodeLibrary;
  /** The built designer to serve at `/`; default `apps/designer/dist` when it exists; false for none. */
  readonly designerDir?: string | false;
  /** Largest upload in bytes (default 20 GiB). */
  readonly maxUploadBytes?: number;
  /**
   * URL at which tasks reach this runtime, for the `http` transfer strategy (workers on other
   * hosts need a routable address). Default `http://<host>:<port>`.
   */
  readonly publicUrl?: string;
  readonly image?: string;
  readonly maxConcurrentRuns?: number;
  readonly maxLifespanMs?: number;
  readonly engineOptions?: EngineOptions;
  readonly progressIntervalMs?: number;
  /**
   * Ask for the access token on every `/api` route, `/metrics` and socket.io (see auth.ts).
   * `reelflow serve` turns it on whenever `--host` is not a loopback address.
   */
  readonly requireToken?: boolean;
  /** Make a new token even when one exists (the old one stops working). */
  readonly rotateToken?: boolean;
  /** Images tasks may run in (default: the reelflow ffmpeg image). */
  readonly allowedImages?: readonly string[];
  /** The calibration `GET /api/calibration` answers; default `.reelflow/calibration.json` under the data dir, then the working directory. */
  readonly calibrationFile?: string;
}

/** The runtime: one HTTP server carrying the API, socket.io and the designer. */
export interface Runtime {
  readonly app: Express;
  readonly httpServer: HttpServer;
  readonly io: IoServer;
  readonly store: Store;
  readonly manager: RunManager;
  /** Every run event, also sent to socket.io rooms (the CLI's progress view listens here). */
  readonly events: EventEmitter;
  /**
   * Listen, then resume runs a previous process left. Resolves with the base URL, and with the
   * access token when it was made by this start (it is stored hashed: show it now or never).
   */
  start(): Promise<{ url: string; port: number; newToken?: string }>;
  /** Stop listening and close the database. Runs in flight stay recorded for the next start. */
  close(): Promise<void>;
}

const DEFAULT_DESIGNER_DIR = fileURLToPath(new URL('../../../designer/dist', import.meta.url));

/** Make a runtime (not yet listening). */
export function createRuntime(options: RuntimeOptions): Runtime {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const executors = Array.isArray(options.executor)
    ? options.executor
    : [options.executor as Executor];
  mkdirSync(dataDir, { recursive: true });
  const image = allowedImage(options);
  const access = options.requireToken
    ? RuntimeAccess.open(dataDir, { rotate: options.rotateToken })
    : undefined;
  const store = new Store(join(dataDir, 'reelflow.db'));
  const metrics = createMetrics(store);
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  // ffmpeg (the `http` transfer strategy) closes its connection right after the last chunk of a
  // PUT, without waiting for the answer. Node would then end the socket and destroy the
  // unanswered request, dropping body bytes the route has not read yet ("aborted"), so a task
  // that succeeded leaves no output. Half-open keeps the socket until the answer is sent; a PUT
  // cut off mid-body still fails (its chunked encoding never ends).
  // (`httpAllowHalfOpen` is a long-standing http.Server property that @types/node omits.)
  (httpServer as HttpServer & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  let boundUrl: string | undefined;
  // The socket handlers read the manager lazily: it is made below, once `publish` exists.
  const io = createEvents(httpServer, () => manager);
  if (access) io.use(access.socket());
  const toRooms = publishTo(io);
  const publish = <K extends ServerEventName>(name: K, payload: ServerEvents[K]): void => {
    toRooms(name, payload);
    try {
      events.emit(name, payload);
    } catch (err) {
      // A listener's bug must not break the run that published the event.
      process.emitWarning(`a listener of ${name} threw: ${(err as Error).message}`);
    }
  };

  const uploads = new UploadTracker();
  const managerOptions: RunManagerOptions = {
    store,
    uploads,
    executors: executors.map((ex) => guardImages(ex, allowedImagesOf(options))),
    library: options.library ?? defaultLibrary,
    dataDir,
    image,
    publish,
    observer: metrics.observer,
    httpBase: (runId) => {
      const base = options.publicUrl ?? boundUrl;
      if (!base) return undefined;
      return access
        ? access.taskFilesBase(base, runId)
        : `${base.replace(/\/+$/, '')}/api/runs/${runId}/files`;
    },
    maxConcurrentRuns: options.maxConcurrentRuns,
    maxLifespanMs: options.maxLifespanMs,
    engineOptions: options.engineOptions,
    progressIntervalMs: options.progressIntervalMs,
  };
  const manager = new RunManager(managerOptions);

  if (access) app.use(access.http());
  app.use(
    createApi({
      store,
      manager,
      dataDir,
      uploadsDir: join(dataDir, 'uploads'),
      maxUploadBytes: options.maxUploadBytes ?? 20 * 1024 ** 3,
      uploads,
      calibrationFile: options.calibrationFile,
    }),
  );
  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  serveDesigner(
    app,
    options.designerDir === undefined ? DEFAULT_DESIGNER_DIR : options.designerDir,
  );
  app.use(errorHandler);

  return {
    app,
    httpServer,
    io,
    store,
    manager,
    events,
    async start() {
      await mkdir(join(dataDir, 'runs'), { recursive: true });
      await new Promise<void>((ok, fail) => {
        httpServer.once('error', fail);
        httpServer.listen(options.port ?? 8080, host, () => {
          httpServer.off('error', fail);
          ok();
        });
      });
      const { port } = httpServer.address() as AddressInfo;
      const reachable =
        host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      boundUrl = `http://${reachable}:${port}`;
      await manager.recover();
      return { url: boundUrl, port, ...(access?.newToken ? { newToken: access.newToken } : {}) };
    },
    async close() {
      await manager.close();
      await new Promise<void>((ok) => io.close(() => ok()));
      if (httpServer.listening) await new Promise<void>((ok) => httpServer.close(() => ok()));
      store.close();
    },
  };
}

/** The built designer at `/`, with every other non-API GET answered by its index.html (SPA routes). */
function serveDesigner(app: Express, dir: string | false): void {
  if (!dir || !existsSync(join(dir, 'index.html'))) return;
  app.use(express.static(dir, { index: 'index.html' }));
  app.use((req, res, next) => {
    const isApi = /^\/(api|socket\.io|metrics|healthz)(\/|$)/.test(req.path);
    if (req.method !== 'GET' || isApi || !req.accepts('html')) return next();
    res.sendFile(join(dir, 'index.html'));
  });
}
