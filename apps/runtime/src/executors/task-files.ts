import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskSpec } from '@reelflow/fbp-model';

/**
 * Write a task's small input files (`TaskSpec.files`, e.g. a concat list) into the run
 * directory before it starts. Paths are relative to the run directory; one that would land
 * outside it is refused, so a compiled spec can never write elsewhere on the host.
 */
export async function writeTaskFiles(runDir: string, spec: TaskSpec): Promise<void> {
  for (const file of spec.files ?? []) {
    const target = resolveInside(runDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}

/** `relative` resolved under `root`; throws when it escapes `root` (`..`, absolute paths). */
export function resolveInside(root: string, relative: string): string {
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (path.isAbsolute(relative) || (target !== base && !target.startsWith(base + path.sep))) {
    throw new Error(`task file '${relative}' is outside the run directory ${base}`);
  }
  return target;
}
