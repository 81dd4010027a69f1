import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DOCS, loadExample, node, openDesigner } from './helpers.js';

// The README's pictures of the editor and of a simulation, taken from the real build.
test.use({ viewport: { width: 1920, height: 1080 } });

test('screenshot of the editor', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('layout').click();
  // A problem to show: a CRF out of range on the encoder.
  await node(page, 'enc').click();
  await page.getByTestId('param-crf').fill('60');
  await expect(node(page, 'enc')).not.toHaveAttribute('data-issues', '0');
  await page.getByTestId('param-crf').blur();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(DOCS, 'editor.png') });
});

test('screenshot of a simulation', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('layout').click();
  await page.getByTestId('simulate').click();
  await page.getByTestId('sim-chunks').fill('6');
  // Step until eight firings completed (one step may complete none while tasks start).
  const status = page.getByTestId('sim-status');
  while (Number(await status.getAttribute('data-step')) < 8) await page.getByTestId('step').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(DOCS, 'simulation.png') });
});
