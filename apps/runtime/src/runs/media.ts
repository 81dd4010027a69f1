import { execFile } from 'node:child_process';
import type { AudioFacts, SourceMedia } from '@reelflow/fbp-model';

/** What ffprobe says about a media file. */
export interface MediaFacts {
  readonly durationSeconds: number;
  readonly hasVideo: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly codec?: string;
  readonly frames?: number;
  readonly frameRate?: number;
  /** Start of the video stream (seconds). */
  readonly videoStartSeconds?: number;
  /** Whether the file has an audio stream; `audio` describes the first one. */
  readonly hasAudio?: boolean;
  readonly audio?: AudioFacts;
}

/** Why a file is not usable media, in words a person can act on. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
}

interface ProbeJson {
  format?: { duration?: string; format_name?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    nb_frames?: string;
    nb_read_frames?: string;
    avg_frame_rate?: string;
    duration?: string;
    start_time?: string;
    channels?: number;
    channel_layout?: string;
    sample_rate?: string;
  }>;
}

function ratio(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [n, d] = text.split('/').map(Number);
  return d ? n! / d : Number.isFinite(n) ? n : undefined;
}

function runProbe(
  args: string[],
  timeoutMs: number,
): Promise<{ json?: ProbeJson; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'ffprobe',
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && !stdout) return done({ stderr: String(stderr || err.message) });
        try {
          done({ json: JSON.parse(stdout) as ProbeJson, stderr: String(stderr) });
        } catch {
          done({ stderr: String(stderr) });
        }
      },
    );
  });
}

/**
 * Probe a file with ffprobe (JSON output). Throws a MediaError when it is not a video, has no
 * duration, or ffprobe cannot read it (a truncated file). `countFrames` decodes the whole
 * video stream to count its frames exactly (slow; tests use it).
 */
export async function probeMedia(
  path: string,
  opts: { countFrames?: boolean; timeoutMs?: number } = {},
): Promise<MediaFacts> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (opts.countFrames) args.push('-count_frames', '-select_streams', 'v:0');
  const { json, stderr } = await runProbe([...args, path], opts.timeoutMs ?? 60_000);
  if (!json)
    throw new MediaError(
      `not a readable media file (${firstLine(stderr) || 'ffprobe could not parse it'})`,
    );
  const video = json.streams?.find((s) => s.codec_type === 'video');
  if (!video) throw new MediaError('the file has no video stream');
  const duration = Number(json.format?.duration ?? video.duration);
  if (!Number.isFinite(duration) || duration <= 0)
    throw new MediaError('the video has no duration (empty or truncated file)');
  const frames = Number(video.nb_read_frames ?? video.nb_frames);
  const audio = json.streams?.find((s) => s.codec_type === 'audio');
  return {
    durationSeconds: duration,
    hasVideo: true,
    width: video.width,
    height: video.height,
    codec: video.codec_name,
    frames: Number.isFinite(frames) ? frames : undefined,
    frameRate: ratio(video.avg_frame_rate),
    videoStartSeconds: finite(video.start_time),
    // Counting frames selects the video stream only: then nothing is known about audio.
    hasAudio: opts.countFrames ? undefined : audio !== undefined,
    audio: audio && {
      channels: audio.channels ?? 0,
      layout: audio.channel_layout,
      codec: audio.codec_name,
      sampleRate: finite(audio.sample_rate),
      startSeconds: finite(audio.start_time),
    },
  };
}

/** Image codecs a still upload (a watermark) may have: PNG (with alpha) and JPEG. */
const STILL_CODECS = new Set(['png', 'mjpeg']);

/**
 * Probe a still image (a watermark upload): one PNG or JPEG picture. Throws a MediaError
 * saying what the file is not otherwise.
 */
export async function probeImage(
  path: string,
  timeoutMs = 60_000,
): Promise<{ width?: number; height?: number; codec: string }> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  const { json, stderr } = await runProbe(args, timeoutMs);
  const streams = json?.streams ?? [];
  const still = streams[0];
  const single = streams.length === 1 && /_pipe$|^image2$/.test(json?.format?.format_name ?? '');
  if (!still?.codec_name || !single || !STILL_CODECS.has(still.codec_name)) {
    throw new MediaError(
      `not a PNG or JPEG image (${firstLine(stderr) || json?.format?.format_name || 'unreadable'})`,
    );
  }
  return { width: still.width, height: still.height, codec: still.codec_name };
}

const finite = (text: string | undefined): number | undefined => {
  const n = Number(text);
  return text !== undefined && Number.isFinite(n) ? n : undefined;
};

/** The facts node types see (`CompileContext.source`, `admit`), without undefined fields. */
export function sourceMedia(facts: Omit<MediaFacts, 'hasVideo'>): SourceMedia {
  const pick = { ...facts, hasVideo: undefined, hasAudio: undefined, codec: undefined };
  return Object.fromEntries(
    Object.entries(pick).filter(([, v]) => v !== undefined),
  ) as unknown as SourceMedia;
}

/**
 * Decode the last seconds of a file and report the first error line, or undefined when it is
 * clean. Catches truncated files whose header still looks fine (their index points past the
 * end), without decoding the whole video.
 */
export function tailDecodeError(path: string, timeoutMs = 60_000): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(
      'ffmpeg',
      ['-v', 'error', '-nostdin', '-sseof', '-3', '-i', path, '-map', '0:v:0', '-f', 'null', '-'],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        const line = firstLine(String(stderr));
        done(line || (err ? err.message : undefined));
      },
    );
  });
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}
