import { copyFile, link, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { outputDir } from '@reelflow/library';
import type { TaskSpec, Token } from '@reelflow/fbp-model';
import { resolveInside } from './rundir.js';

/** Files found for one expected output of a task, read from the run directory. */
export interface FoundOutput {
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** Text of the segment list the task wrote, when the output declares one. */
  readonly segmentList?: string;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read what a finished task left behind for each of its expected outputs: the files (paths
 * relative to the run directory, with sizes) and segment lists. Throws when an expected file
 * is missing or empty: a task that exits 0 without its output has failed.
 */
export async function findOutputs(runDir: string, spec: TaskSpec): Promise<FoundOutput[]> {
  const found: FoundOutput[] = [];
  for (const out of spec.outputs) {
    if (out.kind === 'file') {
      const abs = resolveInside(runDir, out.path);
      const bytes = abs && (await fileSize(abs));
      if (!bytes) throw new Error(`task ${spec.key} exited without writing ${out.path}`);
      found.push({ files: [{ path: out.path, bytes }] });
      continue;
    }
    const dir = resolveInside(runDir, out.dir);
    if (!dir)
      throw new Error(`task ${spec.key} declares an output folder outside the run directory`);
    const names = (await readdir(dir).catch(() => [] as string[]))
      .filter((n) => n.endsWith(out.suffix))
      .sort(byNumber);
    const files = [];
    for (const name of names) {
      const bytes = (await fileSize(join(dir, name))) ?? 0;
      files.push({ path: relative(runDir, join(dir, name)), bytes });
    }
    if (files.length === 0)
      throw new Error(`task ${spec.key} wrote no ${out.suffix} file into ${out.dir}`);
    const listPath = out.segmentList && resolveInside(runDir, out.segmentList);
    const segmentList = listPath
      ? await readFile(listPath, 'utf8').catch(() => undefined)
      : undefined;
    found.push({ files, segmentList });
  }
  return found;
}

/** Sort `chunk-10.ts` after `chunk-9.ts`. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Total bytes of a list of tokens (for transfer accounting). */
export const tokenBytes = (tokens: readonly Token[]): number =>
  tokens.reduce((sum, t) => sum + (t.bytes ?? 0), 0);

/** Every file under a folder, as paths relative to it (sorted); dotfiles (partial writes) are left out. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(relative(root, abs));
    }
  }
  await walk(root);
  return out.sort(byNumber);
}

/**
 * Publish a video a node produced for a sink (the merged mp4) under `outputs/<node>/`, so a
 * run's outputs folder holds everything a user wants. A hard link costs nothing.
 */
export async function publishVideo(
  runDir: string,
  nodeId: string,
  token: Token,
): Promise<string | undefined> {
  const from = resolveInside(runDir, token.path);
  const rel = `${outputDir(nodeId)}/${basename(token.path)}`;
  const to = resolveInside(runDir, rel);
  if (!from || !to || from === to) return undefined;
  await mkdir(join(to, '..'), { recursive: true });
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
  return rel;
}
