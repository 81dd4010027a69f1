import type { NodeTypeDef } from '@reelflow/fbp-model';
import { VIDEO_FILTER_TYPES } from '../filtergraph.js';

/**
 * Built-in rules of this library's node types, stated in the constraint language
 * (CONTRACTS section 4) and evaluated by `@reelflow/semantics` like any user constraint.
 * Each node type carries its rules in `NodeTypeDef.constraints` (see `withConstraints`).
 */

/**
 * Which codecs each merge container and stream format carries — the one statement of the
 * table. MP4 and Matroska carry all four (ISO BMFF has `vp09`/`av01` sample entries); WebM
 * is VP9/AV1 only by definition. HLS is limited to what Apple's HLS authoring specification
 * lists for video (H.264, HEVC); DASH is codec-agnostic and commonly carries VP9 and AV1.
 */
export const CODECS_BY_CONTAINER: Readonly<Record<string, readonly string[]>> = {
  mp4: ['h264', 'h265', 'vp9', 'av1'],
  mkv: ['h264', 'h265', 'vp9', 'av1'],
  webm: ['vp9', 'av1'],
};

export const CODECS_BY_STREAM_FORMAT: Readonly<Record<string, readonly string[]>> = {
  hls: ['h264', 'h265'],
  dash: ['h264', 'h265', 'vp9', 'av1'],
};

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const setOf = (items: readonly string[]): string => `Set{${items.map(quote).join(', ')}}`;

/** An OCL expression looking `key` up in `table`; an unknown key allows every codec. */
function lookup(key: string, table: Readonly<Record<string, readonly string[]>>): string {
  const every = [...new Set(Object.values(table).flat())];
  return Object.entries(table).reduceRight(
    (otherwise, [name, codecs]) =>
      `if ${key} = ${quote(name)} then ${setOf(codecs)} else ${otherwise} endif`,
    setOf(every),
  );
}

/**
 * The split nodes whose chunks reach `self` (a merge): walk back over chunk-carrying inputs
 * (through transfer, encode and any other per-chunk node) and stop at each split.
 */
const CHUNK_ORIGINS =
  "self->closure(n | if n <> self and n.firing = 'fanout' then null else " +
  "n.inputs->select(e | not e.to.oclIsUndefined() and e.to.dataType = 'chunk').source endif)" +
  "->select(n | n.firing = 'fanout')";

/**
 * The nearest encode nodes upstream of `self`: what they write is what arrives here, since
 * transfer, split and merge copy streams without re-encoding. `stopAtSplit` keeps a merge's
 * view to its own chunks.
 */
const upstreamEncoders = (stopAtSplit: boolean): string =>
  `self->closure(n | if n <> self and (n.type = 'encode'${stopAtSplit ? " or n.firing = 'fanout'" : ''}) then null else n.predecessors endif)` +
  "->select(n | n.type = 'encode')";

/** The encoders among `encoders` whose codec `allowed` does not contain. */
const unfitEncoders = (encoders: string, allowed: string): string =>
  `${encoders}->reject(e | ${allowed}->includes(e.params.codec))`;

/** An expression written inside a quoted message: its own quotes are doubled. */
const inMessage = (expr: string): string => `{${expr.replace(/'/g, "''")}}`;

const MERGE_UNFIT = unfitEncoders(
  upstreamEncoders(true),
  lookup('self.params.container', CODECS_BY_CONTAINER),
);
const STREAM_UNFIT = unfitEncoders(
  upstreamEncoders(false),
  lookup('self.params.format', CODECS_BY_STREAM_FORMAT),
);

export const MERGE_CONSTRAINTS = `
-- A merge joins the chunks of one split, in order; chunks of two splits cannot interleave.
context merge inv split-merge-mismatch
  'merge {self.id} receives chunks from ${inMessage(`${CHUNK_ORIGINS}->size()`)} splits (${inMessage(`${CHUNK_ORIGINS}.id`)}); all chunks of a merge must come from one split':
  ${CHUNK_ORIGINS}->size() <= 1

-- The container must be able to carry what the encoders upstream wrote.
context merge inv codec-container-mismatch
  'merge {self.id} writes {self.params.container}, which cannot carry ${inMessage(`${MERGE_UNFIT}.params.codec->asSet()`)} (encoded by ${inMessage(`${MERGE_UNFIT}.id`)}); choose a container for that codec, or another codec':
  ${MERGE_UNFIT}->isEmpty()
`;

/** The encodes behind a delivery node's renditions, and whether it has several of them. */
const LADDER_ENCODERS = upstreamEncoders(false);
const IS_LADDER = "self.inputs->select(e | e.targetPort = 'in')->size() >= 2";
const KEYFRAME_INTERVALS = `${LADDER_ENCODERS}->collect(e | e.params.keyframeSeconds)->asSet()`;
const OFF_CADENCE = `${LADDER_ENCODERS}->reject(e | (self.params.segmentSeconds / e.params.keyframeSeconds).floor() * e.params.keyframeSeconds = self.params.segmentSeconds)`;

export const STREAM_CONSTRAINTS = `
-- A ladder's renditions switch at segment boundaries, so those must fall at the same times in
-- every rendition: one keyframe interval for all encodes, and segments a multiple of it.
context stream inv ladder-misaligned
  'stream {self.id} gathers renditions whose encodes put keyframes every ${inMessage(`${KEYFRAME_INTERVALS}`)} s (${inMessage(`${LADDER_ENCODERS}.id`)}); segments align across renditions only with one keyframeSeconds for every encode':
  ${IS_LADDER} implies ${KEYFRAME_INTERVALS}->size() <= 1

context stream inv ladder-misaligned
  'stream {self.id} cuts {self.params.segmentSeconds} s segments, which is not a multiple of keyframeSeconds of ${inMessage(`${OFF_CADENCE}.id`)}; segments could not cut at the same keyframes in every rendition':
  ${IS_LADDER} implies ${OFF_CADENCE}->isEmpty()

-- The streaming format must be able to carry what the encoders upstream wrote.
context stream inv codec-container-mismatch
  'stream {self.id} packages {self.params.format}, which cannot carry ${inMessage(`${STREAM_UNFIT}.params.codec->asSet()`)} (encoded by ${inMessage(`${STREAM_UNFIT}.id`)}); choose another format, or another codec':
  ${STREAM_UNFIT}->isEmpty()
`;

const FILTERS = setOf(VIDEO_FILTER_TYPES);
/** Nodes after `self` that neither run its filter (an encode) nor pass it on (another filter). */
const NOT_FUSING = `self.successors->reject(n | n.type = 'encode' or ${FILTERS}->includes(n.type))`;

/** The rules of every video filter type (docs/filters.md). */
const filterConstraints = (type: string): string => `
-- A filter runs inside the encode after it; a merge, transfer or stream only copies streams.
context ${type} inv filter-without-encode
  '${type} {self.id} must feed an encode, directly or through other filters (it runs inside that encode''s filter graph), but it feeds ${inMessage(`${NOT_FUSING}.id`)}${inMessage("if self.successors->isEmpty() then 'nothing' else '' endif")}; put an encode after it':
  self.successors->notEmpty() and ${NOT_FUSING}->isEmpty()
`;

/**
 * The rules of a temporal filter: without wholeVideo it restarts at each chunk (a warning:
 * the output is valid, frames near the joins differ from a whole-video run); with wholeVideo
 * the split feeding it must make one segment. `when` limits both to some parameters.
 */
const temporalConstraints = (type: string, why: string, when = 'true'): string => `
context ${type} inv chunk-unsafe-filter warning
  '${type} {self.id} ${why}, so on chunks its output near each chunk boundary differs from the whole video; set wholeVideo: true (and segments: 1 on the split) if that matters':
  (${when}) implies self.params.wholeVideo = true

context ${type} inv whole-video-after-split
  '${type} {self.id} asks for the whole video (wholeVideo: true), but split ${inMessage(`${CHUNK_ORIGINS}->reject(s | s.params.segments = 1).id`)} cuts it into several chunks; set segments: 1 on it':
  self.params.wholeVideo = true implies ${CHUNK_ORIGINS}->forAll(s | s.params.segments = 1)
`;

/** Extra rules of the filters whose output depends on neighbouring frames. */
const TEMPORAL: Readonly<Record<string, string>> = {
  fps: temporalConstraints('fps', 'drops or repeats frames on a grid that restarts at each chunk'),
  deinterlace: temporalConstraints('deinterlace', 'reads the neighbouring fields (bwdif)'),
  denoise: temporalConstraints(
    'denoise',
    'averages across frames (temporal: true)',
    'self.params.temporal = true',
  ),
};

/** The built-in constraints of each node type, by type name. */
export const NODE_TYPE_CONSTRAINTS: Readonly<Record<string, string>> = {
  merge: MERGE_CONSTRAINTS,
  stream: STREAM_CONSTRAINTS,
  ...Object.fromEntries(
    VIDEO_FILTER_TYPES.map((type) => [type, filterConstraints(type) + (TEMPORAL[type] ?? '')]),
  ),
  watermark:
    filterConstraints('watermark') +
    `
context watermark inv watermark-image-missing
  'watermark {self.id} has no image: upload one (POST /api/uploads) and set image to its upload id':
  not self.params.image.oclIsUndefined()
`,
};

/**
 * The node types with their built-in constraints attached (after any they already carry),
 * for `createLibrary(withConstraints(nodeTypes))`.
 */
// Each definition keeps its own parameter type; the list erases it, as createLibrary does.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withConstraints<D extends NodeTypeDef<any>>(defs: readonly D[]): D[] {
  return defs.map((def) => {
    const extra = NODE_TYPE_CONSTRAINTS[def.type];
    if (!extra) return def;
    return { ...def, constraints: def.constraints ? `${def.constraints}\n${extra}` : extra };
  });
}
