import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './atomic-write.js';

describe('writeFileAtomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelflow-atomic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder, replaces the file whole and leaves no temporary file', async () => {
    const path = join(dir, 'out', 'live.m3u8');
    await writeFileAtomically(path, 'first');
    await writeFileAtomically(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'out'))).toEqual(['live.m3u8']);
  });

  it('fails without touching what is there, and cleans its temporary file up', async () => {
    // A non-empty folder where the file should go: the rename fails after the write.
    const blocked = join(dir, 'blocked');
    await writeFileAtomically(join(blocked, 'x'), 'kept');
    await expect(writeFileAtomically(blocked, 'new')).rejects.toThrow();
    expect(readFileSync(join(blocked, 'x'), 'utf8')).toBe('kept');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
