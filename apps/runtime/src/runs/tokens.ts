import type { TaskSpec, Token } from '@reelflow/fbp-model';
import { outputTokens } from '@reelflow/library';
import type { FoundOutput } from './outputs.js';

/**
 * The tokens a finished task emits: the library's `outputTokens` (one implementation for the
 * runtime and the tests) over the files found on disk, plus each file's size in bytes.
 */
export function outputTokensFor(spec: TaskSpec, found: readonly FoundOutput[]): Token[] {
  const sizes = new Map(
    found.flatMap((f) => f.files.map((file) => [file.path, file.bytes] as const)),
  );
  const segmentList = found.find((f) => f.segmentList !== undefined)?.segmentList;
  return outputTokens(spec, [...sizes.keys()], segmentList).map((t) => {
    const bytes = sizes.get(t.path);
    return bytes === undefined ? t : { ...t, bytes };
  });
}
