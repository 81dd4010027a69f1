import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { calibrationSchema, type Calibration } from '@reelflow/fbp-model';
import { HttpError } from './errors.js';

/** Where `reelflow calibrate` writes by default, relative to a directory. */
const CALIBRATION_FILE = join('.reelflow', 'calibration.json');

/**
 * The calibration files the runtime looks at, in order: the one it was given (`reelflow serve
 * --calibration FILE`), else `calibration.json` in the data dir (with the default data dir
 * `.reelflow` that is where `reelflow calibrate` writes), `.reelflow/calibration.json` under
 * the data dir, then under the working directory.
 */
export function calibrationCandidates(dataDir: string, file?: string): string[] {
  if (file !== undefined) return [resolve(file)];
  return [
    ...new Set([
      join(dataDir, 'calibration.json'),
      join(dataDir, CALIBRATION_FILE),
      resolve(CALIBRATION_FILE),
    ]),
  ];
}

/**
 * The calibration the runtime uses, with its file; 404 when there is none, 500 naming the
 * file and the field when a file is there but is not a calibration.
 */
export async function readRuntimeCalibration(
  candidates: readonly string[],
): Promise<{ file: string; calibration: Calibration }> {
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new HttpError(500, `cannot read the calibration ${file}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new HttpError(500, `the calibration ${file} is not JSON: ${(err as Error).message}`);
    }
    const parsed = calibrationSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new HttpError(
        500,
        `the calibration ${file} is not a calibration: ${where}${issue?.message ?? 'unknown problem'}`,
      );
    }
    return { file, calibration: parsed.data };
  }
  throw new HttpError(
    404,
    `this runtime has no calibration (looked at ${candidates.join(', ')}); run \`reelflow calibrate\` to measure this machine`,
  );
}
