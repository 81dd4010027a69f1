/** JSON writing for the fuzz suite, where documents may be nested too deep for the built-in. */

/**
 * `JSON.stringify` without recursion, so a document nested thousands deep still becomes text
 * (the built-in overflows the stack there). Same output for everything a JSON document holds.
 */
export function toJsonText(root: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or literal text (closing brackets, commas).
  const stack: ({ value: unknown } | string)[] = [{ value: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { value } = item;
    if (typeof value !== 'object' || value === null) {
      out.push(JSON.stringify(value) ?? 'null');
      continue;
    }
    const array = Array.isArray(value);
    const entries = array
      ? value.map((v) => ['', v] as const)
      : Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
    const parts: ({ value: unknown } | string)[] = [array ? '[' : '{'];
    entries.forEach(([k, v], i) => {
      if (i > 0) parts.push(',');
      if (!array) parts.push(`${JSON.stringify(k)}:`);
      parts.push({ value: v });
    });
    parts.push(array ? ']' : '}');
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
  }
  return out.join('');
}

/** A short, printable view of any value (however deep) for failure messages. */
export function preview(value: unknown, max = 500): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : toJsonText(value);
  } catch (err) {
    text = `<unprintable: ${(err as Error).message}>`;
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** How deeply a value nests arrays and objects (a scalar is 0), without recursion. */
export function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const v of Object.values(value)) stack.push({ value: v, depth: depth + 1 });
  }
  return deepest;
}
