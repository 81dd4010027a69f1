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

describe('stream of a ladder', () => {
  const rung = (i: number) =>
    videoToken({ id: `m${i}`, path: `work/m${i}/output.mp4`, durationSeconds: 6 });
  const audio = videoToken({ id: 'aud', dataType: 'audio', path: 'work/aud/audio.m4a' });
  const ladder = (params: unknown, inputs: ReturnType<typeof videoToken>[]) =>
    compileNode(stream, params, { nodeId: 'out', inputs });

  it('writes one HLS variant per video input, each with its own audio, and asks for a master', () => {
    const specs = ladder({}, [rung(0), rung(1), rung(2)]);
    expect(specs.map((s) => s.key)).toEqual(['out:0/v0', 'out:0/v1', 'out:0/v2']);
    expect(specs.map((s) => s.labels['reelflow.task'])).toEqual(specs.map((s) => s.key));
    expect(specs[1]!.argv).toEqual(
      expect.arrayContaining(['-i', '/run/work/m1/output.mp4', '-map', '0:v:0', '-map', '0:a:0?']),
    );
    expect(specs[1]!.argv.at(-1)).toBe('/run/outputs/out/v1/index.m3u8');
    expect(specs[1]!.argv).toContain('/run/outputs/out/v1/segment_%05d.ts');
    expect(specs[1]!.inputs).toEqual([rung(1)]);
    expect(specs[0]!.master).toEqual({
      path: 'outputs/out/master.m3u8',
      variants: [0, 1, 2].map((i) => `outputs/out/v${i}/index.m3u8`),
    });
    expect(specs.slice(1).every((s) => s.master === undefined)).toBe(true);
  });

  it('carries an audio input once as its own rendition; the variants are video only', () => {
    const specs = ladder({}, [rung(0), rung(1), audio]);
    expect(specs.map((s) => s.key)).toEqual(['out:0/v0', 'out:0/v1', 'out:0/audio']);
    expect(specs[0]!.argv).not.toContain('0:a:0?');
    expect(specs[2]!.argv).toEqual(
      expect.arrayContaining(['-i', '/run/work/aud/audio.m4a', '-map', '0:a:0']),
    );
    expect(specs[2]!.argv.at(-1)).toBe('/run/outputs/out/audio/index.m3u8');
    expect(specs[0]!.master?.audio).toBe('outputs/out/audio/index.m3u8');
  });

  it('makes one DASH manifest with a Representation per rendition', () => {
    const [spec, ...rest] = ladder({ format: 'dash', segmentSeconds: 2 }, [
      rung(0),
      rung(1),
      audio,
    ]);
    expect(rest).toEqual([]);
    // prettier-ignore
    expect(spec!.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-i', '/run/work/m0/output.mp4', '-i', '/run/work/m1/output.mp4', '-i', '/run/work/aud/audio.m4a',
      '-map', '0:v:0', '-map', '1:v:0', '-map', '2:a:0', '-c', 'copy',
      '-progress', 'pipe:1', '-nostats',
      '-f', 'dash', '-seg_duration', '2', '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
      '/run/outputs/out/manifest.mpd',
    ]);
    expect(spec!.master).toBeUndefined();
  });

  it('with cmaf writes fMP4 once with both manifests; audio from the first video if no input', () => {
    const [spec] = ladder({ cmaf: true }, [rung(0), rung(1)]);
    expect(spec!.argv).toEqual(expect.arrayContaining(['-map', '0:a:0?', '-hls_playlist', '1']));
    expect(spec!.master).toEqual({
      path: 'outputs/out/master.m3u8',
      variants: ['outputs/out/media_0.m3u8', 'outputs/out/media_1.m3u8'],
      audio: 'outputs/out/media_2.m3u8',
      audioOptional: true,
    });
  });

  it('refuses a firing without a video, or with two audio tracks', () => {
    expect(() => ladder({}, [audio])).toThrow(/one or more videos/);
    expect(() => ladder({}, [rung(0), audio, audio])).toThrow(/at most one audio/);
  });

  it('gathers its inputs: many videos on `in`, one optional audio', () => {
    expect(stream.firing).toBe('gather');
    expect(stream.ports.map((p) => [p.name, p.dataType, p.multiplicity, p.required])).toEqual([
      ['in', 'video', 'many', true],
      ['audio', 'audio', 'one', false],
    ]);
  });
});
