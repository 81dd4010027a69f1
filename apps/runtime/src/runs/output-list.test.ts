import { describe, expect, it } from 'vitest';
import { outputKind } from '@reelflow/fbp-model';
import { playlistSeconds } from './output-list.js';

describe('output listing', () => {
  it('tells outputs apart by name', () => {
    expect(outputKind('merge/out.mp4')).toBe('video');
    expect(outputKind('out/index.m3u8')).toBe('playlist');
    expect(outputKind('out/master.m3u8')).toBe('playlist');
    expect(outputKind('out/manifest.mpd')).toBe('manifest');
    expect(outputKind('out/segment_00001.ts')).toBe('segment');
    expect(outputKind('out/init.mp4')).toBe('segment');
    expect(outputKind('out/init-stream0.m4s')).toBe('segment');
    expect(outputKind('thumbs/poster.JPG')).toBe('image');
    expect(outputKind('thumbs/thumbnails.vtt')).toBe('subtitles');
    expect(outputKind('README')).toBe('other');
  });

  it('sums a media playlist, and gives no length to a master playlist', () => {
    expect(playlistSeconds('#EXTM3U\n#EXTINF:4.000000,\na.ts\n#EXTINF:2.5,\nb.ts\n')).toBe(6.5);
    expect(
      playlistSeconds('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n720p/index.m3u8\n'),
    ).toBeUndefined();
    expect(playlistSeconds('')).toBeUndefined();
  });
});
