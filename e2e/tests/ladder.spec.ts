import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeVideo, node, openDesigner } from './helpers.js';

test.skip(process.env.REELFLOW_E2E_RUNTIME !== '1', 'needs the runtime');
test.setTimeout(300_000);

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelflow-ladder-'));
  // A 6 s 1080p clip with sound: every rung of the ladder is at most the source's size.
  makeVideo(join(dir, 'hd.mp4'), { seconds: 6, size: '1920x1080', audio: true, gop: 50 });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the shipped ABR ladder runs, plays behind its master playlist, and switches forced levels', async ({
  page,
}) => {
  await openDesigner(page);
  await page.getByTestId('example-abr-ladder').click();
  await expect(node(page, 'enc360')).toBeVisible();
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(join(dir, 'hd.mp4'));
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'succeeded', {
    timeout: 240_000,
  });
  for (const id of ['enc1080', 'enc720', 'enc480', 'enc360', 'out'])
    await expect(node(page, id)).toHaveAttribute('data-state', 'done');

  const master = page
    .getByTestId('outputs')
    .locator('[data-testid="output"][data-path$="master.m3u8"]');
  await expect(master).toHaveCount(1);
  const player = page.getByTestId('player');
  await expect(player).toHaveAttribute('data-src', /master\.m3u8$/);
  const levels = page.getByTestId('player-level');
  await expect(levels.locator('option')).toHaveCount(5);
  await player.evaluate((v: HTMLVideoElement) => v.play());

  // Forced to each end of the ladder, the player says which rendition plays.
  for (const height of ['360', '1080']) {
    const value = await levels.locator('option', { hasText: `${height}p` }).getAttribute('value');
    await levels.selectOption(value!);
    await expect(page.getByTestId('player-playing')).toHaveAttribute('data-height', height, {
      timeout: 30_000,
    });
  }
  await levels.selectOption('-1');
});
