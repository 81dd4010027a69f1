import { describe, expect, it } from 'vitest';
import type { Calibration, FilterStep, Token } from '@reelflow/fbp-model';
import { chunkToken, compileNode } from './testing.js';
import { encode } from './index.js';

const IMAGE = '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b';
const step = (type: string, params: Record<string, unknown> = {}, node = type): FilterStep => ({
  node,
  type,
  params,
});
const filtered = (...filters: FilterStep[]): Token => ({ ...chunkToken(1), filters });
const argvOf = (token: Token, params: unknown = {}) =>
  compileNode(encode, params, { nodeId: 'enc', inputs: [token], index: 1 })[0]!.argv;
const after = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('filters fused into the encode', () => {
  it('puts a chain of filters in -vf before the encode’s own scale', () => {
    const argv = argvOf(
      filtered(step('scale', { width: 1280 }), step('crop', { width: 640, height: 360 })),
      { width: 320 },
    );
    expect(after(argv, '-vf')).toBe(
      'scale=w=(iw+1280-abs(iw-1280))/2:h=-2,crop=w=640:h=360,scale=(iw+320-abs(iw-320))/2:-2',
    );
    expect(after(argv, '-map')).toBe('0:v:0');
    expect(argv.filter((a) => a === '-i')).toHaveLength(1);
  });

  it('builds a -filter_complex with the image as a second input for a watermark', () => {
    const argv = argvOf(
      filtered(
        step('scale', { width: 640 }),
        step('watermark', { image: IMAGE, opacity: 0.5 }, 'wm'),
        step('text', {}),
      ),
    );
    // prettier-ignore
    expect(argv.slice(argv.indexOf('-i'), argv.indexOf('-c:v'))).toEqual([
      '-i', '/run/work/split/chunk_00001.ts',
      '-i', `/run/assets/${IMAGE}`,
      '-map', '[vout]', '-map', '0:a:0?',
      '-filter_complex',
      '[0:v]scale=w=(iw+640-abs(iw-640))/2:h=-2[v0];' +
        '[1:v]format=rgba,colorchannelmixer=aa=0.5[i0];' +
        '[v0][i0]overlay=x=W-w-16:y=H-h-16:format=auto[v1];' +
        '[v1]drawtext=text=%{pts\\\\:hms\\\\:10}:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=8:x=w-tw-16:y=h-th-16[vout]',
    ]);
  });

  it('reads the image over HTTP when the chunk comes over HTTP', () => {
    const token = { ...filtered(step('watermark', { image: IMAGE })), via: 'http' as const };
    expect(argvOf(token)).toContain(`http://127.0.0.1:8080/api/runs/run-1/files/assets/${IMAGE}`);
  });

  it('passes the video through null where an overlay comes first and nothing follows', () => {
    const argv = argvOf(filtered(step('watermark', { image: IMAGE })));
    expect(after(argv, '-filter_complex')).toBe(
      '[0:v]null[v0];[1:v]format=rgba,colorchannelmixer=aa=1[i0];[v0][i0]overlay=x=W-w-16:y=H-h-16:format=auto[v1];[v1]null[vout]',
    );
  });

  it('keeps hardware upload last, after the filters', () => {
    const argv = argvOf(filtered(step('crop', { width: 640, height: 360 })), {
      implementation: 'hardware',
    });
    expect(after(argv, '-vf')).toBe('crop=w=640:h=360,format=nv12,hwupload');
  });

  it('validates every step again and names the node on a bad one', () => {
    expect(() => argvOf(filtered(step('scale', { width: 'iw,drawtext' }, 'big')))).toThrow(
      /scale node "big": params\.width/,
    );
    expect(() => argvOf(filtered(step('movie', {}, 'm')))).toThrow(/not a video filter/);
  });

  it('charges the filters’ work to the encode’s estimate', () => {
    const calibration: Calibration = {
      encodeSecondsPerSecond: 1,
      copySecondsPerSecond: 0.02,
      taskOverheadSeconds: 0,
    };
    const p = encode.params.parse({});
    const plain = encode.estimateSeconds(p, { durationSeconds: 10 }, calibration);
    const scaled = encode.estimateSeconds(
      p,
      { durationSeconds: 10, filters: [step('scale', { width: 640 })] },
      calibration,
    );
    const nlmeans = encode.estimateSeconds(
      p,
      { durationSeconds: 10, filters: [step('denoise', { method: 'nlmeans' })] },
      calibration,
    );
    expect(scaled / plain).toBeCloseTo(1.05, 9);
    expect(nlmeans / plain).toBeCloseTo(5, 9);
  });
});

describe('the encode’s cost after fused filters', () => {
  const calibration: Calibration = {
    encodeSecondsPerSecond: 1,
    copySecondsPerSecond: 0.02,
    taskOverheadSeconds: 0,
  };
  const p = encode.params.parse({});
  const seconds = (filters: FilterStep[]) =>
    encode.estimateSeconds(
      p,
      { durationSeconds: 10, width: 3840, height: 2160, filters },
      calibration,
    );

  it('counts the pixels the filters leave: 4K scaled to 720 lines costs a ninth, plus the scale', () => {
    const ratio = seconds([step('scale', { height: 720 })]) / seconds([]);
    expect(ratio).toBeCloseTo((1 / 9) * 1.05, 9);
  });

  it('follows crop and pad sizes, and never scales up unless allowed', () => {
    const crop = seconds([step('crop', { width: 1280, height: 720 })]) / seconds([]);
    expect(crop).toBeCloseTo((1 / 9) * 1.01, 9);
    const up = seconds([step('scale', { width: 7680 })]) / seconds([]);
    expect(up).toBeCloseTo(1.05, 9);
    const allowed = seconds([step('scale', { width: 7680, upscale: 'allow' })]) / seconds([]);
    expect(allowed).toBeCloseTo(4 * 1.05, 9);
    const padded = seconds([
      step('crop', { width: 1280, height: 720 }),
      step('pad', { width: 1920, height: 1080 }),
    ]);
    expect(padded / seconds([])).toBeCloseTo((1 / 4) * 1.03, 9);
  });
});
