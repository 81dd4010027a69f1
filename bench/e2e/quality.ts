import { readFile, rm, stat } from 'node:fs/promises';
import { runOk } from './proc.js';

/** PSNR/SSIM of one video against a reference. */
export interface Quality {
  /** Mean PSNR over all frames (dB, all planes); Infinity for identical videos. */
  readonly psnr: number;
  /** Lowest per-frame PSNR within ±JOIN_WINDOW frames of a chunk join (dB). */
  readonly psnrAtJoinsMin?: number;
  /** Mean per-frame PSNR within ±JOIN_WINDOW frames of the joins (dB). */
  readonly psnrAtJoinsMean?: number;
  /** SSIM over all frames and planes (0–1). */
  readonly ssim: number;
  readonly frames: number;
}

/** Frames either side of a join that count as "at the join". */
export const JOIN_WINDOW = 2;

const dB = (text: string): number => (text === 'inf' ? Infinity : Number(text));

/** ffmpeg's summary lines: `PSNR y:… average:45.1 …` and `SSIM Y:… All:0.991 (20.4)`. */
export function parseSummaryLines(stderr: string): { psnr: number; ssim: number } {
  const psnr = /PSNR .*?average:(inf|[\d.]+)/.exec(stderr);
  const ssim = /SSIM .*?All:([\d.]+)/.exec(stderr);
  if (!psnr || !ssim)
    throw new Error(`no PSNR/SSIM summary in ffmpeg output: ${stderr.slice(-300)}`);
  return { psnr: dB(psnr[1]!), ssim: Number(ssim[1]) };
}

/** The psnr filter's stats file: one `n:1 mse_avg:… psnr_avg:…` line per frame → dB by frame number. */
export function parsePsnrStats(text: string): Map<number, number> {
  const frames = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^n:(\d+) .*?psnr_avg:(inf|[\d.]+)/.exec(line);
    if (m) frames.set(Number(m[1]), dB(m[2]!));
  }
  return frames;
}

/** 1-based frame numbers within the window of each join (joins at multiples of `segmentSeconds`). */
export function joinFrames(durationSeconds: number, segmentSeconds: number, fps: number): number[] {
  const frames: number[] = [];
  for (let t = segmentSeconds; t < durationSeconds - 1e-9; t += segmentSeconds) {
    const first = Math.round(t * fps) + 1; // first frame of the next chunk
    for (let n = first - JOIN_WINDOW; n < first + JOIN_WINDOW; n++) frames.push(n);
  }
  return frames;
}

/**
 * Compare `video` with `reference` (scaled to `height` if needed) by ffmpeg's psnr and ssim
 * filters, timestamps aligned to zero. `joins` are the frame numbers whose PSNR is reported
 * separately.
 */
export async function compare(
  video: string,
  reference: string,
  height: number,
  joins: readonly number[] = [],
): Promise<Quality> {
  const statsFile = `${video}.psnr-${process.pid}-${Date.now()}.log`;
  const graph =
    '[0:v]setpts=PTS-STARTPTS,split[d0][d1];' +
    `[1:v]scale=-2:${height}:flags=bicubic,setpts=PTS-STARTPTS,split[r0][r1];` +
    `[d0][r0]psnr=stats_file=${statsFile}[p];[d1][r1]ssim[s]`;
  // prettier-ignore
  const { stderr } = await runOk([
    'ffmpeg', '-hide_banner', '-nostdin', '-i', video, '-i', reference,
    '-filter_complex', graph, '-map', '[p]', '-map', '[s]', '-f', 'null', '-',
  ]);
  const perFrame = parsePsnrStats(await readFile(statsFile, 'utf8'));
  await rm(statsFile, { force: true });
  const summary = parseSummaryLines(stderr);
  const atJoins = joins.map((n) => perFrame.get(n)).filter((v): v is number => v !== undefined);
  const finite = atJoins.filter(Number.isFinite);
  return {
    ...summary,
    frames: perFrame.size,
    ...(atJoins.length
      ? {
          psnrAtJoinsMin: Math.min(...atJoins),
          psnrAtJoinsMean: finite.length
            ? finite.reduce((a, b) => a + b, 0) / finite.length
            : Infinity,
        }
      : {}),
  };
}

/** Size of `a` over size of `b`. */
export async function sizeRatio(a: string, b: string): Promise<number> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  return sa.size / sb.size;
}
