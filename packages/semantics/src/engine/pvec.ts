/**
 * A persistent vector: a list stored as fixed-size chunks, so that changing one element
 * copies one chunk and the (short) chunk list instead of the whole list. The engine keeps
 * thousands of tasks and must return a new state from every step without mutating the old
 * one; copying whole arrays there would make a run quadratic in its chunk count.
 *
 * It is plain data (nested arrays), so it survives a JSON round-trip unchanged.
 */
export interface PVec<T> {
  readonly size: number;
  readonly chunks: readonly (readonly T[])[];
}

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** An empty vector. */
export function pvecEmpty<T>(): PVec<T> {
  return { size: 0, chunks: [] };
}

/** The element at `index`, or undefined past the end. */
export function pvecGet<T>(vec: PVec<T>, index: number): T | undefined {
  if (index < 0 || index >= vec.size) return undefined;
  return vec.chunks[index >> BITS]?.[index & MASK];
}

/**
 * A new vector with `value` at `index`. Writing past the end grows the vector; the gap
 * is filled with `fill` so the chunks stay dense arrays (JSON has no holes).
 */
export function pvecSet<T>(vec: PVec<T>, index: number, value: T, fill?: T): PVec<T> {
  const chunkIndex = index >> BITS;
  const chunks = vec.chunks.slice();
  while (chunks.length <= chunkIndex) chunks.push([]);
  const chunk = chunks[chunkIndex]!.slice();
  const offset = index & MASK;
  while (chunk.length < offset) chunk.push(fill as T);
  chunk[offset] = value;
  chunks[chunkIndex] = chunk;
  return { size: Math.max(vec.size, index + 1), chunks };
}

/** A new vector with `value` appended. */
export function pvecPush<T>(vec: PVec<T>, value: T): PVec<T> {
  return pvecSet(vec, vec.size, value);
}

/** The elements in order, as a fresh array. */
export function pvecToArray<T>(vec: PVec<T>): T[] {
  return vec.chunks.flat() as T[];
}
