import { z } from 'zod';
import type { Diagnostic } from './diagnostic.js';
import type { GraphNode } from './graph.js';

/** What travels on an edge: a whole video file, or one segment of one. */
export type DataType = 'video' | 'chunk' | 'audio';
export const DATA_TYPES: readonly DataType[] = ['video', 'chunk', 'audio'];

/**
 * A port of a node type. `multiplicity` is about edges: a `one` input accepts a single
 * incoming edge, a `many` input accepts several (a merge joining two branches).
 */
export interface PortSpec {
  readonly name: string;
  readonly direction: 'in' | 'out';
  readonly dataType: DataType;
  readonly multiplicity: 'one' | 'many';
  /** Inputs are required unless marked otherwise. */
  readonly required?: boolean;
  readonly description?: string;
}

/**
 * How a node consumes and produces tokens in the operational semantics.
 * - `source`: no input, emits one video token when the run starts.
 * - `map`: one token in, one token out, once per token (transfer, encode, probe).
 * - `fanout`: one video in, N chunk tokens of one group out (split).
 * - `join`: every chunk of one group in, one video out (merge).
 * - `sink`: consumes tokens and emits none (probe).
 * - `gather`: one token from each incoming edge in, fired once every edge has delivered one
 *   (the k-th token of each edge together, in the order of the edges in the graph); emits
 *   what its task reports (stream: the renditions of a ladder, plus an audio track).
 */
export type FiringKind = 'source' | 'map' | 'fanout' | 'join' | 'sink' | 'gather';

/**
 * Parameters that say where and how a task is scheduled (retries, reserved resources,
 * placement), not what it writes: two nodes differing only in these produce the same data.
 */
export const SCHEDULING_PARAMS: readonly string[] = ['retries', 'cpus', 'memoryMb', 'placement'];

/** Where a group of chunks came from: the split firing that cut them. */
export interface ChunkGroup {
  /** Unique per split firing, e.g. `split#0`. */
  readonly id: string;
  /** The split node that produced the group. */
  readonly origin: string;
  readonly index: number;
  readonly count: number;
}

/**
 * A step of work a pass-through node (`NodeTypeDef.passThrough`) left on a token for the
 * task that consumes it: the node, its type and its parameters (defaults filled in). Plain
 * data, never a command or a filter string: the consuming node type validates `params` again
 * with the step type's schema before it builds anything from them.
 */
export interface FilterStep {
  readonly node: string;
  readonly type: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A token: one piece of data on an edge. `path` is relative to the run directory; how a
 * task reaches it (shared volume or HTTP) is decided by `via`.
 */
export interface Token {
  readonly id: string;
  readonly dataType: DataType;
  readonly path: string;
  readonly via?: 'shared' | 'http';
  readonly group?: ChunkGroup;
  /** Media facts known about the token (from probing, or given in simulation). */
  readonly durationSeconds?: number;
  /** Where a chunk starts in its source video (seconds), from the split's segment list. */
  readonly startSeconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly codec?: string;
  readonly bytes?: number;
  /**
   * Work still to be done on this token, in order: steps of the pass-through nodes it went
   * through. The task that consumes the token carries them out (an encode puts them in its
   * filter graph); tokens a task produces carry none.
   */
  readonly filters?: readonly FilterStep[];
}

/** Facts about the media a task works on, used by cost estimates. */
export interface MediaInfo {
  readonly durationSeconds: number;
  readonly width?: number;
  readonly height?: number;
  /** Steps fused into the task (the consumed token's `filters`), for their cost. */
  readonly filters?: readonly FilterStep[];
}

/** The audio stream of a probed input (its first one). */
export interface AudioFacts {
  readonly channels: number;
  /** ffprobe's channel layout name, e.g. `stereo`, `5.1`, `5.1(side)`. */
  readonly layout?: string;
  readonly codec?: string;
  readonly sampleRate?: number;
  /** Start of the audio stream in the container (seconds). */
  readonly startSeconds?: number;
}

/**
 * What probing the run's input found: the cost model's facts plus what checks and
 * admissions need. `audio` is undefined when the input has no audio stream.
 */
export interface SourceMedia extends MediaInfo {
  /** Video frames as the container states them (or as counted). */
  readonly frames?: number;
  readonly frameRate?: number;
  /** Start of the video stream in the container (seconds). */
  readonly videoStartSeconds?: number;
  readonly audio?: AudioFacts;
}

export interface Mount {
  /** Host path (bind) or volume name. */
  readonly source: string;
  /** Path inside the task's container. */
  readonly target: string;
  readonly type: 'bind' | 'volume';
  readonly readOnly?: boolean;
}

/** An output a task is expected to write: one file, or every file in a folder. */
export type ExpectedOutput =
  | { readonly kind: 'file'; readonly path: string; readonly dataType: DataType }
  | {
      readonly kind: 'dir';
      readonly dir: string;
      /** File name suffix of the outputs, e.g. `.ts`. */
      readonly suffix: string;
      readonly dataType: DataType;
      /** An ffmpeg segment list (CSV: `file,start,end`) the task writes, for chunk timing. */
      readonly segmentList?: string;
    };

/**
 * An HLS master playlist the runtime writes once every task of a firing has succeeded: it
 * measures the renditions' segments and probes them, then writes the text the library's
 * `masterPlaylist` makes (bit rates and codecs are read from the output, never guessed).
 * Paths are relative to the run directory.
 */
export interface MasterPlaylistRequest {
  readonly path: string;
  /** The video renditions' media playlists, one per video input, in input order. */
  readonly variants: readonly string[];
  /** The shared audio rendition's media playlist. */
  readonly audio?: string;
  /** The audio playlist exists only when the first video carried audio (a muxer's choice). */
  readonly audioOptional?: boolean;
}

/** A unit of real work: one container (swarm) or one child process (local). */
export interface TaskSpec {
  /** Stable within a run: `${nodeId}:${index}`. */
  readonly key: string;
  readonly nodeId: string;
  readonly index: number;
  readonly image: string;
  /** argv[0] is the program. Never a shell string. */
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly mounts: readonly Mount[];
  readonly resources: { readonly cpus: number; readonly memoryBytes: number };
  /** Swarm placement constraints, e.g. `node.role==worker`. */
  readonly placement: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly outputs: readonly ExpectedOutput[];
  /**
   * Small text files (e.g. a concat list) the runtime writes into the run directory before
   * launching the task; `path` is relative to the run directory. Keeps compile() pure.
   */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
  /** Token(s) this task consumed, so results can be traced back. */
  readonly inputs: readonly Token[];
  /** True when argv asks ffmpeg for `-progress` output on stdout. */
  readonly reportsProgress?: boolean;
  /** Expected media duration the task processes, to turn progress into a fraction. */
  readonly durationSeconds?: number;
  /**
   * Text files (paths relative to the run directory) the task writes for its node type to read
   * back: after the task succeeds the runtime hands their content to `NodeTypeDef.review`.
   */
  readonly reports?: readonly string[];
  /** A master playlist to write over this firing's renditions once all its tasks succeeded. */
  readonly master?: MasterPlaylistRequest;
}

/** How tasks address the run's files. */
export interface StorageView {
  /** The run directory as the task sees it (a mount target, or a host path for local). */
  readonly root: string;
  /** Base URL of the runtime's file routes for this run, for the `http` strategy. */
  readonly httpBase?: string;
}

/** Everything `compile()` needs to turn one firing of a node into task specs. */
export interface CompileContext<P> {
  readonly runId: string;
  readonly node: GraphNode;
  readonly params: P;
  /** Tokens consumed by this firing (one for map/fanout/sink, the whole group for a join). */
  readonly inputs: readonly Token[];
  /** Index of this firing on its node (chunk index for per-chunk nodes). */
  readonly index: number;
  readonly storage: StorageView;
  /** The ffmpeg image to run. */
  readonly image: string;
  /** What probing the run's input found, when the runtime knows it. */
  readonly source?: SourceMedia;
}

/** What `review()` gets: the firing's context plus the reports its last round of tasks wrote. */
export interface ReviewContext<P> extends CompileContext<P> {
  /** 0 for the tasks `compile()` made, 1 for the tasks the first review asked for, and so on. */
  readonly round: number;
  /** Content of every report the finished round declared (`TaskSpec.reports`), by path. */
  readonly reports: Readonly<Record<string, string>>;
}

/** What a node type decides once a round of its tasks has succeeded and their reports are read. */
export interface ReviewResult {
  /** More tasks of the same firing, run after this round (a second pass); none ends the firing. */
  readonly next?: readonly TaskSpec[];
  /** Small text files to write into the run directory (paths relative to it), e.g. a playlist. */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
  /** Findings that become the run's diagnostics (stable codes). */
  readonly diagnostics?: readonly Diagnostic[];
  /** The firing failed for this reason (the node shows it); its output is not passed on. */
  readonly fail?: string;
}

/**
 * Whether a node can work on a run's input, decided from the probe before any task starts:
 * `skip` leaves the node (and what only it feeds) out with a note, `refuse` fails the run.
 */
export type Admission = { readonly skip: string } | { readonly refuse: string } | undefined;

/** Calibration of the cost model: how fast this machine is relative to the reference. */
export interface Calibration {
  /** Seconds of work per second of 720p video for a software h264 veryfast encode, per core. */
  readonly encodeSecondsPerSecond: number;
  /** Seconds to copy one second of video (split, transfer, merge, stream). */
  readonly copySecondsPerSecond: number;
  /** Fixed overhead of launching one task. */
  readonly taskOverheadSeconds: number;
  /**
   * Fixed overhead of launching one light task (`NodeTypeDef.light`), where the runtime runs
   * those as processes beside the run directory rather than on the cluster; default
   * `taskOverheadSeconds`.
   */
  readonly lightTaskOverheadSeconds?: number;
}

const seconds = (what: string) => z.number().finite().nonnegative().describe(what);

/** A calibration as stored in a file (`reelflow calibrate` writes one); rejects what is not. */
export const calibrationSchema = z.strictObject({
  encodeSecondsPerSecond: z
    .number()
    .finite()
    .positive()
    .describe('seconds of work per second of 720p video, H.264 veryfast, per core'),
  copySecondsPerSecond: seconds('seconds to copy one second of video'),
  taskOverheadSeconds: seconds('fixed overhead of launching one task'),
  lightTaskOverheadSeconds: seconds('fixed overhead of launching one light task').optional(),
}) satisfies z.ZodType<Calibration>;

/** A node type of the library: ports, parameters, firing, compile and cost. */
export interface NodeTypeDef<P = Record<string, unknown>> {
  readonly type: string;
  readonly title: string;
  readonly description: string;
  readonly ports: readonly PortSpec[];
  /** Zod schema of the parameters with defaults; `.describe()`/`.meta()` document ranges. */
  readonly params: z.ZodType<P>;
  readonly firing: FiringKind;
  /** Turn one firing into task specs. Pure. A source compiles to no task. */
  compile(ctx: CompileContext<P>): TaskSpec[];
  /** Estimated seconds for one task on one core-equivalent, for simulation. */
  estimateSeconds(params: P, media: MediaInfo, calibration: Calibration): number;
  /** Cores one task of this node occupies (for the list scheduler). */
  cores(params: P): number;
  /** Constraints in the OCL subset shipped with the node type. */
  readonly constraints?: string;
  /**
   * Sibling nodes of this type that consume the same token (a ladder's encodes of one chunk)
   * may run as one task: decode once, do every node's work (an ffmpeg `split` filter with an
   * output per node). The engine launches them together; `compile` gets one context per
   * node (the first is the task's own) and returns the task(s) writing every node's outputs,
   * each node's listed in order in `TaskSpec.outputs`.
   */
  readonly fusion?: {
    compile(ctxs: readonly CompileContext<P>[]): TaskSpec[];
    /** Seconds on one core-equivalent for the fused task. */
    estimateSeconds(params: readonly P[], media: MediaInfo, calibration: Calibration): number;
    cores(params: readonly P[]): number;
  };
  /**
   * Stream copy only (no decoding or encoding): a task of this node moves and rewraps bytes of
   * the run's files and needs little CPU. A runtime may run such tasks beside the run's storage
   * instead of scheduling them on the cluster, where start-up would cost more than the work.
   */
  readonly light?: boolean;
  /**
   * Runs no task of its own (a `map` node): the engine passes each token on at once, with
   * this node's `FilterStep` appended to the token's `filters`, and the task that consumes
   * the token downstream does the work (an encode fuses video filters into its filter graph).
   * `compile` is never called for such a node.
   */
  readonly passThrough?: boolean;
  /**
   * Upload ids this node's parameters name (a watermark image): the runtime puts each into the
   * run directory as `assets/<uploadId>` before the run starts, and refuses a run naming an
   * upload that does not exist.
   */
  assets?(params: P): readonly string[];
  /**
   * Host devices a task of this node needs on the worker that runs it (`/dev/dri/renderD128`
   * for a VAAPI encode). Validation with executor capabilities reports a node whose devices
   * no worker has (`executor-capability`).
   */
  devices?(params: P): readonly string[];
  /**
   * Read back what the tasks of one round of a firing reported (`TaskSpec.reports`) and decide:
   * another round, files to write, diagnostics, or a failure. Pure. Without it a firing ends
   * when its tasks succeed.
   */
  review?(ctx: ReviewContext<P>): ReviewResult;
  /** Decide from the probed input, before the run starts, whether this node can work on it. */
  admit?(params: P, source: SourceMedia): Admission;
}

/** The node types known to a graph: the library, or a test's own. */
export interface NodeLibrary {
  get(type: string): NodeTypeDef | undefined;
  types(): readonly NodeTypeDef[];
}

/** Make a library from a list of node types. */
// Each definition keeps its own parameter type; the library erases it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createLibrary(defs: readonly NodeTypeDef<any>[]): NodeLibrary {
  const byType = new Map(defs.map((d) => [d.type, d as NodeTypeDef]));
  return {
    get: (type) => byType.get(type),
    types: () => [...byType.values()],
  };
}

/** Find a port of a node type by name and direction. */
export function findPort(
  def: NodeTypeDef,
  name: string,
  direction?: 'in' | 'out',
): PortSpec | undefined {
  return def.ports.find(
    (p) => p.name === name && (direction === undefined || p.direction === direction),
  );
}
