/**
 * The wire protocol between the designer and the runtime (CONTRACTS section 5): one zod
 * schema per HTTP body and socket.io event, with its inferred type. Both sides parse with
 * these, so a message is defined exactly once.
 */
import { z } from 'zod';
import { DiagnosticSchema } from './diagnostic.js';

/** Run states, in the order a run normally passes through them. */
export const RUN_STATES = [
  'queued',
  'validating',
  'deploying',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;

/** States a run does not leave on its own. */
export const TERMINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminalRunState = (state: RunState): boolean => TERMINAL_RUN_STATES.includes(state);

/** Node and task states (`retrying` while a failed task waits for its next attempt). */
export const ELEMENT_STATES = [
  'idle',
  'pending',
  'running',
  'done',
  'failed',
  'skipped',
  'cancelled',
  'retrying',
] as const;
export const ElementStateSchema = z.enum(ELEMENT_STATES);
export type ElementState = z.infer<typeof ElementStateSchema>;

export const ExecutorNameSchema = z.enum(['swarm', 'local']);
export type ExecutorName = z.infer<typeof ExecutorNameSchema>;

// ---------------------------------------------------------------------------- HTTP bodies

/** `GET /healthz`. */
export const HealthResponseSchema = z.object({ ok: z.literal(true), executor: ExecutorNameSchema });
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** `POST /api/validate` answer (the request body is a graph document). */
export const ValidateResponseSchema = z.object({
  valid: z.boolean(),
  diagnostics: z.array(DiagnosticSchema),
});
export type ValidateResponse = z.infer<typeof ValidateResponseSchema>;

/** One entry of `GET /api/graphs`. `GET /api/graphs/:id` answers the graph document itself. */
export const GraphSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  updatedAt: z.string(),
  /**
   * The stored graph's version, counting its saves from 1; also its `ETag` (`"3"`). A `PUT`
   * with `If-Match: "3"` replaces it only while it is still version 3, and one with
   * `If-None-Match: *` only creates; otherwise 412 with `GraphConflictSchema`.
   */
  version: z.number().int().positive(),
});
export type GraphSummary = z.infer<typeof GraphSummarySchema>;

/** One entry of `GET /api/graphs/:id/versions`, newest first; `GET …/versions/:v` answers the document. */
export const GraphVersionSchema = z.object({
  version: z.number().int().positive(),
  name: z.string(),
  savedAt: z.string(),
  nodes: z.number().int().nonnegative(),
});
export type GraphVersion = z.infer<typeof GraphVersionSchema>;

/** 412 answer of a conditional `PUT /api/graphs/:id`: what is stored under that id now. */
export const GraphConflictSchema = z.object({
  error: z.string(),
  current: GraphSummarySchema.nullable(),
});
export type GraphConflict = z.infer<typeof GraphConflictSchema>;

/** `POST /api/uploads` answer (201). */
export const UploadResponseSchema = z.object({
  uploadId: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  /** `image` for a still image (a watermark; duration 0), else a video. */
  kind: z.enum(['video', 'image']).optional(),
});
export type UploadResponse = z.infer<typeof UploadResponseSchema>;

/** `POST /api/runs` body: a graph document or the id of a stored one, and an upload id. */
export const CreateRunRequestSchema = z
  .object({
    graph: z.unknown().optional(),
    graphId: z.string().min(1).optional(),
    input: z.string().min(1),
    executor: ExecutorNameSchema.optional(),
  })
  .refine((body) => (body.graph === undefined) !== (body.graphId === undefined), {
    message: 'give exactly one of "graph" or "graphId"',
    path: ['graph'],
  });
export type CreateRunRequest = z.infer<typeof CreateRunRequestSchema>;

/** `POST /api/runs` answer (202). */
export const CreateRunResponseSchema = z.object({ runId: z.string() });

/** One machine an executor can run tasks on, as far as the runtime knows it. */
export const ExecutorNodeSchema = z.object({
  hostname: z.string(),
  /** Swarm node id; absent locally. */
  id: z.string().optional(),
  /** `manager` or `worker` on Swarm; the local machine is `manager`. */
  role: z.string(),
  /** Swarm node labels (`node.labels.<name>` in placement constraints). */
  labels: z.record(z.string(), z.string()),
  platform: z.object({ os: z.string().optional(), arch: z.string().optional() }).optional(),
  /**
   * Device paths the machine offers to tasks (`/dev/dri` covers every device under it).
   * On Swarm these come from the node label `reelflow.devices` (docs/validation-capabilities.md).
   */
  devices: z.array(z.string()),
});
export type ExecutorNode = z.infer<typeof ExecutorNodeSchema>;

/** `GET /api/executor/capabilities`: where the runtime's executor runs tasks. */
export const ExecutorCapabilitiesSchema = z.object({
  executor: z.enum(['swarm', 'local']),
  /** Whether the executor honours placement constraints (Swarm does; local ignores them). */
  placement: z.boolean(),
  nodes: z.array(ExecutorNodeSchema),
});
export type ExecutorCapabilities = z.infer<typeof ExecutorCapabilitiesSchema>;
export type CreateRunResponse = z.infer<typeof CreateRunResponseSchema>;

/** `POST /api/runs` answer (422) when the graph does not validate. */
export const InvalidGraphResponseSchema = z.object({ diagnostics: z.array(DiagnosticSchema) });
export type InvalidGraphResponse = z.infer<typeof InvalidGraphResponseSchema>;

/** Every 4xx/5xx answer that is not a diagnostics list. */
export const ErrorResponseSchema = z.object({ error: z.string() });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const TaskViewSchema = z.object({
  key: z.string(),
  index: z.number().int().nonnegative(),
  state: ElementStateSchema,
  /** 0..1 */
  progress: z.number().min(0).max(1),
  attempt: z.number().int().nonnegative(),
  host: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  seconds: z.number().nonnegative().optional(),
  bytes: z.number().nonnegative().optional(),
  reason: z.string().optional(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const NodeViewSchema = z.object({
  state: ElementStateSchema,
  done: z.number().int().nonnegative(),
  /** null until the node knows how many tasks it gets (before its split has run). */
  total: z.number().int().nonnegative().nullable(),
  tasks: z.array(TaskViewSchema),
  /** Why a node was skipped or failed, when the run knows (e.g. an input without audio). */
  reason: z.string().optional(),
});
export type NodeView = z.infer<typeof NodeViewSchema>;

/** `GET /api/runs/:id`; `GET /api/runs` answers an array of these (newest first). */
export const RunViewSchema = z.object({
  runId: z.string(),
  state: RunStateSchema,
  reason: z.string().optional(),
  graphId: z.string(),
  executor: ExecutorNameSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  nodes: z.record(z.string(), NodeViewSchema),
  /** Output files, relative to `/api/runs/:id/outputs/`. */
  outputs: z.array(z.string()),
  /** Findings of the run itself (output checks, skipped branches), in the order they came. */
  diagnostics: z.array(DiagnosticSchema).optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** What a run's output file is, from its name: how the designer lists and plays it. */
export const OutputKindSchema = z.enum([
  'video',
  'playlist',
  'manifest',
  'segment',
  'image',
  'subtitles',
  'text',
  'other',
]);
export type OutputKind = z.infer<typeof OutputKindSchema>;

const OUTPUT_KINDS: Readonly<Record<string, OutputKind>> = {
  mp4: 'video',
  mkv: 'video',
  webm: 'video',
  mov: 'video',
  m4a: 'video',
  m3u8: 'playlist',
  mpd: 'manifest',
  ts: 'segment',
  m4s: 'segment',
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  webp: 'image',
  vtt: 'subtitles',
  json: 'text',
  txt: 'text',
  log: 'text',
  csv: 'text',
};

/** The kind of an output file, by its extension. Segments inside a playlist's folder are `segment`. */
export function outputKind(path: string): OutputKind {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  // fMP4 HLS/DASH init segments are MP4 files that do not play alone.
  if (/(^|\/)init[^/]*\.mp4$/i.test(path)) return 'segment';
  return OUTPUT_KINDS[ext] ?? 'other';
}

/** Can the designer's player play it (a whole video file, an HLS playlist)? */
export const isPlayableOutput = (kind: OutputKind): boolean =>
  kind === 'video' || kind === 'playlist';

/** One entry of `GET /api/runs/:id/outputs`: a file under the run's outputs folder. */
export const OutputFileSchema = z.object({
  /** Relative to `/api/runs/:id/outputs/`. */
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  kind: OutputKindSchema,
  /** Seconds of media: probed for a video, summed from a media playlist's segments. */
  durationSeconds: z.number().nonnegative().optional(),
});
export type OutputFile = z.infer<typeof OutputFileSchema>;

// ---------------------------------------------------------------------------- socket.io

/** Client → server: join (or leave) the room of one run to receive its events. */
export const SubscribeMessageSchema = z.object({ runId: z.string().min(1) });
export type SubscribeMessage = z.infer<typeof SubscribeMessageSchema>;

/** The server's answer to `subscribe`: the run as it is now, so nothing is missed between load and events. */
export const SubscribeAckSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), run: RunViewSchema }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type SubscribeAck = z.infer<typeof SubscribeAckSchema>;

export const RunStateEventSchema = z.object({
  runId: z.string(),
  state: RunStateSchema,
  reason: z.string().optional(),
});
export type RunStateEvent = z.infer<typeof RunStateEventSchema>;

export const NodeStateEventSchema = z.object({
  runId: z.string(),
  nodeId: z.string(),
  state: ElementStateSchema,
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
});
export type NodeStateEvent = z.infer<typeof NodeStateEventSchema>;

export const TaskStateEventSchema = z.object({
  runId: z.string(),
  key: z.string(),
  nodeId: z.string(),
  index: z.number().int().nonnegative(),
  state: ElementStateSchema,
  attempt: z.number().int().nonnegative(),
  reason: z.string().optional(),
});
export type TaskStateEvent = z.infer<typeof TaskStateEventSchema>;

export const TaskProgressEventSchema = z.object({
  runId: z.string(),
  key: z.string(),
  nodeId: z.string(),
  index: z.number().int().nonnegative(),
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  outTimeSeconds: z.number().nonnegative(),
  speed: z.number().optional(),
});
export type TaskProgressEvent = z.infer<typeof TaskProgressEventSchema>;

export const LogEventSchema = z.object({
  runId: z.string(),
  nodeId: z.string(),
  key: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
});
export type LogEvent = z.infer<typeof LogEventSchema>;

/** Server → client events by name. */
export const ServerEventSchemas = {
  'run:state': RunStateEventSchema,
  'node:state': NodeStateEventSchema,
  'task:state': TaskStateEventSchema,
  'task:progress': TaskProgressEventSchema,
  log: LogEventSchema,
} as const;
export type ServerEventName = keyof typeof ServerEventSchemas;
export type ServerEvents = { [K in ServerEventName]: z.infer<(typeof ServerEventSchemas)[K]> };

/** Client → server events by name. */
export const ClientEventSchemas = {
  subscribe: SubscribeMessageSchema,
  unsubscribe: SubscribeMessageSchema,
} as const;
export type ClientEventName = keyof typeof ClientEventSchemas;

/** Guard: is `value` a valid payload of server event `name`? */
export function isServerEvent<K extends ServerEventName>(
  name: K,
  value: unknown,
): value is ServerEvents[K] {
  return ServerEventSchemas[name].safeParse(value).success;
}

/** The socket.io room of a run. */
export const runRoom = (runId: string): string => `run:${runId}`;
