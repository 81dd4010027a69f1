import { describe, expect, it } from 'vitest';
import { hlsPlaylist } from './index.js';

describe('hlsPlaylist', () => {
  const segments = [
    { uri: 'chunk_00000.ts', duration: 4.021333 },
    { uri: 'chunk_00001.ts', duration: 4.5 },
  ];

  it('lists the chunks of a live run as an EVENT playlist without an end', () => {
    expect(hlsPlaylist(segments, false)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:5',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:EVENT',
        '#EXTINF:4.021333,',
        'chunk_00000.ts',
        '#EXTINF:4.500000,',
        'chunk_00001.ts',
        '',
      ].join('\n'),
    );
  });

  it('ends the playlist when the last chunk is in', () => {
    expect(hlsPlaylist(segments, true).endsWith('chunk_00001.ts\n#EXT-X-ENDLIST\n')).toBe(true);
    expect(hlsPlaylist([], false)).toContain('#EXT-X-TARGETDURATION:1');
  });

  it('refuses a URI that would inject playlist lines', () => {
    expect(() => hlsPlaylist([{ uri: 'a.ts\n#EXT-X-ENDLIST', duration: 1 }], false)).toThrow(/URI/);
    expect(() => hlsPlaylist([{ uri: 'a.ts', duration: Number.NaN }], false)).toThrow(/duration/);
  });
});
