import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadExample, makeVideo, node, openDesigner } from './helpers.js';

const dirs: string[] = [];
test.afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelflow-forms-'));
  dirs.push(dir);
  return dir;
}

test('crf 99 on h264 shows exactly one message, in the node’s words', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'enc').click();
  await page.getByTestId('param-codec').selectOption('h264');
  await page.getByTestId('param-crf').fill('99');
  const error = page.getByTestId('param-error-crf');
  await expect(error).toHaveCount(1);
  await expect(error).toHaveText('Crf for h264 must be 0–51');
  await expect(page.getByTestId('properties')).not.toContainText('Too big');
  await expect(page.getByTestId('properties')).not.toContainText('expected number');
});

test('letters and exponents typed into a number field are refused with a visible hint', async ({
  page,
}) => {
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'enc').click();
  const crf = page.getByTestId('param-crf');
  await crf.fill('');
  await crf.pressSequentially('2x');
  await expect(crf).toHaveValue('2x');
  const hint = page.getByTestId('param-refused-crf');
  await expect(hint).toContainText('crf takes a whole number 0–63');
  await expect(hint).toContainText('“2x” is refused');
  // The refused text is not in the document: crf stayed at what was accepted ("2").
  await node(page, 'split').click();
  await node(page, 'enc').click();
  await expect(page.getByTestId('param-crf')).toHaveValue('2');
  await page.getByTestId('param-crf').fill('1e3');
  await expect(page.getByTestId('param-refused-crf')).toContainText('no exponents like 1e3');
  await page.getByTestId('param-crf').fill('30');
  await expect(page.getByTestId('param-refused-crf')).toHaveCount(0);
});

test.describe('uploads', () => {
  test.skip(process.env.REELFLOW_E2E_RUNTIME !== '1', 'needs the runtime to upload');

  test('the same upload chosen twice confirms twice', async ({ page }) => {
    const input = makeVideo(join(tempDir(), 'clip.mp4'), { seconds: 2, size: '320x240' });
    let uploads = 0;
    page.on('response', (res) => {
      if (res.url().endsWith('/api/uploads') && res.request().method() === 'POST') uploads += 1;
    });
    await openDesigner(page);
    await loadExample(page);
    await page.getByTestId('tab-run').click();
    for (const expected of [1, 2]) {
      await page.getByTestId('input-file').setInputFiles(input);
      await expect.poll(() => uploads, { timeout: 30_000 }).toBe(expected);
      await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done');
      await expect(page.getByTestId('notice')).toContainText('Uploaded clip.mp4');
      // The picker forgets its choice, so a browser fires `change` for the same file again.
      await expect(page.getByTestId('input-file')).toHaveValue('');
    }
  });

  test('a refused upload says why', async ({ page }) => {
    const fake = join(tempDir(), 'notes.mp4');
    writeFileSync(fake, 'this is a text file, not a video\n'.repeat(20));
    await openDesigner(page);
    await loadExample(page);
    await page.getByTestId('tab-run').click();
    await page.getByTestId('input-file').setInputFiles(fake);
    await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'failed', {
      timeout: 30_000,
    });
    const error = page.getByTestId('upload-error');
    await expect(error).toContainText('notes.mp4 was not taken');
    await expect(error).toContainText('not a usable video');
  });
});
