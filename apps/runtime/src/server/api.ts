import express, { type Request, type Router } from 'express';
import {
  CreateRunRequestSchema,
  loadGraph,
  type CreateRunResponse,
  type Graph,
  type GraphConflict,
  type HealthResponse,
  type ValidateResponse,
} from '@reelflow/fbp-model';
import type { RunManager } from '../runs/manager.js';
import type { Store } from '../store/store.js';
import { HttpError, route } from './errors.js';
import { getLogs, getOutput, getRunFile, listOutputs, putRunFile } from './files.js';
import type { UploadTracker } from '../runs/upload-tracker.js';
import { handleUpload } from './uploads.js';
import { calibrationCandidates, readRuntimeCalibration } from './calibration.js';

export interface ApiOptions {
  readonly store: Store;
  readonly manager: RunManager;
  readonly dataDir: string;
  readonly uploadsDir: string;
  readonly maxUploadBytes: number;
  /** Largest JSON body (a graph document). */
  readonly jsonLimit?: string;
  readonly uploads?: UploadTracker;
  /** The calibration file `GET /api/calibration` answers; default: see calibrationCandidates. */
  readonly calibrationFile?: string;
}

/** A graph document from a request body, schema-checked; 400 with the first problem otherwise. */
function graphFromBody(body: unknown): Graph {
  const loaded = loadGraph(body);
  if (!loaded.graph) {
    throw new HttpError(
      400,
      `the body is not a graph document: ${loaded.diagnostics[0]?.message ?? 'unknown problem'}`,
    );
  }
  return loaded.graph;
}

const param = (req: Request, name: string): string => String(req.params[name]);

/** A graph version as an entity tag. */
const etag = (version: number) => `"${version}"`;

/** A version number from a URL segment or an entity tag; 400 when it is none. */
function versionParam(text: string, what = 'version'): number {
  const m = /^(?:W\/)?"?([1-9][0-9]{0,14})"?$/.exec(text.trim());
  if (!m?.[1])
    throw new HttpError(
      400,
      `${what} must be a positive whole number, not ${JSON.stringify(text.slice(0, 40))}`,
    );
  return Number(m[1]);
}

/**
 * The precondition of a graph PUT (RFC 9110 13.1): `If-None-Match: *` saves only a new id,
 * `If-Match: "N"` only over version N; without either the save is unconditional.
 */
function precondition(req: Request): number | 'absent' | undefined {
  const ifNoneMatch = req.get('if-none-match');
  const ifMatch = req.get('if-match');
  if (ifNoneMatch !== undefined && ifMatch !== undefined)
    throw new HttpError(400, 'send If-Match or If-None-Match, not both');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*')
      throw new HttpError(400, 'If-None-Match on a graph PUT must be *');
    return 'absent';
  }
  return ifMatch === undefined ? undefined : versionParam(ifMatch, 'If-Match');
}

/** The HTTP API of CONTRACTS section 5 (everything but `/metrics` and the designer). */
export function createApi(opts: ApiOptions): Router {
  const { store, manager } = opts;
  const files = { store, dataDir: opts.dataDir, uploads: opts.uploads };
  const api = express.Router();
  const json = express.json({ limit: opts.jsonLimit ?? '5mb' });

  api.get('/healthz', (_req, res) => {
    const body: HealthResponse = { ok: true, executor: manager.executorName };
    res.json(body);
  });

  api.post('/api/validate', json, (req, res) => {
    const { valid, diagnostics } = manager.validate(req.body);
    const body: ValidateResponse = { valid, diagnostics };
    res.json(body);
  });

  // ---------------------------------------------------------------- graphs
  api.get(
    '/api/calibration',
    route(async (_req, res) => {
      const found = await readRuntimeCalibration(
        calibrationCandidates(opts.dataDir, opts.calibrationFile),
      );
      res.json({ source: found.file, calibration: found.calibration });
    }),
  );
  api.get('/api/graphs', (_req, res) => {
    res.json(store.listGraphs());
  });
  api.post('/api/graphs', json, (req, res) => {
    const graph = graphFromBody(req.body);
    const put = store.putGraph(graph, 'absent');
    if ('conflict' in put) {
      throw new HttpError(
        409,
        `a graph with id ${JSON.stringify(graph.id)} exists; PUT /api/graphs/${graph.id} to replace it`,
      );
    }
    res
      .status(201)
      .location(`/api/graphs/${encodeURIComponent(graph.id)}`)
      .set('etag', etag(put.saved.version))
      .json(graph);
  });
  api.get('/api/graphs/:id', (req, res) => {
    const id = param(req, 'id');
    const graph = store.getGraph(id);
    const summary = store.graphSummary(id);
    if (!graph || !summary) throw new HttpError(404, `no graph ${id}`);
    res.set('etag', etag(summary.version)).json(graph);
  });
  api.put('/api/graphs/:id', json, (req, res) => {
    const graph = graphFromBody(req.body);
    if (graph.id !== param(req, 'id')) {
      throw new HttpError(
        400,
        `the graph's id ${JSON.stringify(graph.id)} does not match the URL (${param(req, 'id')})`,
      );
    }
    const put = store.putGraph(graph, precondition(req));
    if ('conflict' in put) {
      const current = put.conflict ?? null;
      const body: GraphConflict = {
        error: current
          ? `graph ${JSON.stringify(graph.id)} is at version ${current.version} (saved ${current.updatedAt}), not the version this save expected`
          : `graph ${JSON.stringify(graph.id)} does not exist; this save expected it to`,
        current,
      };
      res.status(412).json(body);
      return;
    }
    res
      .status(put.created ? 201 : 200)
      .set('etag', etag(put.saved.version))
      .json(graph);
  });
  api.get('/api/graphs/:id/versions', (req, res) => {
    const id = param(req, 'id');
    if (!store.graphSummary(id)) throw new HttpError(404, `no graph ${id}`);
    res.json(store.listGraphVersions(id));
  });
  api.get('/api/graphs/:id/versions/:version', (req, res) => {
    const id = param(req, 'id');
    const version = versionParam(param(req, 'version'));
    const graph = store.getGraphVersion(id, version);
    if (!graph) throw new HttpError(404, `graph ${id} has no version ${version}`);
    res.set('etag', etag(version)).json(graph);
  });
  api.delete('/api/graphs/:id', (req, res) => {
    if (!store.deleteGraph(param(req, 'id')))
      throw new HttpError(404, `no graph ${param(req, 'id')}`);
    res.status(204).end();
  });

  // ---------------------------------------------------------------- uploads
  api.post(
    '/api/uploads',
    route((req, res) =>
      handleUpload(req, res, { store, uploadsDir: opts.uploadsDir, maxBytes: opts.maxUploadBytes }),
    ),
  );

  // ---------------------------------------------------------------- runs
  api.get(
    '/api/executor/capabilities',
    route(async (_req, res) => {
      const capabilities = await manager.capabilities();
      if (!capabilities)
        throw new HttpError(503, `the ${manager.executorName} executor cannot tell its machines`);
      res.json(capabilities);
    }),
  );
  api.post(
    '/api/runs',
    json,
    route(async (req, res) => {
      const parsed = CreateRunRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(
          400,
          `bad run request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
        );
      }
      const { graph: doc, graphId, input, executor } = parsed.data;
      const graph = graphId === undefined ? doc : store.getGraph(graphId);
      if (graph === undefined) throw new HttpError(404, `no graph ${graphId}`);
      const upload = store.getUpload(input);
      if (!upload)
        throw new HttpError(
          400,
          `no upload ${JSON.stringify(input)}: POST the video to /api/uploads first`,
        );
      // Read the executor's machines (cached briefly) so create() checks against them.
      await manager.capabilities(executor);
      const run = manager.create(
        graph,
        { path: upload.path, uploadId: upload.id, durationSeconds: upload.durationSeconds },
        executor,
      );
      const body: CreateRunResponse = { runId: run.id };
      res.status(202).location(`/api/runs/${run.id}`).json(body);
    }),
  );
  api.get(
    '/api/runs',
    route(async (_req, res) => res.json(await manager.list())),
  );
  api.get(
    '/api/runs/:id',
    route(async (req, res) => {
      const view = await manager.view(param(req, 'id'));
      if (!view) throw new HttpError(404, `no run ${param(req, 'id')}`);
      res.json(view);
    }),
  );
  api.post('/api/runs/:id/cancel', (req, res) => {
    manager.cancel(param(req, 'id'));
    res.status(202).json({ runId: param(req, 'id') });
  });
  api.post(
    '/api/runs/:id/nodes/:node/retry',
    route(async (req, res) => {
      await manager.retryNode(param(req, 'id'), param(req, 'node'));
      res.status(202).json({ runId: param(req, 'id'), nodeId: param(req, 'node') });
    }),
  );
  api.get(
    '/api/runs/:id/logs',
    route((req, res) => getLogs(req, res, files)),
  );
  api.get(
    '/api/runs/:id/graph',
    route((req, res) => {
      const run = store.getRun(param(req, 'id'));
      if (!run) throw new HttpError(404, `no run ${param(req, 'id')}`);
      res.json(run.graph);
    }),
  );
  api.get(
    '/api/runs/:id/outputs',
    route((req, res) => listOutputs(req, res, files)),
  );
  api.get(
    '/api/runs/:id/outputs/*path',
    route((req, res) => getOutput(req, res, files)),
  );
  api.get(
    '/api/runs/:id/files/*path',
    route((req, res) => getRunFile(req, res, files)),
  );
  api.put(
    '/api/runs/:id/files/*path',
    route((req, res) => putRunFile(req, res, files)),
  );
  api.all('/api/*rest', (req) => {
    throw new HttpError(404, `no route ${req.method} ${req.path}`);
  });
  return api;
}
