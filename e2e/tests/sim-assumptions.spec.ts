import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadExample, makeVideo, node, openDesigner } from './helpers.js';

const dirs: string[] = [];
test.afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('Simulate states its assumptions and the chunk count follows the split and the duration', async ({
  page,
}) => {
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'split').click();
  await page.getByTestId('param-segmentSeconds').fill('5');
  await page.getByTestId('simulate').click();
  const line = page.getByTestId('sim-assumptions');
  // No duration given: the 60 s default, said so; 60 / 5 = 12 chunks.
  await expect(line).toHaveAttribute('data-duration-source', 'default');
  await expect(line).toHaveAttribute('data-chunks', '12');
  await expect(line).toContainText('60 s input (assumed');

  await page.getByTestId('sim-duration').fill('42');
  await expect(line).toHaveAttribute('data-duration', '42');
  await expect(line).toHaveAttribute('data-chunks', '9');
  await expect(line).toHaveAttribute('data-chunks-source', 'segmentSeconds');
  await expect(line).toContainText('42 s input, 9 chunks (split: 42 s ÷ segmentSeconds)');
  await expect(line).toContainText('2 workers × 2 cores');
  await expect(line).toContainText(/calibrated on this machine|reference calibration/);
  await expect(page.getByTestId('sim-chunks')).toHaveValue('9');

  // An override is said to be one, and can be given back to the split.
  await page.getByTestId('sim-chunks').fill('3');
  await expect(line).toHaveAttribute('data-chunks-source', 'override');
  await expect(line).toContainText('3 chunks (your override of the split)');
  await page.getByTestId('sim-chunks-follow').click();
  await expect(line).toHaveAttribute('data-chunks', '9');
});

test('with an uploaded input, Simulate takes its duration', async ({ page }) => {
  test.skip(process.env.REELFLOW_E2E_RUNTIME !== '1', 'needs the runtime to upload');
  const dir = mkdtempSync(join(tmpdir(), 'reelflow-sim-input-'));
  dirs.push(dir);
  const input = makeVideo(join(dir, 'clip.mp4'), { seconds: 6, size: '320x240' });
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'split').click();
  await page.getByTestId('param-segmentSeconds').fill('2');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('simulate').click();
  const line = page.getByTestId('sim-assumptions');
  await expect(line).toHaveAttribute('data-duration-source', 'upload');
  expect(Number(await line.getAttribute('data-duration'))).toBeCloseTo(6, 0);
  await expect(line).toHaveAttribute('data-chunks', '3');
  await expect(line).toContainText('(the uploaded video)');
  await expect(page.getByTestId('sim-duration')).toBeDisabled();
});
