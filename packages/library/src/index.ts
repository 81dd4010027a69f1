/**
 * The Reelflow node library: one folder per node type (ports, parameter schema, firing,
 * compile() to task specs, cost), plus the pure helpers the runtime shares with it:
 * segment lists to chunk tokens, task outputs to tokens, and the incremental HLS playlist.
 */
import { createLibrary, type NodeLibrary } from '@reelflow/fbp-model';
import { encode } from './nodes/encode/index.js';
import { videoFilters } from './filtergraph.js';
import { merge } from './nodes/merge/index.js';
import { probe } from './nodes/probe/index.js';
import { quality } from './nodes/quality/index.js';
import { source } from './nodes/source/index.js';
import { split } from './nodes/split/index.js';
import { stream } from './nodes/stream/index.js';
import { transfer } from './nodes/transfer/index.js';
import { audio } from './nodes/audio/index.js';
import { thumbnails } from './nodes/thumbnails/index.js';
import { check } from './nodes/check/index.js';
import { withConstraints } from './constraints/index.js';

export { source, type SourceParams } from './nodes/source/index.js';
export { split, SEGMENT_LIST, type SplitParams } from './nodes/split/index.js';
export { transfer, type TransferParams } from './nodes/transfer/index.js';
export {
  encode,
  encodedChunkFormat,
  VAAPI_DEVICE,
  CODECS,
  PRESETS,
  type Codec,
  type Preset,
  type EncodeParams,
} from './nodes/encode/index.js';
export {
  merge,
  concatList,
  concatQuote,
  CONCAT_LIST,
  CONTAINERS,
  type Container,
  type MergeParams,
} from './nodes/merge/index.js';
export {
  stream,
  streamEntry,
  variantDir,
  MASTER_PLAYLIST,
  type StreamParams,
} from './nodes/stream/index.js';
export { ladderEncodes, selectRungs, type RungOutcome } from './nodes/stream/ladder.js';
export { probe, probeReport, type ProbeParams } from './nodes/probe/index.js';
export { quality, referenceChunk, type QualityParams } from './nodes/quality/index.js';
export {
  audio,
  audioTrack,
  loudnessReport,
  parseLoudnorm,
  applyChain,
  AUDIO_CODECS,
  type AudioCodec,
  type AudioParams,
  type LoudnessMeasurement,
} from './nodes/audio/index.js';
export {
  thumbnails,
  thumbnailFiles,
  thumbnailTrack,
  parseFrameTimes,
  vttTime,
  type ThumbnailsParams,
  type TrackLayout,
} from './nodes/thumbnails/index.js';
export {
  check,
  checkReport,
  compareWithSource,
  parseCheckReport,
  OUTPUT_CHECK,
  type CheckParams,
  type OutputFacts,
} from './nodes/check/index.js';
export {
  PLACEMENT_PATTERN,
  LABEL_RUN,
  LABEL_NODE,
  LABEL_TASK,
  LABEL_VIA,
  taskParams,
  type TaskParams,
} from './common.js';
export { scale, type ScaleParams } from './nodes/scale/index.js';
export { crop, type CropParams } from './nodes/crop/index.js';
export { pad, type PadParams } from './nodes/pad/index.js';
export { fps, type FpsParams } from './nodes/fps/index.js';
export { deinterlace, type DeinterlaceParams } from './nodes/deinterlace/index.js';
export { denoise, type DenoiseParams } from './nodes/denoise/index.js';
export { watermark, type WatermarkParams } from './nodes/watermark/index.js';
export { text, TEXT_PATTERN, type TextParams } from './nodes/text/index.js';
export {
  videoFilters,
  VIDEO_FILTER_TYPES,
  tokenFilters,
  filterCostFactor,
  videoGraph,
  type VideoGraphArgs,
} from './filtergraph.js';
export { COLOR_NAMES, CORNERS, type VideoFilter, type VideoFilterDef } from './filter.js';
export { parseSegmentList, outputTokens, type SegmentEntry } from './tokens.js';
export {
  hlsPlaylist,
  parseMediaPlaylist,
  measureBandwidth,
  parseHexDump,
  avcCodecString,
  codecString,
  frameRate,
  masterPlaylist,
  type HlsSegment,
  type MediaPlaylist,
  type MeasuredSegment,
  type ProbedStream,
  type MasterVariant,
  type MasterAudio,
} from './hls.js';
export {
  safeName,
  workDir,
  outputDir,
  locate,
  assertRunPath,
  assetPath,
  ASSETS_DIR,
  UPLOAD_ID_PATTERN,
  type Via,
} from './paths.js';
export { filterValue, reportEnv } from './ffmpeg.js';
export { chunkFormatForCodec, type ChunkFormat } from './formats.js';
export * from './constraints/index.js';
/** Test helpers, for this package's tests and others'. */
export { compileNode, videoToken, chunkToken, type CompileOptions } from './testing.js';

/** Every node type of the library, in palette order. */
export const nodeTypes = [
  source,
  split,
  transfer,
  encode,
  ...videoFilters,
  merge,
  stream,
  probe,
  quality,
  audio,
  thumbnails,
  check,
] as const;

/** The library of node types that validation, simulation and the runtime look types up in. */
export const library: NodeLibrary = createLibrary(withConstraints(nodeTypes));
