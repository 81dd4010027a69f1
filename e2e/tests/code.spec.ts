import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { graphEdges, loadExample, node, openDesigner } from './helpers.js';

/** Replace the whole text of the Monaco editor in `panel`, as a user pasting would. */
async function replaceEditorText(page: Page, panel: string, text: string): Promise<void> {
  const editor = page.getByTestId(panel).locator('.monaco-editor');
  await expect(editor).toBeVisible();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  // Pasted, not typed: typing would trigger Monaco's auto-closing of brackets and quotes.
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+v');
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test.beforeEach(async ({ page }) => {
  await openDesigner(page);
  await loadExample(page);
});

test('edits in the JSON tab round-trip to the canvas; schema errors show as markers', async ({
  page,
}) => {
  await page.getByTestId('tab-json').click();
  const text = await page.evaluate(() =>
    JSON.stringify(
      (
        window as unknown as { __reelflow: { store: { getState(): { graph: unknown } } } }
      ).__reelflow.store.getState().graph,
    ),
  );
  const doc = JSON.parse(text) as { nodes: Array<{ id: string; label?: string }> };
  doc.nodes.find((n) => n.id === 'enc')!.label = 'Encode 720p';
  await replaceEditorText(page, 'json-editor', JSON.stringify(doc, null, 2));
  await expect(node(page, 'enc')).toContainText('Encode 720p');

  // A node without a type is a schema error: marked in the editor, the canvas keeps the last good graph.
  delete (doc.nodes[0] as { type?: string }).type;
  await replaceEditorText(page, 'json-editor', JSON.stringify(doc, null, 2));
  await expect(page.getByTestId('json-status')).toContainText('type');
  // The marker sits on the node at the top, scrolled out of view: count markers, not squiggles.
  await expect(page.getByTestId('json-status')).not.toHaveAttribute('data-markers', '0');
  await expect(node(page, 'src')).toBeVisible();
  // The JSON editor's undo is separate; the canvas undo takes the label back.
  await page.getByTestId('tab-properties').click();
  await page.getByTestId('undo').click();
  await expect(node(page, 'enc')).not.toContainText('Encode 720p');
});

test('project constraints are coloured, checked for syntax, and evaluated by Validate', async ({
  page,
}) => {
  await page.getByTestId('tab-constraints').click();
  await replaceEditorText(page, 'ocl-editor', 'context encode inv broken: self.params.crf <=\n');
  await expect(page.getByTestId('ocl-status')).toContainText(/project\.ocl:\d+:\d+/);
  await expect(page.getByTestId('ocl-editor').locator('.squiggly-error').first()).toBeAttached();

  await replaceEditorText(
    page,
    'ocl-editor',
    "context encode inv gentleCrf 'keep crf at most 20': self.params.crf <= 20\n",
  );
  await expect(page.getByTestId('ocl-status')).not.toContainText(/\d+:\d+/);
  // Keywords are coloured by the Monarch tokenizer.
  await expect(
    page.getByTestId('ocl-editor').locator('.view-line span[class*="mtk"]').first(),
  ).toBeAttached();
  await page.getByTestId('validate').click();
  await expect(
    page.locator('[data-testid="diagnostic"][data-code="gentleCrf"][data-element="enc"]'),
  ).toBeVisible();
  // Selecting the diagnostic selects its node.
  await page.locator('[data-testid="diagnostic"][data-code="gentleCrf"]').click();
  await expect(page.getByTestId('param-crf')).toHaveValue('23');
});

test('export and import JSON, including NoFlo FBP JSON', async ({ page }) => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export').click(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
    nodes: unknown[];
  };
  expect(exported.nodes).toHaveLength(7);

  await page.getByTestId('tab-files').click();
  const [fbp] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-fbp').click(),
  ]);
  const fbpPath = (await fbp.path())!;
  expect(JSON.parse(readFileSync(fbpPath, 'utf8'))).toHaveProperty(
    'processes.enc.component',
    'encode',
  );

  // Start over, then import the FBP file: the same graph comes back.
  const before = await graphEdges(page);
  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect(node(page, 'enc')).toHaveCount(0);
  await page.getByTestId('import-file').setInputFiles({
    name: 'flow.fbp.json',
    mimeType: 'application/json',
    buffer: readFileSync(fbpPath),
  });
  // Deleting every node was an unsaved change: importing over it asks first.
  await expect(page.getByTestId('confirm')).toContainText('not saved');
  await page.getByTestId('confirm-ok').click();
  await expect(node(page, 'enc')).toBeVisible();
  expect(await graphEdges(page)).toEqual(before);
});

test('an imported edge that joins ports of different data types is marked on the canvas', async ({
  page,
}) => {
  const doc = {
    schemaVersion: 1,
    id: 'bad-edge',
    name: 'Bad edge',
    nodes: [
      { id: 'src', type: 'source', position: { x: 0, y: 0 }, params: {} },
      { id: 'enc', type: 'encode', position: { x: 300, y: 0 }, params: {} },
    ],
    edges: [{ id: 'e1', from: { node: 'src', port: 'out' }, to: { node: 'enc', port: 'in' } }],
  };
  await page.getByTestId('import-file').setInputFiles({
    name: 'bad.reelflow.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(doc)),
  });
  await expect(page.getByTestId('edge-e1')).not.toHaveAttribute('data-issues', '0');
  // Reported on the input port; its node and the edge on it are both marked.
  const entry = page.locator('[data-testid="diagnostic"][data-code="port-type-mismatch"]');
  await expect(entry).toHaveAttribute('data-element', 'enc.in');
  await expect(page.getByTestId('node-enc')).not.toHaveAttribute('data-issues', '0');
  await entry.click();
  await expect(page.getByTestId('properties')).toContainText('Encode');
});
