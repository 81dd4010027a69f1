import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { outputKind, type OutputFile } from '@reelflow/fbp-model';
import { probeMedia } from './media.js';
import { listFiles } from './outputs.js';

/**
 * Seconds of a media playlist: the sum of its segments' `#EXTINF` durations. Undefined for a
 * master playlist (it lists variants, not segments) or a playlist without segments yet.
 */
export function playlistSeconds(text: string): number | undefined {
  let total = 0;
  let segments = 0;
  for (const m of text.matchAll(/^#EXTINF:([0-9.]+)/gm)) {
    const d = Number(m[1]);
    if (Number.isFinite(d)) {
      total += d;
      segments++;
    }
  }
  return segments > 0 ? total : undefined;
}

/** Durations of probed videos by path, size and mtime: an output does not change once listed. */
const probed = new Map<string, number | undefined>();
const PROBED_MAX = 2000;

async function videoSeconds(abs: string, size: number, mtimeMs: number) {
  const key = `${abs}\0${size}\0${mtimeMs}`;
  if (probed.has(key)) return probed.get(key);
  const seconds = await probeMedia(abs, { timeoutMs: 20_000 }).then(
    (m) => m.durationSeconds,
    () => undefined,
  );
  if (probed.size >= PROBED_MAX) probed.clear();
  probed.set(key, seconds);
  return seconds;
}

/**
 * The files of a run's outputs folder with their kind, size and, for videos and media
 * playlists, their duration. A file that vanishes while being listed is left out.
 */
export async function listOutputFiles(outputsDir: string): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const path of await listFiles(outputsDir)) {
    const abs = join(outputsDir, path);
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) continue;
    const kind = outputKind(path);
    const durationSeconds =
      kind === 'video'
        ? await videoSeconds(abs, info.size, info.mtimeMs)
        : kind === 'playlist'
          ? playlistSeconds(await readFile(abs, 'utf8').catch(() => ''))
          : undefined;
    files.push({
      path,
      bytes: info.size,
      kind,
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
    });
  }
  return files;
}
