import { expect, test } from '@playwright/test';
import {
  connect,
  CORE_TYPES,
  dropNode,
  graphEdges,
  handle,
  node,
  openDesigner,
} from './helpers.js';

test.beforeEach(async ({ page }) => openDesigner(page));

test('every node type can be dragged from the palette onto the canvas', async ({ page }) => {
  for (const [i, type] of CORE_TYPES.entries()) {
    await dropNode(page, type, { x: 120 + (i % 3) * 260, y: 120 + Math.floor(i / 3) * 220 });
    await expect(node(page, type)).toHaveAttribute('data-node-type', type);
  }
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(CORE_TYPES.length);
});

test('a valid graph is wired by dragging handle to handle', async ({ page }) => {
  const chain = ['source', 'split', 'encode', 'merge', 'stream'];
  for (const [i, type] of chain.entries())
    await dropNode(page, type, { x: 70 + i * 160, y: 120 + (i % 2) * 200 });
  for (let i = 0; i + 1 < chain.length; i++)
    await connect(page, [chain[i]!, 'out'], [chain[i + 1]!, 'in']);
  expect(await graphEdges(page)).toEqual([
    { from: 'source.out', to: 'split.in' },
    { from: 'split.out', to: 'encode.in' },
    { from: 'encode.out', to: 'merge.in' },
    { from: 'merge.out', to: 'stream.in' },
  ]);
  await page.getByTestId('validate').click();
  await expect(
    page.getByTestId('diagnostic').and(page.locator('[data-severity="error"]')),
  ).toHaveCount(0);
  for (const type of chain) await expect(node(page, type)).toHaveAttribute('data-issues', '0');
});

test('a connection between ports of different data types is refused and says why', async ({
  page,
}) => {
  await dropNode(page, 'source', { x: 150, y: 200 });
  await dropNode(page, 'encode', { x: 550, y: 200 });
  // While dragging, the target handle is marked invalid.
  const from = await handle(page, 'source', 'out', 'source').boundingBox();
  const to = await handle(page, 'encode', 'in', 'target').boundingBox();
  await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
  await page.mouse.down();
  await page.mouse.move(to!.x + to!.width / 2, to!.y + to!.height / 2, { steps: 12 });
  await expect(handle(page, 'encode', 'in', 'target')).toHaveClass(/connectingto/);
  await expect(handle(page, 'encode', 'in', 'target')).not.toHaveClass(/\bvalid\b/);
  await page.mouse.up();
  expect(await graphEdges(page)).toEqual([]);
  await expect(page.getByTestId('notice')).toContainText('video');
  await expect(page.getByTestId('notice')).toHaveAttribute('data-tone', 'error');
});

test('an invalid parameter marks the node and shows its error inline', async ({ page }) => {
  await dropNode(page, 'encode', { x: 300, y: 200 });
  await node(page, 'encode').click();
  await expect(page.getByTestId('properties')).toBeVisible();
  await page.getByTestId('param-crf').fill('99');
  await expect(page.getByTestId('param-error-crf')).toBeVisible();
  await expect(node(page, 'encode')).not.toHaveAttribute('data-issues', '0');
  const marker = page.locator(
    '[data-testid="diagnostic"][data-code="param-invalid"][data-element="encode"]',
  );
  await expect(marker.first()).toBeVisible();
  await page.getByTestId('param-crf').fill('28');
  await expect(marker).toHaveCount(0);
});

test('undo and redo walk through every edit', async ({ page }) => {
  await dropNode(page, 'source', { x: 150, y: 200 });
  await dropNode(page, 'split', { x: 450, y: 200 });
  await connect(page, ['source', 'out'], ['split', 'in']);
  expect(await graphEdges(page)).toHaveLength(1);
  await page.getByTestId('undo').click();
  expect(await graphEdges(page)).toHaveLength(0);
  await page.getByTestId('undo').click();
  await expect(node(page, 'split')).toHaveCount(0);
  await page.getByTestId('redo').click();
  await expect(node(page, 'split')).toBeVisible();
  await page.getByTestId('redo').click();
  expect(await graphEdges(page)).toHaveLength(1);
  // Delete is undoable too, from the keyboard.
  await node(page, 'split').click();
  await page.keyboard.press('Delete');
  await expect(node(page, 'split')).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(node(page, 'split')).toBeVisible();
  expect(await graphEdges(page)).toHaveLength(1);
});

test('copy and paste keep the edges inside the selection', async ({ page }) => {
  await dropNode(page, 'source', { x: 150, y: 150 });
  await dropNode(page, 'split', { x: 450, y: 150 });
  await connect(page, ['source', 'out'], ['split', 'in']);
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(node(page, 'source-2')).toBeVisible();
  await expect(node(page, 'split-2')).toBeVisible();
  expect(await graphEdges(page)).toContainEqual({ from: 'source-2.out', to: 'split-2.in' });
});

test('auto-layout places a chain left to right without overlaps', async ({ page }) => {
  const chain = ['source', 'split', 'encode', 'merge', 'stream'];
  // Dropped in reverse order on a grid, so the chain runs backwards before the layout.
  const grid = [
    { x: 40, y: 40 },
    { x: 300, y: 40 },
    { x: 560, y: 40 },
    { x: 40, y: 330 },
    { x: 300, y: 330 },
  ];
  for (const [i, type] of [...chain].reverse().entries()) await dropNode(page, type, grid[i]!);
  for (let i = 0; i + 1 < chain.length; i++)
    await connect(page, [chain[i]!, 'out'], [chain[i + 1]!, 'in']);
  await page.getByTestId('layout').click();
  await expect
    .poll(async () => {
      const boxes = await Promise.all(
        chain.map(async (id) => (await node(page, id).boundingBox())!),
      );
      return boxes.every((b, i) => i === 0 || b.x >= boxes[i - 1]!.x + boxes[i - 1]!.width);
    })
    .toBe(true);
  await page.getByTestId('undo').click();
  await expect
    .poll(
      async () =>
        (await node(page, 'stream').boundingBox())!.x <
        (await node(page, 'source').boundingBox())!.x,
    )
    .toBe(true);
});

test('the help overlay lists the shortcuts', async ({ page }) => {
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toContainText('Undo');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).toHaveCount(0);
});

test('a box selection with Shift selects several nodes, deleted and restored together', async ({
  page,
}) => {
  await dropNode(page, 'source', { x: 100, y: 100 });
  await dropNode(page, 'split', { x: 360, y: 100 });
  await dropNode(page, 'stream', { x: 360, y: 400 });
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(canvas.x + 60, canvas.y + 60);
  await page.mouse.down();
  await page.mouse.move(canvas.x + 620, canvas.y + 300, { steps: 10 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await page.keyboard.press('Delete');
  await expect(node(page, 'source')).toHaveCount(0);
  await expect(node(page, 'split')).toHaveCount(0);
  await expect(node(page, 'stream')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(node(page, 'source')).toBeVisible();
  await expect(node(page, 'split')).toBeVisible();
});
