import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The folders of one run: its input, intermediate work, outputs, and one log per node. */
export interface RunDir {
  readonly root: string;
  readonly input: string;
  readonly work: string;
  readonly outputs: string;
  readonly logs: string;
}

/** Where run `runId` lives under `dataDir`: `<dataDir>/runs/<runId>/`. */
export function runDirOf(dataDir: string, runId: string): RunDir {
  const root = resolve(dataDir, 'runs', runId);
  return {
    root,
    input: join(root, 'input'),
    work: join(root, 'work'),
    outputs: join(root, 'outputs'),
    logs: join(root, 'logs'),
  };
}

/** Create the run's folders (idempotent). */
export async function ensureRunDir(dir: RunDir): Promise<void> {
  await Promise.all(
    [dir.input, dir.work, dir.outputs, dir.logs].map((d) => mkdir(d, { recursive: true })),
  );
}

/** The log file of one node of a run. Node ids are validated names, but never trust them as paths. */
export function nodeLogPath(dir: RunDir, nodeId: string): string | undefined {
  return resolveInside(dir.logs, `${nodeId}.log`);
}

/**
 * Resolve a relative path under `root`, or `undefined` when it would leave `root` (`..`,
 * absolute paths, NUL bytes). Every route and file write that takes a path from outside
 * goes through here.
 */
export function resolveInside(root: string, rel: string): string | undefined {
  if (rel.includes('\0') || isAbsolute(rel)) return undefined;
  const base = resolve(root);
  const target = resolve(base, rel);
  const back = relative(base, target);
  if (back === '' || back === '..' || back.startsWith(`..${sep}`) || isAbsolute(back))
    return undefined;
  return target;
}
