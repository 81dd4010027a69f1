import { describe, expect, it } from 'vitest';
import {
  avcCodecString,
  codecString,
  frameRate,
  hlsPlaylist,
  masterPlaylist,
  measureBandwidth,
  parseHexDump,
  parseMediaPlaylist,
} from './index.js';

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

describe('parseMediaPlaylist', () => {
  it('reads segments and the fMP4 init segment, skipping tags between EXTINF and its URI', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MAP:URI="init-stream0.m4s"',
      '#EXTINF:4.000000,',
      '#EXT-X-PROGRAM-DATE-TIME:2026-12-04T15:46:46.000+0000',
      'chunk-stream0-00001.m4s',
      '#EXTINF:2.5,',
      'chunk-stream0-00002.m4s',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual({
      map: 'init-stream0.m4s',
      segments: [
        { uri: 'chunk-stream0-00001.m4s', duration: 4 },
        { uri: 'chunk-stream0-00002.m4s', duration: 2.5 },
      ],
    });
  });

  it('refuses what is not a media playlist', () => {
    expect(() => parseMediaPlaylist('<MPD/>')).toThrow(/#EXTM3U/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXTINF:x,\na.ts')).toThrow(/duration/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXTINF:1,\n')).toThrow(/no segment URI/);
  });
});

describe('measureBandwidth', () => {
  it('gives the peak segment bit rate and the average over all segments, in bit/s', () => {
    const m = measureBandwidth([
      { duration: 2, bytes: 250_000 }, // 1,000,000 bit/s
      { duration: 2, bytes: 500_000 }, // 2,000,000 bit/s
      { duration: 1, bytes: 50_000 }, //    400,000 bit/s
    ]);
    expect(m).toEqual({ peak: 2_000_000, average: Math.ceil((800_000 * 8) / 5) });
    expect(() => measureBandwidth([])).toThrow(/no segment/);
  });
});

describe('codec strings (RFC 6381)', () => {
  // ffprobe -show_data of an x264 Constrained Baseline 3.0 stream in MPEG-TS (Annex B).
  const annexB =
    '\n00000000: 0000 0167 42c0 1eda 0280 bfe5 c044 0000  ...gB........D..\n' +
    '00000010: 0300 0400 0003 00f0 3c58 ba80 0000 0001  ........<X......\n' +
    '00000020: 68ce 0fc8                                h...\n';

  it('reads profile, constraint flags and level from the SPS (TS) or the avcC record (MP4)', () => {
    expect(parseHexDump(annexB).slice(0, 7)).toEqual([0, 0, 1, 0x67, 0x42, 0xc0, 0x1e]);
    expect(avcCodecString(parseHexDump(annexB))).toBe('avc1.42c01e');
    expect(avcCodecString([1, 0x64, 0x00, 0x1f, 0xff])).toBe('avc1.64001f');
    expect(codecString({ codec_name: 'h264', extradata: annexB })).toBe('avc1.42c01e');
    expect(codecString({ codec_name: 'h264' })).toBeUndefined();
  });

  it('names HEVC, AAC and the others from what ffprobe reports', () => {
    expect(codecString({ codec_name: 'hevc', profile: 'Main', level: 93 })).toBe('hvc1.1.6.L93.B0');
    expect(codecString({ codec_name: 'hevc', profile: 'Main 10', level: 120 })).toBe(
      'hvc1.2.4.L120.B0',
    );
    expect(codecString({ codec_name: 'aac', profile: 'LC' })).toBe('mp4a.40.2');
    expect(codecString({ codec_name: 'aac', profile: 'HE-AAC' })).toBe('mp4a.40.5');
    expect(codecString({ codec_name: 'opus' })).toBe('Opus');
    expect(codecString({ codec_name: 'mystery' })).toBeUndefined();
    expect(frameRate({ avg_frame_rate: '30000/1001' })).toBe(29.97);
    expect(frameRate({ avg_frame_rate: '0/0', r_frame_rate: '25/1' })).toBe(25);
  });
});

describe('masterPlaylist', () => {
  const variant = (uri: string, bandwidth: number, height: number) => ({
    uri,
    bandwidth,
    averageBandwidth: Math.round(bandwidth * 0.8),
    codecs: ['avc1.64001f'],
    width: (height * 16) / 9,
    height,
    frameRate: 30,
  });

  it('orders variants by bandwidth and adds the shared audio group to each', () => {
    const text = masterPlaylist(
      [variant('v0/index.m3u8', 5_000_000, 1080), variant('v1/index.m3u8', 1_000_000, 360)],
      {
        uri: 'audio/index.m3u8',
        groupId: 'audio',
        name: 'audio',
        codecs: ['mp4a.40.2'],
        bandwidth: 130_000,
        averageBandwidth: 128_000,
      },
    );
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1130000,AVERAGE-BANDWIDTH=928000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO="audio"',
      'v1/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=5130000,AVERAGE-BANDWIDTH=4128000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=30.000,AUDIO="audio"',
      'v0/index.m3u8',
      '',
    ]);
  });

  it('refuses an empty ladder and URIs that would break the playlist', () => {
    expect(() => masterPlaylist([])).toThrow(/at least one variant/);
    expect(() => masterPlaylist([variant('a.m3u8"\n#X', 1, 360)])).toThrow(/URI/);
  });
});
