import { describe, expect, it } from 'vitest';
import { compileNode, videoToken } from '../../testing.js';
import { split } from './index.js';

const argvOf = (params: unknown, token = videoToken()) =>
  compileNode(split, params, { inputs: [token] })[0]!.argv;

describe('split', () => {
  it('has defaults for every parameter', () => {
    expect(split.params.parse({})).toEqual({
      segmentSeconds: 10,
      segments: 0,
      retries: 2,
      cpus: 0.25,
      memoryMb: 512,
      placement: [],
    });
  });

  it('compiles to one segment-muxer task with stream copy, keyframe cuts and a CSV segment list', () => {
    const [spec] = compileNode(split, { segmentSeconds: 6 }, { inputs: [videoToken()] });
    // prettier-ignore
    expect(spec!.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-i', '/run/input/source.mp4',
      '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
      '-f', 'segment', '-segment_format', 'mpegts', '-segment_time', '6',
      '-reset_timestamps', '1',
      '-segment_list', '/run/work/split/segments.csv', '-segment_list_type', 'csv',
      '-progress', 'pipe:1', '-nostats',
      '/run/work/split/chunk_%05d.ts',
    ]);
    expect(spec!.outputs).toEqual([
      {
        kind: 'dir',
        dir: 'work/split',
        suffix: '.ts',
        dataType: 'chunk',
        segmentList: 'work/split/segments.csv',
      },
    ]);
    expect(spec!.reportsProgress).toBe(true);
    expect(spec!.durationSeconds).toBe(60);
  });

  it('divides the known duration by `segments`', () => {
    const argv = argvOf({ segments: 4 }, videoToken({ durationSeconds: 30 }));
    expect(argv[argv.indexOf('-segment_time') + 1]).toBe('7.5');
  });

  it('refuses `segments` when the duration is unknown, naming the node', () => {
    expect(() => argvOf({ segments: 4 }, videoToken({ durationSeconds: undefined }))).toThrow(
      /"split".*duration/,
    );
  });

  it('cuts VP9 or AV1 sources into Matroska, which MPEG-TS cannot carry', () => {
    const argv = argvOf({}, videoToken({ codec: 'vp9', path: 'input/a.webm' }));
    expect(argv).toContain('matroska');
    expect(argv.at(-1)).toBe('/run/work/split/chunk_%05d.mkv');
  });

  it('escapes % in the storage root so the pattern stays one %05d', () => {
    const [spec] = compileNode(
      split,
      {},
      { inputs: [videoToken()], storage: { root: '/data/100%' } },
    );
    expect(spec!.argv.at(-1)).toBe('/data/100%%/work/split/chunk_%05d.ts');
  });

  it('reads and writes over HTTP when its input comes that way', () => {
    const argv = argvOf({}, videoToken({ via: 'http' }));
    expect(argv).toContain('http://127.0.0.1:8080/api/runs/run-1/files/input/source.mp4');
    expect(argv.slice(-3)).toEqual([
      '-method',
      'PUT',
      'http://127.0.0.1:8080/api/runs/run-1/files/work/split/chunk_%05d.ts',
    ]);
  });

  it.each([
    { segmentSeconds: 0 },
    { segmentSeconds: 4000 },
    { segments: 1001 },
    { segments: 1.5 },
    { extra: 1 },
  ])('rejects %o', (params) => expect(split.params.safeParse(params).success).toBe(false));
});
