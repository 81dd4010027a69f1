import { describe, expect, it } from 'vitest';
import type { Graph, ReviewContext, SourceMedia } from '@reelflow/fbp-model';
import { validateDocument } from '@reelflow/semantics';
import { library } from '../../index.js';
import { compileNode, videoToken } from '../../testing.js';
import { audio, applyChain, loudnessReport, parseLoudnorm, type AudioParams } from './index.js';

const LOG = `[Parsed_loudnorm_0 @ 0x1]
{
	"input_i" : "-15.05",
	"input_tp" : "-5.19",
	"input_lra" : "3.00",
	"input_thresh" : "-26.17",
	"output_i" : "-18.50",
	"target_offset" : "-4.50"
}
`;

function reviewWith(params: Partial<AudioParams>, log: string | undefined, round = 0) {
  const [spec] = compileNode(audio, params, { nodeId: 'aud', inputs: [videoToken()] });
  const parsed = audio.params.parse(params);
  const ctx: ReviewContext<AudioParams> = {
    runId: 'run-1',
    node: { id: 'aud', type: 'audio', params },
    params: parsed,
    inputs: [videoToken()],
    index: 0,
    storage: { root: '/run' },
    image: 'img',
    round,
    reports: log === undefined ? {} : { [spec!.reports![0]!]: log },
  };
  return audio.review!(ctx);
}

describe('audio', () => {
  it('measures first: loudnorm with print_format=json over the whole input, its log kept by FFREPORT', () => {
    const [spec] = compileNode(
      audio,
      { loudness: -16, channels: 'stereo' },
      { nodeId: 'aud', inputs: [videoToken()] },
    );
    expect(spec!.argv).toEqual(expect.arrayContaining(['-map', '0:a:0', '-f', 'null']));
    const af = spec!.argv[spec!.argv.indexOf('-af') + 1];
    expect(af).toBe('aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=7:print_format=json');
    expect(spec!.env).toEqual({ FFREPORT: 'file=/run/work/aud/loudnorm.log:level=32' });
    expect(spec!.reports).toEqual([loudnessReport('aud')]);
    expect(spec!.labels['reelflow.via']).toBeUndefined();
  });

  it('applies the measurement linearly in a second round, with its own task key', () => {
    const result = reviewWith({ codec: 'opus', bitrateKbps: 96 }, LOG);
    expect(result.fail).toBeUndefined();
    const [next] = result.next!;
    expect(next!.key).toBe('aud:0~1');
    expect(next!.argv[next!.argv.indexOf('-af') + 1]).toBe(
      'loudnorm=I=-23:TP=-1:LRA=7:measured_I=-15.05:measured_TP=-5.19:measured_LRA=3:measured_thresh=-26.17:offset=-4.5:linear=true:print_format=summary,aresample=48000,aformat=channel_layouts=mono|stereo|3.0|quad|5.0|5.1|6.1|7.1',
    );
    expect(next!.argv).toEqual(
      expect.arrayContaining(['-c:a', 'libopus', '-b:a', '96k', '-f', 'webm']),
    );
    expect(next!.outputs).toEqual([
      { kind: 'file', path: 'outputs/aud/audio.webm', dataType: 'audio' },
    ]);
    expect(next!.labels['reelflow.via']).toBe('shared');
    expect(result.diagnostics![0]).toMatchObject({ code: 'audio-loudness', severity: 'info' });
    // The second round ends the firing.
    expect(reviewWith({}, LOG, 1)).toEqual({});
  });

  it('encodes silence without normalising it, with a warning', () => {
    const result = reviewWith({}, LOG.replace('"-15.05"', '"-inf"'));
    expect(result.next![0]!.argv.join(' ')).not.toContain('loudnorm');
    expect(result.diagnostics![0]).toMatchObject({ code: 'audio-silent', severity: 'warning' });
  });

  it('fails with a reason when the measurement is missing or unreadable', () => {
    expect(reviewWith({}, undefined).fail).toMatch(/left no log/);
    expect(reviewWith({}, 'no json here').fail).toMatch(/no loudnorm measurement/);
    expect(() => parseLoudnorm('{ "input_i": "-1" }')).toThrow(/no input_tp/);
  });

  it('clamps measured values into the ranges loudnorm accepts', () => {
    const chain = applyChain(audio.params.parse({}), {
      input_i: '-120',
      input_tp: '-inf',
      input_lra: '150',
      input_thresh: '-130',
      target_offset: '200',
    });
    expect(chain).toContain(
      'measured_I=-99:measured_TP=-99:measured_LRA=99:measured_thresh=-99:offset=99',
    );
  });

  it('checks its ranges: loudness -70..-5 LUFS, true peak -9..0, LRA 1..50', () => {
    for (const bad of [
      { loudness: -4 },
      { loudness: -71 },
      { truePeak: 1 },
      { loudnessRange: 0 },
      { codec: 'mp3' },
      { channels: '5.1' },
    ])
      expect(audio.params.safeParse(bad).success).toBe(false);
    expect(audio.params.safeParse({ loudness: -16, truePeak: -2, loudnessRange: 11 }).success).toBe(
      true,
    );
  });

  it('is skipped on an input without audio, or refuses it when required', () => {
    const silent: SourceMedia = { durationSeconds: 4 };
    const withAudio: SourceMedia = { durationSeconds: 4, audio: { channels: 2 } };
    expect(audio.admit!(audio.params.parse({}), silent)).toEqual({
      skip: expect.stringMatching(/no audio stream/),
    });
    expect(audio.admit!(audio.params.parse({ required: true }), silent)).toEqual({
      refuse: expect.stringMatching(/no audio stream/),
    });
    expect(audio.admit!(audio.params.parse({ required: true }), withAudio)).toBeUndefined();
  });

  it('refuses an input that comes over HTTP, saying why', () => {
    expect(() => compileNode(audio, {}, { inputs: [videoToken({ via: 'http' })] })).toThrow(
      /shared volume/,
    );
  });
});

describe('the audio data type in validation', () => {
  const doc = (to: string) => ({
    schemaVersion: 1,
    id: 'g',
    name: 'g',
    nodes: [
      { id: 'src', type: 'source', params: {} },
      { id: 'aud', type: 'audio', params: {} },
      { id: to, type: to, params: {} },
    ],
    edges: [
      { id: 'e1', from: { node: 'src', port: 'out' }, to: { node: 'aud', port: 'in' } },
      { id: 'e2', from: { node: 'aud', port: 'out' }, to: { node: to, port: 'in' } },
    ],
  });

  it('rejects an edge that joins an audio port to a video or chunk port', () => {
    for (const to of ['check', 'transfer']) {
      const { diagnostics } = validateDocument(doc(to) as Graph, library, { mode: 'all' });
      expect(diagnostics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: 'port-type-mismatch',
            element: { kind: 'port', id: `${to}.in` },
            message: expect.stringContaining('brings audio'),
          }),
        ]),
      );
    }
  });

  it('accepts video into the audio node', () => {
    const { diagnostics } = validateDocument(doc('check') as Graph, library, { mode: 'all' });
    expect(diagnostics.filter((d) => d.element.id === 'e1')).toEqual([]);
  });
});
