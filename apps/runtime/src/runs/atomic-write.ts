import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write `text` to `path` through a hidden temporary file beside it and a rename: a reader
 * sees the old file or the new one, never half of one, and an interrupted write leaves the
 * old file whole. Creates the folder when missing.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const tmp = join(folder, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
