import { writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';

/** Write `value` as JSON the way the repository's Prettier check wants it. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  const options = (await resolveConfig(path)) ?? {};
  await writeFile(
    path,
    await format(JSON.stringify(value), { ...options, parser: 'json', filepath: path }),
  );
}
