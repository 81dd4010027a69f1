import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';

/** Where the README's screenshots go. */
export const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

/** The node types of CONTRACTS section 1: the palette must offer at least these. */
export const CORE_TYPES = ['source', 'split', 'transfer', 'encode', 'merge', 'stream'] as const;

export const node = (page: Page, id: string): Locator => page.getByTestId(`node-${id}`);

export function handle(
  page: Page,
  nodeId: string,
  port: string,
  kind: 'source' | 'target',
): Locator {
  return page.locator(
    `.react-flow__handle.${kind}[data-nodeid="${nodeId}"][data-handleid="${port}"]`,
  );
}

/** Open the designer on an empty canvas. */
export async function openDesigner(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('canvas')).toBeVisible();
}

/** Drag a node type from the palette and drop it at a point of the canvas (canvas coordinates). */
export async function dropNode(
  page: Page,
  type: string,
  at: { x: number; y: number },
): Promise<void> {
  await page
    .getByTestId(`palette-${type}`)
    .dragTo(page.getByTestId('canvas'), { targetPosition: at });
}

/** Draw an edge by dragging from an output handle to an input handle, as a user does. */
export async function connect(
  page: Page,
  from: [string, string],
  to: [string, string],
): Promise<void> {
  const a = await handle(page, from[0], from[1], 'source').boundingBox();
  const b = await handle(page, to[0], to[1], 'target').boundingBox();
  if (!a || !b) throw new Error(`handle not found: ${from.join('.')} or ${to.join('.')}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** Load the 720p example through the empty-canvas button. */
export async function loadExample(page: Page): Promise<void> {
  await page.getByTestId('load-example').click();
  await expect(node(page, 'enc')).toBeVisible();
  await viewportSettled(page);
}

/**
 * Wait until the canvas stops moving: a new graph is fitted into view once its nodes are
 * measured, a few frames after they appear, and a click aimed before that lands where a node
 * no longer is.
 */
export async function viewportSettled(page: Page): Promise<void> {
  const box = async () => JSON.stringify(await node(page, 'enc').boundingBox());
  let last = await box();
  await expect
    .poll(
      async () => {
        await page.waitForTimeout(250);
        const now = await box();
        const still = now === last;
        last = now;
        return still;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
}

/** Edges of the current graph document, read from the app's store. */
export async function graphEdges(page: Page): Promise<Array<{ from: string; to: string }>> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __reelflow: {
        store: {
          getState(): {
            graph: {
              edges: Array<{
                from: { node: string; port: string };
                to: { node: string; port: string };
              }>;
            };
          };
        };
      };
    };
    return w.__reelflow.store.getState().graph.edges.map((e) => ({
      from: `${e.from.node}.${e.from.port}`,
      to: `${e.to.node}.${e.to.port}`,
    }));
  });
}

/**
 * A real test video made by ffmpeg at `file`: testsrc2 at 25 fps, H.264 (and a 440 Hz AAC tone
 * with `audio`), a keyframe every `gop` frames when given. Returns `file`.
 */
export function makeVideo(
  file: string,
  opts: { seconds: number; size: string; audio?: boolean; gop?: number },
): string {
  const { seconds, size } = opts;
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=duration=${seconds}:size=${size}:rate=25`,
    ...(opts.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`] : []),
    '-c:v', 'libx264', '-preset', 'ultrafast',
    ...(opts.gop === undefined ? [] : ['-g', String(opts.gop)]),
    '-pix_fmt', 'yuv420p',
    ...(opts.audio ? ['-c:a', 'aac', '-shortest'] : []),
    file,
  ]);
  return file;
}
