import { expect, test, type Page } from '@playwright/test';
import { loadExample, node, openDesigner } from './helpers.js';

const runtime = process.env.REELFLOW_E2E_RUNTIME === '1';
test.skip(!runtime, 'saving needs the runtime');

/** The graph stored on the runtime under `id`, with its version (from the ETag). */
async function stored(page: Page, id: string) {
  const res = await page.request.get(`/api/graphs/${id}`);
  if (res.status() === 404) return undefined;
  const doc = (await res.json()) as { nodes: { id: string; params: Record<string, unknown> }[] };
  return { etag: res.headers()['etag'], crf: doc.nodes.find((n) => n.id === 'enc')?.params.crf };
}

async function setCrf(page: Page, crf: number) {
  await node(page, 'enc').click();
  await page.getByTestId('param-crf').fill(String(crf));
  await page.getByTestId('param-crf').blur();
}

const notice = (page: Page) => page.getByTestId('notice');

test.afterEach(async ({ page }) => {
  // The run tests save the example too: leave the runtime as it was.
  for (const id of ['transcode-720p', 'e2e-copy']) await page.request.delete(`/api/graphs/${id}`);
});

test('saving over a different stored graph asks, and an earlier save can be restored', async ({
  page,
}) => {
  await openDesigner(page);
  await loadExample(page);
  await setCrf(page, 30);
  await expect(page.getByTestId('dirty')).toBeVisible();
  await page.getByTestId('save').click();
  await expect(notice(page)).toContainText('Saved');
  await expect(page.getByTestId('dirty')).toHaveCount(0);
  expect(await stored(page, 'transcode-720p')).toEqual({ etag: '"1"', crf: 30 });

  // A new flow gets an id of its own; the example loaded again is not the saved graph.
  await page.getByTestId('new').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  await loadExample(page);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+s');
  const confirm = page.getByTestId('confirm');
  await expect(confirm).toBeVisible();
  await expect(page.getByTestId('confirm-text')).toContainText('transcode-720p');
  await page.getByTestId('confirm-cancel').click();
  await expect(confirm).toHaveCount(0);
  await expect(notice(page)).toContainText('Not saved');
  expect(await stored(page, 'transcode-720p')).toEqual({ etag: '"1"', crf: 30 });

  // Replacing, when asked, keeps the earlier save in the graph's history.
  await page.getByTestId('save').click();
  await page.getByTestId('confirm-ok').click();
  await expect(notice(page)).toContainText('version 2');
  expect(await stored(page, 'transcode-720p')).toEqual({ etag: '"2"', crf: 23 });

  await page.getByTestId('open').click();
  await page.getByTestId('history-of-transcode-720p').click();
  await expect(page.getByTestId('version')).toHaveCount(2);
  await page.getByTestId('restore-1').click();
  await expect(notice(page)).toContainText('Restored version 1');
  expect(await stored(page, 'transcode-720p')).toEqual({ etag: '"3"', crf: 30 });
  await expect(page.getByTestId('version')).toHaveCount(3);
  await node(page, 'enc').click();
  await expect(page.getByTestId('param-crf')).toHaveValue('30');
  await expect(page.getByTestId('dirty')).toHaveCount(0);
});

test('unsaved changes are kept unless the person lets them go', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await setCrf(page, 31);
  await page.getByTestId('new').click();
  await expect(page.getByTestId('confirm')).toContainText('not saved');
  await page.getByTestId('confirm-cancel').click();
  await expect(node(page, 'enc')).toBeVisible();
  await expect(page.getByTestId('dirty')).toBeVisible();

  // "Save first" saves, then goes on.
  await page.getByTestId('new').click();
  await page.getByTestId('confirm-alt').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  expect((await stored(page, 'transcode-720p'))?.crf).toBe(31);

  await loadExample(page);
  await setCrf(page, 32);
  await page.getByTestId('new').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(0);
  expect((await stored(page, 'transcode-720p'))?.crf).toBe(31);
});

test('save as makes a new graph and leaves the one it came from alone', async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('save').click();
  await expect(notice(page)).toContainText('Saved');
  await setCrf(page, 28);
  await page.getByTestId('save-as').click();
  await page.getByTestId('confirm-input').fill('E2E copy');
  await page.getByTestId('confirm-ok').click();
  await expect(notice(page)).toContainText('Saved “E2E copy”');
  await expect(page.getByLabel('Graph name')).toHaveValue('E2E copy');
  expect((await stored(page, 'e2e-copy'))?.crf).toBe(28);
  expect((await stored(page, 'transcode-720p'))?.crf).toBe(23);
  // Saving again updates the copy, not the original.
  await setCrf(page, 27);
  await page.getByTestId('save').click();
  await expect(notice(page)).toContainText('version 2');
  expect(await stored(page, 'e2e-copy')).toEqual({ etag: '"2"', crf: 27 });
});
