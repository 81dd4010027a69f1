/**
 * The Reelflow node library: one folder per node type (ports, parameter schema, firing,
 * compile() to task specs, cost), plus the pure helpers the runtime shares with it:
 * segment lists to chunk tokens, task outputs to tokens, and the incremental HLS playlist.
 */
import { createLibrary, type NodeLibrary } from '@reelflow/fbp-model';
import { encode } from './nodes/encode/index.js';
import { merge } from './nodes/merge/index.js';
import { probe } from './nodes/probe/index.js';
import { quality } from './nodes/quality/index.js';
import { source } from './nodes/source/index.js';
import { split } from './nodes/split/index.js';
import { stream } from './nodes/stream/index.js';
import { transfer } from './nodes/transfer/index.js';
import { withConstraints } from './constraints/index.js';

export { source, type SourceParams } from './nodes/source/index.js';
export { split, SEGMENT_LIST, type SplitParams } from './nodes/split/index.js';
export { transfer, type TransferParams } from './nodes/transfer/index.js';
export {
  encode,
  encodedChunkFormat,
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
  PLACEMENT_PATTERN,
  LABEL_RUN,
  LABEL_NODE,
  LABEL_TASK,
  LABEL_VIA,
  taskParams,
  type TaskParams,
} from './common.js';
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
export { safeName, workDir, outputDir, locate, assertRunPath, type Via } from './paths.js';
export { chunkFormatForCodec, type ChunkFormat } from './formats.js';
export * from './constraints/index.js';
/** Test helpers, for this package's tests and others'. */
export { compileNode, videoToken, chunkToken, type CompileOptions } from './testing.js';

/** Every node type of the library, in palette order. */
export const nodeTypes = [source, split, transfer, encode, merge, stream, probe, quality] as const;

/** The library of node types that validation, simulation and the runtime look types up in. */
export const library: NodeLibrary = createLibrary(withConstraints(nodeTypes));
