import { describe, expect, it } from 'vitest';
import type { ReviewContext } from '@reelflow/fbp-model';
import { compileNode, videoToken } from '../../testing.js';
import {
  parseFrameTimes,
  thumbnailTrack,
  thumbnails,
  vttTime,
  type ThumbnailsParams,
} from './index.js';

describe('thumbnails', () => {
  it('tiles the first frame of every interval and takes the poster from a seeked input', () => {
    const [spec] = compileNode(
      thumbnails,
      { intervalSeconds: 5, columns: 4, rows: 3, width: 160 },
      { nodeId: 'th', inputs: [videoToken({ width: 1920, height: 1080, durationSeconds: 60 })] },
    );
    const graph = spec!.argv[spec!.argv.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain(
      "select='isnan(prev_selected_t)+gt(floor(t/5),floor(prev_selected_t/5))'",
    );
    expect(graph).toContain('metadata=mode=print:file=/run/work/th/frames.txt');
    expect(graph).toContain('scale=160:90:force_original_aspect_ratio=decrease,pad=160:90');
    expect(graph).toContain('tile=4x3[sheets]');
    expect(spec!.argv.slice(spec!.argv.indexOf('-ss'), spec!.argv.indexOf('-ss') + 2)).toEqual([
      '-ss',
      '20',
    ]);
    expect(spec!.argv).toContain('/run/outputs/th/sprites/sprite_%03d.jpg');
    expect(spec!.argv.at(-1)).toBe('/run/outputs/th/poster.jpg');
    expect(spec!.reports).toEqual(['work/th/frames.txt']);
  });

  it('escapes a storage root with filtergraph characters in the report path', () => {
    const [spec] = compileNode(
      thumbnails,
      {},
      { inputs: [videoToken()], storage: { root: "/d:a,t[a]'x" } },
    );
    const graph = spec!.argv[spec!.argv.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain(String.raw`file=/d\\:a\,t\[a\]\\\'x/work/thumbnails/frames.txt`);
  });

  it('writes one cue per thumbnail taken, with #xywh= tiles across sheets', () => {
    const times = parseFrameTimes(
      'frame:0    pts:0       pts_time:0\nreelflow.thumb=1\nframe:1    pts:3 pts_time:3.04\nframe:2 pts:6 pts_time:6\n',
    );
    expect(times).toEqual([0, 3.04, 6]);
    const vtt = thumbnailTrack(times, {
      intervalSeconds: 3,
      columns: 2,
      rows: 1,
      width: 96,
      height: 54,
      durationSeconds: 7.5,
    });
    expect(vtt).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nsprites/sprite_001.jpg#xywh=0,0,96,54\n\n' +
        '00:00:03.000 --> 00:00:06.000\nsprites/sprite_001.jpg#xywh=96,0,96,54\n\n' +
        '00:00:06.000 --> 00:00:07.500\nsprites/sprite_002.jpg#xywh=0,0,96,54\n',
    );
    expect(vttTime(3723.4567)).toBe('01:02:03.457');
  });

  it('reviews into the track file, and fails when no thumbnail was taken', () => {
    const params = thumbnails.params.parse({ intervalSeconds: 2 });
    const base: Omit<ReviewContext<ThumbnailsParams>, 'reports'> = {
      runId: 'r',
      node: { id: 'th', type: 'thumbnails', params: {} },
      params,
      inputs: [videoToken({ durationSeconds: 4, width: 640, height: 360 })],
      index: 0,
      storage: { root: '/run' },
      image: 'img',
      round: 0,
    };
    const ok = thumbnails.review!({
      ...base,
      reports: { 'work/th/frames.txt': 'frame:0 pts:0 pts_time:0\nframe:1 pts:2 pts_time:2\n' },
    });
    expect(ok.files).toEqual([
      { path: 'outputs/th/thumbnails.vtt', content: expect.stringContaining('#xywh=160,0,160,90') },
    ]);
    expect(thumbnails.review!({ ...base, reports: {} }).fail).toMatch(/no thumbnail/);
  });
});
