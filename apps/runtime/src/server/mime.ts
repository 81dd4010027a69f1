import { extname } from 'node:path';

/**
 * Content types of media outputs. Spelled out because generic tables disagree (`.ts` is
 * TypeScript to some of them) and players are strict about HLS and DASH types.
 */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.mpd': 'application/dash+xml',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/** The content type of an output file, or undefined to let the default table decide. */
export const mediaType = (path: string): string | undefined =>
  MEDIA_TYPES[extname(path).toLowerCase()];
