import { describe, expect, it } from 'vitest';
import type { Calibration } from '@reelflow/fbp-model';
import { chunkToken, compileNode } from '../../testing.js';
import { CODECS, encode, PRESETS, type EncodeParams } from './index.js';

const compile = (params: unknown, token = chunkToken(2)) =>
  compileNode(encode, params, { nodeId: 'enc', inputs: [token], index: 2 })[0]!;
const after = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('encode parameters', () => {
  it('defaults to software H.264, veryfast, crf 23, a keyframe every 2 s, size kept', () => {
    expect(encode.params.parse({})).toEqual({
      codec: 'h264',
      preset: 'veryfast',
      crf: 23,
      keyframeSeconds: 2,
      upscale: 'never',
      implementation: 'software',
      retries: 2,
      cpus: 0.5,
      memoryMb: 1024,
      placement: [],
    });
  });

  it.each([
    [{ codec: 'h264', crf: 52 }, 'crf'],
    [{ codec: 'vp9', crf: 64 }, 'crf'],
    [{ crf: 22.5 }, 'crf'],
    [{ width: 641 }, 'width'],
    [{ height: 8 }, 'height'],
    [{ bitrateKbps: 10 }, 'bitrateKbps'],
    [{ codec: 'av1', implementation: 'hardware' }, 'implementation'],
    [{ codec: 'mpeg4' }, 'codec'],
    [{ preset: 'insane' }, 'preset'],
  ])('rejects %o at params.%s', (params, property) => {
    const result = encode.params.safeParse(params);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(property);
  });

  it('accepts crf up to 63 for vp9 and av1', () => {
    expect(encode.params.safeParse({ codec: 'av1', crf: 63 }).success).toBe(true);
  });
});

describe('encode argv', () => {
  it('compiles the default to a closed-GOP libx264 encode on the source timeline', () => {
    const spec = compile({});
    // prettier-ignore
    expect(spec.argv).toEqual([
      'ffmpeg', '-hide_banner', '-nostdin', '-y',
      '-threads', '1',
      '-i', '/run/work/split/chunk_00002.ts',
      '-map', '0:v:0', '-map', '0:a:0?',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
      '-threads', '1',
      '-flags', '+cgop', '-force_key_frames', 'expr:if(eq(n,0),1,gte(t-prev_forced_t,2))',
      '-fps_mode', 'passthrough', '-enc_time_base:v', '-1', '-avoid_negative_ts', 'disabled',
      '-output_ts_offset', '20',
      '-af', 'aresample=async=1:first_pts=0', '-c:a', 'aac', '-b:a', '128k',
      '-progress', 'pipe:1', '-nostats',
      '-f', 'mpegts', '/run/work/enc/chunk_00002.ts',
    ]);
    expect(spec.reportsProgress).toBe(true);
    expect(spec.durationSeconds).toBe(10);
    expect(spec.outputs).toEqual([
      { kind: 'file', path: 'work/enc/chunk_00002.ts', dataType: 'chunk' },
    ]);
    expect(spec.resources).toEqual({ cpus: 0.5, memoryBytes: 1024 * 1024 * 1024 });
  });

  it('decodes and encodes with as many threads as the task has cores', () => {
    for (const [cpus, threads] of [
      [0.25, '1'],
      [0.5, '1'],
      [1, '1'],
      [2, '2'],
      [3.6, '4'],
    ] as const) {
      const argv = compile({ cpus }).argv;
      const at = argv.flatMap((a, i) => (a === '-threads' ? [i] : []));
      expect(at).toHaveLength(2);
      expect(at.map((i) => argv[i + 1])).toEqual([threads, threads]);
      // One before the input (the decoder), one after it (the encoder).
      expect(at[0]).toBeLessThan(argv.indexOf('-i'));
      expect(at[1]).toBeGreaterThan(argv.indexOf('-i'));
      expect(encode.cores(encode.params.parse({ cpus }))).toBe(Number(threads));
    }
  });

  const scales = [{}, { width: 1280 }, { height: 720 }, { width: 640, height: 360 }];
  const rates = [{}, { bitrateKbps: 2500 }];
  const combos = CODECS.flatMap((codec) =>
    (['software', 'hardware'] as const)
      .filter((implementation) => !(codec === 'av1' && implementation === 'hardware'))
      .flatMap((implementation) =>
        scales.flatMap((scale) =>
          rates.map((rate) => ({ codec, implementation, ...scale, ...rate })),
        ),
      ),
  );

  it('scales up only with upscale: allow; the default caps each side at the source', () => {
    expect(after(compile({ height: 720 }).argv, '-vf')).toBe('scale=-2:(ih+720-abs(ih-720))/2');
    expect(after(compile({ width: 640, height: 360 }).argv, '-vf')).toBe(
      'scale=(iw+640-abs(iw-640))/2:(ih+360-abs(ih-360))/2',
    );
    expect(after(compile({ height: 720, upscale: 'allow' }).argv, '-vf')).toBe('scale=-2:720');
    expect(encode.params.safeParse({ upscale: 'sometimes' }).success).toBe(false);
  });

  it.each(combos)('compiles %o with its encoder, rate, scale and joinable chunks', (params) => {
    const argv = compile(params).argv;
    const p = encode.params.parse(params) as EncodeParams;
    const software = { h264: 'libx264', h265: 'libx265', vp9: 'libvpx-vp9', av1: 'libsvtav1' }[
      p.codec
    ];
    const hardware = { h264: 'h264_vaapi', h265: 'hevc_vaapi', vp9: 'vp9_vaapi', av1: '' }[p.codec];
    expect(after(argv, '-c:v')).toBe(p.implementation === 'hardware' ? hardware : software);
    expect(argv).toEqual(
      expect.arrayContaining([
        '-flags',
        '+cgop',
        '-force_key_frames',
        'expr:if(eq(n,0),1,gte(t-prev_forced_t,2))',
      ]),
    );
    if (p.bitrateKbps !== undefined) expect(after(argv, '-b:v')).toBe('2500k');
    else expect(argv.includes('-crf') || argv.includes('-qp')).toBe(true);
    const filter = argv.includes('-vf') ? after(argv, '-vf') : '';
    if (p.width !== undefined || p.height !== undefined) {
      // The default never scales above the source: each side is capped at the input's.
      const side = (n: number | undefined, src: string) =>
        n === undefined ? '-2' : `(${src}+${n}-abs(${src}-${n}))/2`;
      expect(filter).toContain(`scale=${side(p.width, 'iw')}:${side(p.height, 'ih')}`);
    }
    if (p.implementation === 'hardware') {
      expect(filter).toMatch(/format=nv12,hwupload$/);
      expect(after(argv, '-vaapi_device')).toBe('/dev/dri/renderD128');
    }
    const mkv = p.codec === 'vp9' || p.codec === 'av1';
    expect(after(argv, '-f')).toBe(mkv ? 'matroska' : 'mpegts');
    expect(after(argv, '-c:a')).toBe(mkv ? 'libopus' : 'aac');
    expect(argv.at(-1)).toBe(`/run/work/enc/chunk_00002.${mkv ? 'mkv' : 'ts'}`);
    expect(argv.every((a) => typeof a === 'string' && a.length > 0)).toBe(true);
  });

  it('maps presets onto each encoder: vp9 cpu-used, SVT-AV1 preset numbers', () => {
    expect(after(compile({ codec: 'vp9', preset: 'veryslow' }).argv, '-cpu-used')).toBe('0');
    expect(after(compile({ codec: 'vp9', preset: 'ultrafast' }).argv, '-deadline')).toBe(
      'realtime',
    );
    expect(after(compile({ codec: 'av1', preset: 'medium' }).argv, '-preset')).toBe('6');
    expect(after(compile({ codec: 'h265', preset: 'slow' }).argv, '-preset')).toBe('slow');
  });

  it('uses constant quality for vp9 only with a zero bitrate cap', () => {
    const argv = compile({ codec: 'vp9', crf: 31 }).argv;
    expect(argv).toEqual(expect.arrayContaining(['-crf', '31', '-b:v', '0']));
  });

  it('omits the timestamp offset when the chunk position is unknown', () => {
    expect(compile({}, chunkToken(0, 1, { startSeconds: undefined })).argv).not.toContain(
      '-output_ts_offset',
    );
  });

  it('reads and writes over HTTP for an http token', () => {
    const argv = compile(
      {},
      chunkToken(2, 3, { via: 'http', path: 'work/xfer/chunk_00002.ts' }),
    ).argv;
    expect(argv).toContain('http://127.0.0.1:8080/api/runs/run-1/files/work/xfer/chunk_00002.ts');
    expect(argv.slice(-3)).toEqual([
      '-method',
      'PUT',
      'http://127.0.0.1:8080/api/runs/run-1/files/work/enc/chunk_00002.ts',
    ]);
  });
});

describe('encode cost', () => {
  const calibration: Calibration = {
    encodeSecondsPerSecond: 1,
    copySecondsPerSecond: 0.01,
    taskOverheadSeconds: 0.5,
  };
  const cost = (params: unknown, media = { durationSeconds: 10, width: 1920, height: 1080 }) =>
    encode.estimateSeconds(encode.params.parse(params), media, calibration);

  it('is 720p veryfast H.264 at the calibrated rate, plus overhead', () => {
    expect(cost({ height: 720 })).toBeCloseTo(10.5, 5);
  });

  it('grows with pixels, slower presets and heavier codecs; hardware is cheaper', () => {
    expect(cost({ height: 1080 })).toBeGreaterThan(cost({ height: 720 }));
    expect(cost({})).toBeCloseTo(cost({ width: 1920, height: 1080 }), 5);
    for (let i = 1; i < PRESETS.length; i++)
      expect(cost({ preset: PRESETS[i] })).toBeGreaterThan(cost({ preset: PRESETS[i - 1] }));
    expect(cost({ codec: 'h265' })).toBeGreaterThan(cost({ codec: 'h264' }));
    expect(cost({ implementation: 'hardware' })).toBeLessThan(cost({}));
  });

  it('occupies the reserved cores, at least one', () => {
    expect(encode.cores(encode.params.parse({}))).toBe(1);
    expect(encode.cores(encode.params.parse({ cpus: 0.5 }))).toBe(1);
    expect(encode.cores(encode.params.parse({ cpus: 4 }))).toBe(4);
  });
});

describe('fused encodes (decode once)', () => {
  const token = chunkToken(1, 3, { startSeconds: 10 });
  const ctx = (id: string, params: Record<string, unknown>) => ({
    runId: 'run-1',
    node: { id, type: 'encode', params },
    params: encode.params.parse(params),
    inputs: [token],
    index: 1,
    storage: { root: '/run' },
    image: 'img',
  });
  const fusion = encode.fusion!;

  it('decodes the chunk once and writes each rung to its own output, in node order', () => {
    const specs = fusion.compile([
      ctx('hi', { height: 720, crf: 20 }),
      ctx('lo', { height: 360, bitrateKbps: 800, upscale: 'allow' }),
      ctx('same', {}),
    ]);
    expect(specs).toHaveLength(1);
    const argv = specs[0]!.argv;
    expect(argv.filter((a) => a === '-i')).toHaveLength(1);
    expect(after(argv, '-filter_complex')).toBe(
      '[0:v]split=3[s0][s1][s2];[s0]scale=-2:(ih+720-abs(ih-720))/2[v0];[s1]scale=-2:360[v1];[s2]null[v2]',
    );
    expect(argv.filter((a) => a === '-progress')).toHaveLength(1);
    const outputs = argv.slice(argv.indexOf('-filter_complex'));
    expect(outputs.filter((a) => a.startsWith('/run/work/'))).toEqual([
      '/run/work/hi/chunk_00001.ts',
      '/run/work/lo/chunk_00001.ts',
      '/run/work/same/chunk_00001.ts',
    ]);
    expect(argv.filter((a) => a === '-output_ts_offset')).toHaveLength(3);
    expect(after(argv, '-b:v')).toBe('800k');
    expect(specs[0]!.outputs.map((o) => (o.kind === 'file' ? o.path : ''))).toEqual([
      'work/hi/chunk_00001.ts',
      'work/lo/chunk_00001.ts',
      'work/same/chunk_00001.ts',
    ]);
    expect(specs[0]!.key).toBe('hi:1');
    expect(specs[0]!.resources.cpus).toBe(1.5);
    expect(fusion.cores([encode.params.parse({}), encode.params.parse({ cpus: 2 })])).toBe(3);
  });

  it('leaves hardware encodes out of the fused task', () => {
    const specs = fusion.compile([
      ctx('a', { height: 720 }),
      ctx('b', { height: 360 }),
      ctx('gpu', { implementation: 'hardware' }),
    ]);
    expect(specs.map((s) => s.outputs.length)).toEqual([2, 1]);
    expect(specs[1]!.argv).toContain('h264_vaapi');
    const mixed = fusion.compile([ctx('gpu', { implementation: 'hardware' }), ctx('a', {})]);
    expect(mixed.map((s) => s.key)).toEqual(['gpu:1', 'a:1']);
  });

  it('costs one decode and one task start less per extra rung, never less than the dearest', () => {
    const c: Calibration = {
      encodeSecondsPerSecond: 1,
      copySecondsPerSecond: 0,
      taskOverheadSeconds: 1,
    };
    const media = { durationSeconds: 10, width: 1920, height: 1080 };
    const ps = [720, 480, 360].map((height) => encode.params.parse({ height }));
    const apart = ps.reduce((sum, p) => sum + encode.estimateSeconds(p, media, c), 0);
    const fused = fusion.estimateSeconds(ps, media, c);
    // Two decodes of 10 s of 1080p (0.12 × 2.25 each per second) and two task starts saved.
    expect(fused).toBeCloseTo(apart - 2 * (1 + 10 * 0.12 * 2.25), 9);
    expect(fusion.estimateSeconds([ps[0]!], media, c)).toBe(
      encode.estimateSeconds(ps[0]!, media, c),
    );
  });
});
