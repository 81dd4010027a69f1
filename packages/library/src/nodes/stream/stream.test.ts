import { describe, expect, it } from 'vitest';
import { compileNode, videoToken } from '../../testing.js';
import { stream } from './index.js';

const video = videoToken({ path: 'work/merge/output.mp4', durationSeconds: 30 });
const compile = (params: unknown, token = video) =>
  compileNode(stream, params, { nodeId: 'out', inputs: [token] })[0]!;

describe('stream', () => {
  it('defaults to HLS with 4 s segments', () => {
    expect(stream.params.parse({})).toMatchObject({ format: 'hls', segmentSeconds: 4 });
  });

  it('packages HLS by stream copy into outputs/<node>/', () => {
    const spec = compile({ segmentSeconds: 6 });
    // prettier-ignore
    expect(spec.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-i', '/run/work/merge/output.mp4',
      '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
      '-progress', 'pipe:1', '-nostats',
      '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod',
      '-hls_segment_filename', '/run/outputs/out/segment_%05d.ts',
      '/run/outputs/out/index.m3u8',
    ]);
    expect(spec.outputs).toEqual([
      { kind: 'file', path: 'outputs/out/index.m3u8', dataType: 'video' },
    ]);
    expect(spec.labels['reelflow.via']).toBeUndefined();
  });

  it('uses fragmented MP4 segments for VP9/AV1', () => {
    const argv = compile({}, { ...video, codec: 'vp9' }).argv;
    expect(argv).toEqual(expect.arrayContaining(['-hls_segment_type', 'fmp4']));
    expect(argv).toContain('/run/outputs/out/segment_%05d.m4s');
  });

  it('packages DASH into manifest.mpd', () => {
    const spec = compile({ format: 'dash', segmentSeconds: 2 });
    expect(spec.argv.slice(-5)).toEqual([
      '-f',
      'dash',
      '-seg_duration',
      '2',
      '/run/outputs/out/manifest.mpd',
    ]);
    expect(spec.outputs[0]).toMatchObject({ path: 'outputs/out/manifest.mpd' });
  });

  it('uploads with PUT when its input came over HTTP', () => {
    const argv = compile({}, { ...video, via: 'http' }).argv;
    expect(argv).toEqual(expect.arrayContaining(['-method', 'PUT']));
    expect(argv.at(-1)).toBe('http://127.0.0.1:8080/api/runs/run-1/files/outputs/out/index.m3u8');
  });

  it.each([
    { format: 'smooth' },
    { segmentSeconds: 0 },
    { segmentSeconds: 61 },
    { segmentSeconds: 2.5 },
  ])('rejects %o', (p) => expect(stream.params.safeParse(p).success).toBe(false));
});
