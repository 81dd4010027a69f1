import { z } from 'zod';
import { decodeEstimate } from '../../ffmpeg.js';
import {
  diagnostic,
  type Calibration,
  type CompileContext,
  type MediaInfo,
  type NodeTypeDef,
  type ReviewContext,
  type ReviewResult,
  type SourceMedia,
  type TaskSpec,
} from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { locate, outputDir, viaOf } from '../../paths.js';

/** The diagnostic code of a check's verdict (error on a failed check, info on a passed one). */
export const OUTPUT_CHECK = 'output-check';

const params = z.strictObject({
  compareAudio: z
    .boolean()
    .default(true)
    .describe(
      'When the source has audio, require it in the output and compare the A/V start offset; false for video-only outputs.',
    ),
  ...taskParams({ cpus: 1, memoryMb: 512 }),
});
export type CheckParams = z.infer<typeof params>;

/** The ffprobe report a check node writes, relative to the run directory. */
export const checkReport = (nodeId: string): string => `${outputDir(nodeId)}/check.json`;

/** Decode every frame of every stream (`-count_frames`) and report counts and start times. */
function compile(ctx: CompileContext<CheckParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const report = checkReport(ctx.node.id);
  // prettier-ignore
  const argv = [
    'ffprobe', '-hide_banner', '-v', 'error', '-count_frames',
    '-show_entries',
    'format=duration,start_time:stream=index,codec_type,start_time,duration,nb_read_frames,avg_frame_rate',
    '-of', 'json',
    '-o', locate(ctx.storage, report, via),
    locate(ctx.storage, input.path, via),
  ];
  return [
    task(ctx, {
      argv,
      outputs: [{ kind: 'file', path: report, dataType: 'video' }],
      reports: [report],
      durationSeconds: input.durationSeconds,
    }),
  ];
}

/** What the check found in the output. */
export interface OutputFacts {
  readonly frames?: number;
  readonly durationSeconds?: number;
  readonly frameRate?: number;
  readonly videoStartSeconds?: number;
  /** Undefined when the output has no audio stream. */
  readonly audioStartSeconds?: number;
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function rate(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const [n, d] = text.split('/').map(Number);
  const r = d ? n! / d : n;
  return r !== undefined && Number.isFinite(r) && r > 0 ? r : undefined;
}

/** The facts of an ffprobe JSON report (`-count_frames`); throws when it is not one. */
export function parseCheckReport(text: string): OutputFacts {
  let json: { format?: Record<string, unknown>; streams?: Record<string, unknown>[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new Error('the check report is not JSON');
  }
  const streams = Array.isArray(json.streams) ? json.streams : [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  return {
    frames: num(video?.nb_read_frames),
    durationSeconds: num(json.format?.duration),
    frameRate: rate(video?.avg_frame_rate),
    videoStartSeconds: num(video?.start_time),
    audioStartSeconds: audio === undefined ? undefined : (num(audio.start_time) ?? 0),
  };
}

/** Frames of the source: as its container states them, else from duration and frame rate. */
function sourceFrames(source: SourceMedia): number | undefined {
  if (source.frames !== undefined) return source.frames;
  return source.frameRate === undefined
    ? undefined
    : Math.round(source.durationSeconds * source.frameRate);
}

const fixed = (n: number): string => n.toFixed(3);

/**
 * Compare an output with its source, one frame of tolerance each: frame count, duration, and
 * the audio's start relative to the video's. Returns the problems (none: passed) and a summary.
 */
export function compareWithSource(
  out: OutputFacts,
  source: SourceMedia,
  compareAudio: boolean,
): { problems: string[]; summary: string } {
  const fps = source.frameRate ?? out.frameRate ?? 25;
  const frame = 1 / fps;
  const problems: string[] = [];
  const seen: string[] = [];
  const expected = sourceFrames(source);
  if (out.frames === undefined) problems.push('the output has no decodable video frames');
  else if (expected !== undefined) {
    seen.push(`${out.frames} frames (source ${expected})`);
    if (Math.abs(out.frames - expected) > 1)
      problems.push(`frame count ${out.frames} differs from the source's ${expected}`);
  }
  if (out.durationSeconds === undefined) problems.push('the output has no duration');
  else {
    seen.push(`${fixed(out.durationSeconds)} s (source ${fixed(source.durationSeconds)} s)`);
    if (Math.abs(out.durationSeconds - source.durationSeconds) > frame + 1e-6)
      problems.push(
        `duration ${fixed(out.durationSeconds)} s differs from the source's ${fixed(source.durationSeconds)} s by more than one frame (${fixed(frame)} s)`,
      );
  }
  if (compareAudio && source.audio !== undefined) {
    if (out.audioStartSeconds === undefined)
      problems.push('the output has no audio stream but the source has');
    else {
      const srcOffset = (source.audio.startSeconds ?? 0) - (source.videoStartSeconds ?? 0);
      const outOffset = out.audioStartSeconds - (out.videoStartSeconds ?? 0);
      seen.push(`A/V offset ${fixed(outOffset)} s (source ${fixed(srcOffset)} s)`);
      if (Math.abs(outOffset - srcOffset) > frame + 1e-6)
        problems.push(
          `audio starts ${fixed(outOffset)} s after the video, the source's ${fixed(srcOffset)} s: off by more than one frame`,
        );
    }
  }
  return { problems, summary: seen.join(', ') };
}

/** Read the report and give the verdict: an info diagnostic, or an error one and a failure. */
function review(ctx: ReviewContext<CheckParams>): ReviewResult {
  const element = { kind: 'node' as const, id: ctx.node.id };
  const failWith = (reason: string): ReviewResult => ({
    fail: `${OUTPUT_CHECK}: ${reason}`,
    diagnostics: [
      diagnostic(OUTPUT_CHECK, 'error', `check ${ctx.node.id} failed: ${reason}`, element),
    ],
  });
  if (ctx.source === undefined)
    return failWith('the run has no probe of its input to compare with');
  const text = ctx.reports[checkReport(ctx.node.id)];
  if (text === undefined) return failWith('ffprobe left no report');
  let out: OutputFacts;
  try {
    out = parseCheckReport(text);
  } catch (err) {
    return failWith((err as Error).message);
  }
  const { problems, summary } = compareWithSource(out, ctx.source, ctx.params.compareAudio);
  if (problems.length > 0) return failWith(`${problems.join('; ')} (${summary})`);
  return {
    diagnostics: [
      diagnostic(OUTPUT_CHECK, 'info', `check ${ctx.node.id} passed: ${summary}`, element),
    ],
  };
}

/** One full decode of the output: about a fifth of a veryfast encode of the same pixels. */
function estimateSeconds(_p: CheckParams, media: MediaInfo, calibration: Calibration): number {
  return decodeEstimate(0.2, media, calibration);
}

/**
 * Validates an output against the run's input: decodes it fully and compares frame count,
 * duration and the A/V start offset (one frame of tolerance). A mismatch fails the node.
 */
export const check: NodeTypeDef<CheckParams> = {
  type: 'check',
  title: 'Check',
  description:
    'Decodes an output fully and compares frames, duration and A/V offset with the source.',
  ports: [{ name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true }],
  params,
  firing: 'sink',
  compile,
  review,
  estimateSeconds,
  cores: () => 1,
};
