import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DOCS, loadExample, makeVideo, node, openDesigner } from './helpers.js';

// A real run needs the runtime (`reelflow serve`); against `vite preview` there is none.
test.skip(
  process.env.REELFLOW_E2E_RUNTIME !== '1',
  'needs the runtime: build apps/runtime to serve the designer',
);
test.setTimeout(300_000);

const inputDirs: string[] = [];
test.afterAll(() => {
  for (const dir of inputDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A short real video with frequent keyframes, so the split makes several chunks. */
function makeInput(seconds = 8): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelflow-input-'));
  inputDirs.push(dir);
  return makeVideo(join(dir, 'clip.mp4'), { seconds, size: '640x360', audio: true, gop: 25 });
}

test('a real run takes every node to done, plays its output and is listed with its graph', async ({
  page,
}) => {
  const input = makeInput();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openDesigner(page);
  await loadExample(page);
  // Two-second segments: the 8 s clip fans out into four chunks.
  await node(page, 'split').click();
  await page.getByTestId('param-segmentSeconds').fill('2');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });

  await page.getByTestId('run').click();
  const state = page.getByTestId('run-state');
  await expect(state).toHaveAttribute('data-state', /queued|validating|deploying|running/);
  await expect(state).toHaveAttribute('data-state', 'succeeded', { timeout: 240_000 });
  for (const id of ['src', 'split', 'xfer', 'enc', 'back', 'merge', 'out']) {
    await expect(node(page, id)).toHaveAttribute('data-state', 'done');
  }
  // The fan-out shows one compact strip, not one canvas node per chunk.
  await expect(page.getByTestId('progress-enc').locator('.chunk')).toHaveCount(4);

  const player = page.getByTestId('player');
  await expect(player).toHaveAttribute('data-src', /\/api\/runs\/.+\/outputs\//, {
    timeout: 30_000,
  });
  await expect
    .poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(2);
  await player.evaluate((v: HTMLVideoElement) => v.play());
  await expect
    .poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 })
    .toBeGreaterThan(0.2);

  await node(page, 'enc').click();
  await expect(page.getByTestId('logs')).not.toBeEmpty();
  await page.getByTestId('player').evaluate((v: HTMLVideoElement) => v.pause());
  await page.screenshot({ path: join(DOCS, 'run.png') });

  // Saved on the runtime, the graph reopens with its past runs and their status.
  await page.getByTestId('save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved');
  await page.getByTestId('run-state').getByRole('button', { name: 'Clear' }).click();
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'idle');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('open-transcode-720p')).toBeVisible();
  const history = page.getByTestId('run-history').locator('button').first();
  await expect(history.locator('.status-pill')).toHaveText('succeeded');
  await history.click();
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'succeeded');

  // Its outputs are listed with kind and size; each downloads, and each playable one plays.
  await page.getByTestId('tab-run').click();
  const outputs = page.getByTestId('outputs');
  await expect(outputs.locator('[data-testid="output"][data-kind="playlist"]')).toHaveCount(1);
  const mp4 = outputs.locator('[data-testid="output"][data-kind="video"]').first();
  await expect(mp4).toHaveAttribute('data-path', /\.mp4$/);
  await expect(mp4).toContainText(/\d (kB|MB)/);
  await expect(mp4).toContainText(/0:0[78]\.\d/);
  const href = (await mp4.getByTestId('output-download').getAttribute('href'))!;
  const download = await page.request.get(href);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toBe('video/mp4');
  await mp4.getByTestId('output-play').click();
  await expect(player).toHaveAttribute('data-src', /\.mp4$/);

  // The run belongs to its graph: another graph with the same node ids shows none of it, and
  // the run comes back with its graph.
  const doc = (await (await page.request.get('/api/graphs/transcode-720p')).json()) as object;
  await page.request.put('/api/graphs/e2e-other', { data: { ...doc, id: 'e2e-other' } });
  await page.getByTestId('tab-files').click();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByTestId('open-e2e-other').click();
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'idle');
  await expect(page.locator('[data-testid^="progress-"]')).toHaveCount(0);
  await page.getByTestId('open-transcode-720p').click();
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'done');
  await page.request.delete('/api/graphs/e2e-other');
  await page.request.delete('/api/graphs/transcode-720p');
});

test('a failed run offers Retry where the runtime takes it, and says which settings it uses', async ({
  page,
}) => {
  const input = makeInput(30);
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'enc').click();
  await page.getByTestId('param-preset').selectOption('slow');
  await page.getByTestId('param-retries').fill('0');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('run').click();
  const state = page.getByTestId('run-state');
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  // A real fault: the encodes are killed; with no retries left their node fails.
  execFileSync('pkill', ['-KILL', '-f', 'work/enc/chunk_']);
  await expect(state).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  await expect(page.getByTestId('retry-enc')).toBeVisible();
  await expect(page.getByTestId('retry-split')).toHaveCount(0);
  await expect(page.getByTestId('retry-note')).toContainText('settings the run started with');

  // Edited since: Retry says it uses the old value, and a new run with the new one is offered.
  await node(page, 'enc').click();
  await page.getByTestId('tab-properties').click();
  await page.getByTestId('param-crf').fill('30');
  await page.getByTestId('param-crf').blur();
  await page.getByTestId('tab-run').click();
  await expect(page.getByTestId('retry-changes')).toContainText('enc.crf ran with 23, now 30');
  await expect(page.getByTestId('rerun')).toBeVisible();

  // A refusal is shown with the runtime's reason.
  await page.route('**/api/runs/*/nodes/enc/retry', (route) =>
    route.fulfill({
      status: 409,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'only a running or failed run can retry a node' }),
    }),
  );
  await page.getByTestId('retry-enc').click();
  await expect(page.getByTestId('notice')).toContainText(
    'Retry failed: only a running or failed run can retry a node',
  );
  await page.unroute('**/api/runs/*/nodes/enc/retry');

  await page.getByTestId('retry-enc').click();
  await expect(state).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await page.getByTestId('cancel').click();
  await expect(state).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
  // A cancelled run is over: nothing offers a retry the runtime would refuse.
  await expect(page.locator('[data-testid^="retry-"]')).toHaveCount(0);
});

test('cancel stops a running run', async ({ page }) => {
  const input = makeInput(40);
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'split').click();
  await page.getByTestId('param-segmentSeconds').fill('2');
  await node(page, 'enc').click();
  await page.getByTestId('param-preset').selectOption('slow');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('run').click();
  const state = page.getByTestId('run-state');
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await page.getByTestId('cancel').click();
  await expect(state).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
  await expect(node(page, 'merge')).not.toHaveAttribute('data-state', 'done');
});

test('a failed node shows why and can be retried', async ({ page }) => {
  const input = makeInput(30);
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'enc').click();
  await page.getByTestId('param-preset').selectOption('slow');
  await page.getByTestId('param-retries').fill('0');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('run').click();
  const state = page.getByTestId('run-state');
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  // A real fault: the encodes' ffmpeg processes are killed; with no retries the node fails.
  execFileSync('pkill', ['-KILL', '-f', 'work/enc/chunk_']);
  await expect(state).toHaveAttribute('data-state', 'failed', { timeout: 120_000 });
  await expect(node(page, 'enc')).toHaveAttribute('data-state', 'failed');
  await node(page, 'enc').click();
  const logs = page.getByTestId('logs');
  await expect(logs).not.toBeEmpty();
  const before = (await logs.textContent())!.length;
  await page.getByTestId('retry-enc').click();
  // The retry runs the node again: the run is running and a new attempt writes more log lines.
  await expect(state).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  await expect
    .poll(async () => (await logs.textContent())!.length, { timeout: 120_000 })
    .toBeGreaterThan(before);
  await page.getByTestId('cancel').click();
  await expect(state).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
});

test('a hardware encode the machine cannot run is refused at Run, saying why', async ({ page }) => {
  test.skip(existsSync('/dev/dri/renderD128'), 'this machine has a VAAPI render node');
  const input = makeInput(4);
  await openDesigner(page);
  await loadExample(page);
  await node(page, 'enc').click();
  await page.getByTestId('param-implementation').selectOption('hardware');
  await page.getByTestId('tab-run').click();
  await page.getByTestId('input-file').setInputFiles(input);
  await expect(page.getByTestId('upload')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  await page.getByTestId('run').click();
  // The runtime's executor-capability check refuses it (422) before any task starts.
  await expect(page.getByTestId('notice')).toContainText('Run not started');
  await expect(page.getByTestId('notice')).toContainText('/dev/dri/renderD128');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'failed');
  await expect(node(page, 'enc')).not.toHaveAttribute('data-state', 'running');
});
