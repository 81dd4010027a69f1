import { expect, test } from '@playwright/test';
import { loadExample, node, openDesigner } from './helpers.js';

test('simulating the example to completion fires each node the expected number of times', async ({
  page,
}) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('simulate').click();
  await page.getByTestId('sim-chunks').fill('4');
  await page.getByTestId('sim-workers').fill('2');
  const status = page.getByTestId('sim-status');
  // src, split and 4 × (xfer, enc, back), merge, out
  await expect(status).toHaveAttribute('data-total', '16');
  // One step at a time first: the source fires, tokens move on its edge.
  await page.getByTestId('step').click();
  await expect(status).toHaveAttribute('data-step', '1');
  await expect(page.getByTestId('count-src')).toHaveAttribute('data-fired', '1');
  await page.getByTestId('step-back').click();
  await expect(status).toHaveAttribute('data-step', '0');
  await page.getByTestId('play').click();
  await expect(page.locator('circle.token-dot').first()).toBeAttached();
  await expect(status).toHaveAttribute('data-finished', 'true', { timeout: 30_000 });
  await expect(status).toHaveAttribute('data-deadlock', 'false');
  const expected = { src: 1, split: 1, xfer: 4, enc: 4, back: 4, merge: 1, out: 1 };
  for (const [id, fired] of Object.entries(expected)) {
    await expect(page.getByTestId(`count-${id}`)).toHaveAttribute('data-fired', String(fired));
    await expect(node(page, id)).toHaveAttribute('data-state', 'done');
  }
  expect(Number(await page.getByTestId('makespan').getAttribute('data-seconds'))).toBeGreaterThan(
    0,
  );
});

test('a breakpoint pauses the simulation before its node fires', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('simulate').click();
  await page.getByTestId('sim-chunks').fill('3');
  await page.getByTestId('breakpoint-merge').click();
  await page.getByTestId('play').click();
  const status = page.getByTestId('sim-status');
  await expect(status).toContainText('Breakpoint at merge', { timeout: 30_000 });
  await expect(page.getByTestId('count-merge')).toHaveAttribute('data-fired', '0');
  await expect(page.getByTestId('count-enc')).toHaveAttribute('data-fired', '3');
  await page.getByTestId('play').click();
  await expect(status).toHaveAttribute('data-finished', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('count-merge')).toHaveAttribute('data-fired', '1');
});
