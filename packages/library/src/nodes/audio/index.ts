import { z } from 'zod';
import {
  diagnostic,
  type Calibration,
  type CompileContext,
  type MediaInfo,
  type NodeTypeDef,
  type ReviewContext,
  type ReviewResult,
  type TaskSpec,
  type Token,
} from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { FFMPEG_HEAD, PROGRESS_ARGS, reportEnv, writeArgs } from '../../ffmpeg.js';
import { locate, outputDir, viaOf, workDir } from '../../paths.js';

export const AUDIO_CODECS = ['aac', 'opus'] as const;
export type AudioCodec = (typeof AUDIO_CODECS)[number];

const params = z.strictObject({
  codec: z
    .enum(AUDIO_CODECS)
    .default('aac')
    .describe('Codec of the audio track: aac (in .m4a) or opus (in .webm).'),
  bitrateKbps: z
    .number()
    .int()
    .min(16)
    .max(512)
    .default(128)
    .describe('Audio bitrate in kbit/s (16–512).'),
  loudness: z
    .number()
    .min(-70)
    .max(-5)
    .default(-23)
    .describe(
      'Target integrated loudness in LUFS (-70 to -5): -23 for EBU R128 broadcast, -16 or -14 for streaming.',
    ),
  truePeak: z
    .number()
    .min(-9)
    .max(0)
    .default(-1)
    .describe('Highest true peak allowed, in dBTP (-9 to 0).'),
  loudnessRange: z
    .number()
    .min(1)
    .max(50)
    .default(7)
    .describe('Target loudness range (LRA) in LU (1–50).'),
  channels: z
    .enum(['keep', 'stereo'])
    .default('keep')
    .describe(
      'keep the channels, or downmix to stereo (5.1: centre and surrounds at -3 dB, LFE dropped).',
    ),
  required: z
    .boolean()
    .default(false)
    .describe('Refuse the run when the input has no audio, instead of skipping this branch.'),
  ...taskParams({ cpus: 1, memoryMb: 512 }),
});
export type AudioParams = z.infer<typeof params>;

/** Container, muxer and encoder per codec. */
const FORMAT: Record<AudioCodec, { ext: string; muxer: string; encoder: string }> = {
  aac: { ext: 'm4a', muxer: 'mp4', encoder: 'aac' },
  opus: { ext: 'webm', muxer: 'webm', encoder: 'libopus' },
};

/** The loudness measurement of pass one: loudnorm's JSON, as strings. */
export interface LoudnessMeasurement {
  readonly input_i: string;
  readonly input_tp: string;
  readonly input_lra: string;
  readonly input_thresh: string;
  readonly target_offset: string;
}

/** Where pass one leaves ffmpeg's log (with loudnorm's JSON), relative to the run directory. */
export const loudnessReport = (nodeId: string): string => `${workDir(nodeId)}/loudnorm.log`;

/** The audio track a node writes, relative to the run directory. */
export const audioTrack = (nodeId: string, codec: AudioCodec): string =>
  `${outputDir(nodeId)}/audio.${FORMAT[codec].ext}`;

/** `-ac 2` as a filter: swresample's matrix puts centre and surrounds in at -3 dB, drops LFE. */
const downmix = (p: AudioParams): string[] =>
  p.channels === 'stereo' ? ['aformat=channel_layouts=stereo'] : [];

/**
 * Layouts both encoders take. Kept channels are mapped onto the nearest (5.1(side) becomes 5.1,
 * as Matroska and MP4 players expect): neither encoder accepts side surrounds as they come.
 */
const ENCODABLE = 'aformat=channel_layouts=mono|stereo|3.0|quad|5.0|5.1|6.1|7.1';

/** The end of pass two's chain: 48 kHz (loudnorm works at 192 kHz), in a layout the encoder takes. */
const encodable = (p: AudioParams): string[] =>
  p.channels === 'stereo' ? ['aresample=48000'] : ['aresample=48000', ENCODABLE];

const targets = (p: AudioParams): string =>
  `I=${p.loudness}:TP=${p.truePeak}:LRA=${p.loudnessRange}`;

/** The run's input over the shared volume: pass one's log is a local file (FFREPORT). */
function sharedInput(ctx: CompileContext<AudioParams>): Token {
  const input = onlyInput(ctx);
  if (viaOf(input) !== 'shared') {
    throw new Error(
      `Audio ${JSON.stringify(ctx.node.id)} measures loudness into a file on the shared volume; ` +
        'feed it a video on the shared volume, not through an http transfer.',
    );
  }
  return input;
}

const inputArgs = (ctx: CompileContext<AudioParams>, input: Token): string[] => [
  '-i',
  locate(ctx.storage, input.path, 'shared'),
  '-map',
  '0:a:0',
  '-vn',
  '-sn',
  '-dn',
];

/** Pass one: decode the whole audio once and let loudnorm measure it (JSON into the log). */
function compile(ctx: CompileContext<AudioParams>): TaskSpec[] {
  const input = sharedInput(ctx);
  const report = loudnessReport(ctx.node.id);
  const chain = [...downmix(ctx.params), `loudnorm=${targets(ctx.params)}:print_format=json`];
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    ...inputArgs(ctx, input),
    '-af', chain.join(','),
    ...PROGRESS_ARGS,
    '-f', 'null', '-',
  ];
  return [
    task(ctx, {
      argv,
      env: reportEnv(locate(ctx.storage, report, 'shared')),
      outputs: [{ kind: 'file', path: report, dataType: 'audio' }],
      reports: [report],
      durationSeconds: input.durationSeconds,
    }),
  ];
}

/**
 * loudnorm's measurement from an ffmpeg log: the last `{ ... }` block naming `input_i`.
 * Throws, saying what was missing, when the log has none.
 */
export function parseLoudnorm(log: string): LoudnessMeasurement {
  const end = log.lastIndexOf('}');
  const start = end < 0 ? -1 : log.lastIndexOf('{', end);
  if (start < 0) throw new Error('the loudness log holds no loudnorm measurement');
  let parsed: unknown;
  try {
    parsed = JSON.parse(log.slice(start, end + 1));
  } catch {
    throw new Error('the loudnorm measurement in the log is not JSON');
  }
  const keys = ['input_i', 'input_tp', 'input_lra', 'input_thresh', 'target_offset'] as const;
  const record = parsed as Record<string, unknown>;
  for (const key of keys) {
    if (typeof record[key] !== 'string') throw new Error(`the loudnorm measurement has no ${key}`);
  }
  return record as unknown as LoudnessMeasurement;
}

/** A measured value as loudnorm accepts it back: finite and within the option's range. */
function measured(value: string, min: number, max: number): number {
  const n = Number(value);
  return Math.min(max, Math.max(min, Number.isFinite(n) ? n : min));
}

/** Pass two's filter: the measurement applied linearly (loudnorm falls back to dynamic when it must). */
export function applyChain(p: AudioParams, m: LoudnessMeasurement): string {
  const values = [
    `measured_I=${measured(m.input_i, -99, 0)}`,
    `measured_TP=${measured(m.input_tp, -99, 99)}`,
    `measured_LRA=${measured(m.input_lra, 0, 99)}`,
    `measured_thresh=${measured(m.input_thresh, -99, 0)}`,
    `offset=${measured(m.target_offset, -99, 99)}`,
  ];
  const loudnorm = `loudnorm=${targets(p)}:${values.join(':')}:linear=true:print_format=summary`;
  return [...downmix(p), loudnorm, ...encodable(p)].join(',');
}

/** Pass two: apply the measurement and encode the track. */
function encodeTask(ctx: ReviewContext<AudioParams>, chain: string): TaskSpec {
  const input = sharedInput(ctx);
  const p = ctx.params;
  const format = FORMAT[p.codec];
  const via = viaOf(input);
  const path = audioTrack(ctx.node.id, p.codec);
  // prettier-ignore
  const argv = [
    ...FFMPEG_HEAD,
    ...inputArgs(ctx, input),
    '-af', chain,
    '-c:a', format.encoder, '-b:a', `${p.bitrateKbps}k`,
    ...(p.channels === 'stereo' ? ['-ac', '2'] : []),
    ...(format.muxer === 'mp4' ? ['-movflags', '+faststart'] : []),
    ...PROGRESS_ARGS,
    '-f', format.muxer,
    ...writeArgs(via),
    locate(ctx.storage, path, via),
  ];
  return task(ctx, {
    argv,
    via,
    round: 1,
    outputs: [{ kind: 'file', path, dataType: 'audio' }],
    durationSeconds: input.durationSeconds,
  });
}

/** After pass one: read the measurement and run pass two with it. Pass two ends the firing. */
function review(ctx: ReviewContext<AudioParams>): ReviewResult {
  if (ctx.round > 0) return {};
  const log = ctx.reports[loudnessReport(ctx.node.id)];
  if (log === undefined) return { fail: 'the loudness measurement (pass one) left no log' };
  let m: LoudnessMeasurement;
  try {
    m = parseLoudnorm(log);
  } catch (err) {
    return { fail: `cannot read the loudness measurement: ${(err as Error).message}` };
  }
  const element = { kind: 'node' as const, id: ctx.node.id };
  const p = ctx.params;
  if (!Number.isFinite(Number(m.input_i)) || Number(m.input_i) < -70) {
    // Silence (or near it) has no integrated loudness to normalise: encode it unchanged.
    return {
      next: [encodeTask(ctx, [...downmix(p), ...encodable(p)].join(','))],
      diagnostics: [
        diagnostic(
          'audio-silent',
          'warning',
          `audio ${ctx.node.id}: the input's audio is silent (integrated loudness ${m.input_i} LUFS); encoded without loudness normalisation`,
          element,
        ),
      ],
    };
  }
  return {
    next: [encodeTask(ctx, applyChain(p, m))],
    diagnostics: [
      diagnostic(
        'audio-loudness',
        'info',
        `audio ${ctx.node.id}: measured ${m.input_i} LUFS, true peak ${m.input_tp} dBTP, LRA ${m.input_lra} LU; normalised to ${p.loudness} LUFS`,
        element,
      ),
    ],
  };
}

/** Two decodes of the audio and one encode: light next to video, a few times a stream copy. */
function estimateSeconds(_p: AudioParams, media: MediaInfo, calibration: Calibration): number {
  return (
    2 * calibration.taskOverheadSeconds +
    4 * media.durationSeconds * calibration.copySecondsPerSecond
  );
}

/**
 * One audio track of the input, loudness-normalised to EBU R128 over the whole input in two
 * passes (measure, then apply linearly), optionally downmixed to stereo, in AAC or Opus.
 */
export const audio: NodeTypeDef<AudioParams> = {
  type: 'audio',
  title: 'Audio',
  description: 'Writes the loudness-normalised audio track (EBU R128, two passes) as AAC or Opus.',
  ports: [
    { name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true },
    {
      name: 'out',
      direction: 'out',
      dataType: 'audio',
      multiplicity: 'one',
      description: 'The audio track (.m4a or .webm).',
    },
  ],
  params,
  firing: 'map',
  compile,
  review,
  admit: (p, source) => {
    if (source.audio !== undefined) return undefined;
    return p.required
      ? { refuse: 'the input video has no audio stream, and this audio node is required' }
      : { skip: 'the input video has no audio stream: the audio branch is skipped' };
  },
  estimateSeconds,
  cores: () => 1,
};
