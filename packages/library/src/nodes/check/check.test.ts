import { describe, expect, it } from 'vitest';
import type { SourceMedia } from '@reelflow/fbp-model';
import { compileNode, videoToken } from '../../testing.js';
import { check, compareWithSource, parseCheckReport } from './index.js';

const SOURCE: SourceMedia = {
  durationSeconds: 8,
  frames: 200,
  frameRate: 25,
  videoStartSeconds: 0,
  audio: { channels: 1, startSeconds: 0 },
};

const report = (frames: number, duration: number, audioStart?: number) =>
  JSON.stringify({
    streams: [
      {
        index: 0,
        codec_type: 'video',
        start_time: '0.000000',
        nb_read_frames: String(frames),
        avg_frame_rate: '25/1',
      },
      ...(audioStart === undefined
        ? []
        : [{ index: 1, codec_type: 'audio', start_time: String(audioStart) }]),
    ],
    format: { duration: String(duration), start_time: '0.000000' },
  });

describe('check', () => {
  it('decodes every stream of the output with ffprobe -count_frames into a report', () => {
    const [spec] = compileNode(
      check,
      {},
      { nodeId: 'chk', inputs: [videoToken({ path: 'work/merge/output.mp4' })] },
    );
    expect(spec!.argv.slice(0, 5)).toEqual([
      'ffprobe',
      '-hide_banner',
      '-v',
      'error',
      '-count_frames',
    ]);
    expect(spec!.argv.at(-1)).toBe('/run/work/merge/output.mp4');
    expect(spec!.reports).toEqual(['outputs/chk/check.json']);
  });

  it('passes within one frame of the source', () => {
    const out = parseCheckReport(report(201, 8.039, 0.039));
    expect(compareWithSource(out, SOURCE, true).problems).toEqual([]);
  });

  it('names each mismatch beyond one frame', () => {
    const { problems } = compareWithSource(parseCheckReport(report(75, 3.0, 0.05)), SOURCE, true);
    expect(problems).toEqual([
      "frame count 75 differs from the source's 200",
      "duration 3.000 s differs from the source's 8.000 s by more than one frame (0.040 s)",
      "audio starts 0.050 s after the video, the source's 0.000 s: off by more than one frame",
    ]);
    expect(compareWithSource(parseCheckReport(report(200, 8)), SOURCE, true).problems).toEqual([
      'the output has no audio stream but the source has',
    ]);
    expect(compareWithSource(parseCheckReport(report(200, 8)), SOURCE, false).problems).toEqual([]);
  });

  it('reviews into an info diagnostic, or an error diagnostic and a failure', () => {
    const ctx = (text: string, source: SourceMedia | null = SOURCE) => ({
      runId: 'r',
      node: { id: 'chk', type: 'check', params: {} },
      params: check.params.parse({}),
      inputs: [videoToken()],
      index: 0,
      storage: { root: '/run' },
      image: 'img',
      round: 0,
      reports: { 'outputs/chk/check.json': text },
      ...(source === null ? {} : { source }),
    });
    expect(check.review!(ctx(report(200, 8, 0)))).toEqual({
      diagnostics: [
        expect.objectContaining({
          code: 'output-check',
          severity: 'info',
          element: { kind: 'node', id: 'chk' },
        }),
      ],
    });
    const failed = check.review!(ctx(report(100, 4, 0)));
    expect(failed.fail).toMatch(/^output-check: frame count 100/);
    expect(failed.diagnostics![0]).toMatchObject({ code: 'output-check', severity: 'error' });
    expect(check.review!(ctx('not json')).fail).toMatch(/not JSON/);
    expect(check.review!(ctx(report(200, 8, 0), null)).fail).toMatch(/no probe of its input/);
  });
});
