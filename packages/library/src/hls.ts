/** One media segment of an HLS playlist. */
export interface HlsSegment {
  readonly uri: string;
  readonly duration: number;
}

/**
 * An HLS media playlist over already-encoded chunks, for incremental playback while a run is
 * still encoding. The playlist is of type EVENT (segments are only ever appended); `ended`
 * adds `#EXT-X-ENDLIST` once the last chunk is in.
 */
export function hlsPlaylist(segments: readonly HlsSegment[], ended: boolean): string {
  for (const s of segments) {
    if (/[\r\n]/.test(s.uri) || s.uri.trim() === '')
      throw new Error(`Invalid HLS segment URI ${JSON.stringify(s.uri)}`);
    if (!Number.isFinite(s.duration) || s.duration < 0)
      throw new Error(`Invalid HLS segment duration ${s.duration}`);
  }
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    ...segments.flatMap((s) => [`#EXTINF:${s.duration.toFixed(6)},`, s.uri]),
    ...(ended ? ['#EXT-X-ENDLIST'] : []),
  ];
  return `${lines.join('\n')}\n`;
}
