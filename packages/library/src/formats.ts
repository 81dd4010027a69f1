/**
 * Chunk containers. A chunk must (a) join exactly with the concat demuxer and stream copy and
 * (b) be writable to a non-seekable output (an HTTP PUT). MPEG-TS does both for H.264/H.265;
 * it cannot carry VP9 or AV1 (ffmpeg writes them as opaque data), so those go into Matroska,
 * which also writes without seeking (it just omits the cue index).
 */
export interface ChunkFormat {
  readonly ext: 'ts' | 'mkv';
  readonly muxer: 'mpegts' | 'matroska';
}

export const TS: ChunkFormat = { ext: 'ts', muxer: 'mpegts' };
export const MKV: ChunkFormat = { ext: 'mkv', muxer: 'matroska' };

/** Codecs (ffprobe names) MPEG-TS carries and HLS players accept. */
const TS_VIDEO_CODECS = new Set(['h264', 'hevc', 'h265', 'mpeg2video', 'mpeg1video']);

/** The chunk container for a video codec; an unknown codec is assumed to be the common H.264. */
export function chunkFormatForCodec(codec: string | undefined): ChunkFormat {
  return codec === undefined || TS_VIDEO_CODECS.has(codec.toLowerCase()) ? TS : MKV;
}

/** The chunk container a path already uses; anything but `.ts` is re-muxed into Matroska. */
export function chunkFormatOfPath(path: string): ChunkFormat {
  return path.toLowerCase().endsWith('.ts') ? TS : MKV;
}
