import { expect, test, type Locator, type Page } from '@playwright/test';
import { graphEdges, loadExample, node, openDesigner, viewportSettled } from './helpers.js';

/** The toolbar ids of CONTRACTS section 6. */
const TOOLBAR = [
  'validate',
  'simulate',
  'step',
  'run',
  'cancel',
  'undo',
  'redo',
  'layout',
  'save',
  'open',
  'export',
  'import',
] as const;

async function noSidewaysScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    client: document.scrollingElement!.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

async function insideViewport(page: Page, locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  const size = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(size.width);
  expect(box.y + box.height).toBeLessThanOrEqual(size.height);
}

/** Click a toolbar command, through the More menu when the bar has no room for it. */
async function clickCommand(page: Page, id: string): Promise<void> {
  if (!(await page.getByTestId(id).isVisible())) await page.getByTestId('more').click();
  await page.getByTestId(id).click();
}

const canvasWidth = async (page: Page) => (await page.getByTestId('canvas').boundingBox())!.width;

test.describe('at 1024×768', () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('Run and Cancel stay in view, every command is reachable, nothing scrolls sideways', async ({
    page,
  }) => {
    await openDesigner(page);
    await loadExample(page);
    await insideViewport(page, page.getByTestId('run'));
    await insideViewport(page, page.getByTestId('cancel'));
    await insideViewport(page, page.getByTestId('shortcuts'));
    await noSidewaysScroll(page);
    expect(await canvasWidth(page)).toBeGreaterThanOrEqual(600);

    await page.getByTestId('shortcuts').click();
    await expect(page.getByTestId('help')).toContainText('Undo');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help')).toHaveCount(0);

    // Each contract command is on the bar or one click away in More, and only once in the page.
    for (const id of TOOLBAR) {
      if (!(await page.getByTestId(id).isVisible())) {
        await page.getByTestId('more').click();
        await expect(page.getByTestId('more-menu')).toBeVisible();
      }
      await insideViewport(page, page.getByTestId(id));
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('more-menu')).toHaveCount(0);
    }

    // The menu is usable from the keyboard: it opens on its first item, arrows move.
    await page.getByTestId('more').click();
    await expect(page.getByTestId('new')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('save-as')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('fit')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('more-menu')).toHaveCount(0);
    await expect(page.getByTestId('more')).toBeFocused();

    // A command in the menu works like the bar's: Export downloads the graph.
    await expect(page.getByTestId('export')).toHaveCount(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      clickCommand(page, 'export'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    await expect(page.getByTestId('more-menu')).toHaveCount(0);
    await noSidewaysScroll(page);
  });

  test('the palette and the side panel collapse to rails, expand, and are remembered', async ({
    page,
  }) => {
    await openDesigner(page);
    await loadExample(page);
    const open = await canvasWidth(page);

    await page.getByTestId('toggle-palette').click();
    await expect(page.getByTestId('toggle-palette')).toHaveAttribute('aria-expanded', 'false');
    expect((await page.locator('.palette').boundingBox())!.width).toBeLessThan(60);
    // Collapsed, a node type is still a tile that drags onto the canvas.
    await page
      .getByTestId('palette-probe')
      .dragTo(page.getByTestId('canvas'), { targetPosition: { x: 300, y: 120 } });
    await expect(node(page, 'probe')).toBeVisible();

    await page.getByTestId('toggle-side').click();
    await expect(page.getByTestId('toggle-side')).toHaveAttribute('aria-expanded', 'false');
    expect((await page.locator('.side').boundingBox())!.width).toBeLessThan(50);
    expect(await canvasWidth(page)).toBeGreaterThan(open + 300);
    await noSidewaysScroll(page);

    // The choice survives a reload.
    await page.reload();
    await expect(page.getByTestId('canvas')).toBeVisible();
    await expect(page.getByTestId('toggle-palette')).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('toggle-side')).toHaveAttribute('aria-expanded', 'false');

    // A tab on the rail opens the panel on that tab; Open asks for the Files tab and opens it too.
    await page.getByTestId('tab-json').click();
    await expect(page.getByTestId('toggle-side')).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('tab-json')).toHaveAttribute('aria-selected', 'true');
    await page.getByTestId('toggle-side').click();
    await clickCommand(page, 'open');
    await expect(page.getByTestId('toggle-side')).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('tab-files')).toHaveAttribute('aria-selected', 'true');

    await page.getByTestId('toggle-palette').click();
    await expect(page.getByTestId('toggle-palette')).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('palette-source')).toContainText('Source');
    expect(await canvasWidth(page)).toBeGreaterThanOrEqual(600);
    await noSidewaysScroll(page);
  });
});

test('at 1440×900 every contract command is on the bar', async ({ page }) => {
  await openDesigner(page);
  for (const id of TOOLBAR) await insideViewport(page, page.getByTestId(id));
  await expect(page.getByTestId('more')).toHaveCount(0);
  await noSidewaysScroll(page);
});

/** The extent, in screen px, around `at` over which the element under the pointer is `handle`. */
async function hitBox(handle: Locator, at: { x: number; y: number }) {
  return handle.evaluate((el, c) => {
    const hits = (x: number, y: number) =>
      document.elementFromPoint(x, y)?.closest('.react-flow__handle') === el;
    const reach = (dx: number, dy: number) => {
      let d = 0;
      while (d < 60 && hits(c.x + dx * (d + 0.5), c.y + dy * (d + 0.5))) d += 0.5;
      return d;
    };
    const [left, right, up, down] = [reach(-1, 0), reach(1, 0), reach(0, -1), reach(0, 1)];
    const corners = [c.x - left + 1, c.x + right - 1].flatMap((x) =>
      [c.y - up + 1, c.y + down - 1].map((y) => hits(x, y)),
    );
    return {
      centre: hits(c.x, c.y),
      width: left + right,
      height: up + down,
      corners: corners.every(Boolean),
    };
  }, at);
}

async function storedPosition(page: Page, id: string) {
  return page.evaluate(
    (nodeId) =>
      (
        window as unknown as {
          __reelflow: {
            store: {
              getState(): { graph: { nodes: { id: string; position: unknown }[] } };
            };
          };
        }
      ).__reelflow.store
        .getState()
        .graph.nodes.find((n) => n.id === nodeId)?.position,
    id,
  );
}

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
]) {
  test(`at ${viewport.width}×${viewport.height} ports are easy to hit, light up, and a drag from one draws a wire without moving its node`, async ({
    page,
  }) => {
    await page.setViewportSize(viewport);
    await openDesigner(page);
    await loadExample(page);
    const handles = page.locator('.react-flow__handle.port');
    const count = await handles.count();
    // Seven nodes' ports, the stream's optional audio input among them.
    expect(count).toBe(13);
    for (let i = 0; i < count; i++) {
      const h = handles.nth(i);
      const box = (await h.boundingBox())!;
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const hit = await hitBox(h, centre);
      expect(hit.centre, `port ${i} is under its own dot`).toBe(true);
      expect(hit.corners, `port ${i} takes a whole box, corners too`).toBe(true);
      expect(hit.width).toBeGreaterThanOrEqual(16);
      expect(hit.height).toBeGreaterThanOrEqual(16);
    }

    // Hovering near a dot (not on it, on the node's side) lights the port up.
    const enc = page.locator('.react-flow__handle.source[data-nodeid="enc"]');
    const plain = await enc.evaluate((el) => getComputedStyle(el).boxShadow);
    const encBox = (await enc.boundingBox())!;
    await page.mouse.move(encBox.x + encBox.width / 2 - 6, encBox.y + encBox.height / 2 - 5);
    await expect.poll(() => enc.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe(plain);
    expect(await enc.evaluate((el) => el.matches(':hover'))).toBe(true);

    // Ten drags from ten ports, each pressed 6 px off its dot towards the node's inside, where
    // the node body used to take the press and move the node.
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const edgesBefore = (await graphEdges(page)).length;
    for (let i = 0; i < 10; i++) {
      const h = handles.nth(i % count);
      const nodeId = (await h.getAttribute('data-nodeid'))!;
      const box = (await h.boundingBox())!;
      const before = {
        stored: await storedPosition(page, nodeId),
        box: await node(page, nodeId).boundingBox(),
      };
      const inward = (await h.getAttribute('data-handlepos')) === 'left' ? 6 : -6;
      const start = { x: box.x + box.width / 2 + inward, y: box.y + box.height / 2 + (i % 3) - 1 };
      await page.mouse.move(start.x, start.y);
      await page.mouse.down();
      const to = { x: canvas.x + 60 + i * 40, y: canvas.y + 40 + (i % 2) * 30 };
      await page.mouse.move((start.x + to.x) / 2, (start.y + to.y) / 2, { steps: 6 });
      await page.mouse.move(to.x, to.y, { steps: 6 });
      await expect(page.locator('.react-flow__connectionline')).toHaveCount(1);
      await page.mouse.up();
      await expect(page.locator('.react-flow__connectionline')).toHaveCount(0);
      expect(await storedPosition(page, nodeId)).toEqual(before.stored);
      expect(await node(page, nodeId).boundingBox()).toEqual(before.box);
    }
    expect(await graphEdges(page)).toHaveLength(edgesBefore);

    // From a port onto another port: the wire is made (enc.out → merge.in, which takes many).
    const from = (await enc.boundingBox())!;
    const target = page.locator('.react-flow__handle.target[data-nodeid="merge"]');
    const onto = (await target.boundingBox())!;
    const encAt = await storedPosition(page, 'enc');
    await page.mouse.move(from.x + from.width / 2 - 5, from.y + from.height / 2 + 4);
    await page.mouse.down();
    await page.mouse.move(onto.x, onto.y - 30, { steps: 8 });
    await page.mouse.move(onto.x + onto.width / 2 + 5, onto.y + onto.height / 2 - 4, { steps: 8 });
    await page.mouse.up();
    expect(await graphEdges(page)).toContainEqual({ from: 'enc.out', to: 'merge.in' });
    expect(await storedPosition(page, 'enc')).toEqual(encAt);
  });
}

type Spec = [string, string, number, number];
/** Scrambled positions and a shuffled order, as a graph built by hand ends up. */
const THREE_BRANCHES: { nodes: Spec[]; edges: [string, string][] } = {
  nodes: [
    ['out', 'stream', 0, 0],
    ['m3', 'merge', 300, 0],
    ['e1', 'encode', 600, 0],
    ['src', 'source', 900, 0],
    ['t2', 'transfer', 0, 300],
    ['m1', 'merge', 300, 300],
    ['split', 'split', 600, 300],
    ['e3', 'encode', 900, 300],
    ['t1', 'transfer', 0, 600],
    ['e2', 'encode', 300, 600],
    ['t3', 'transfer', 600, 600],
    ['m2', 'merge', 900, 600],
    ['p2', 'probe', 1200, 0],
    ['p3', 'probe', 1200, 300],
  ],
  edges: [
    ['src', 'split'],
    ['split', 't3'],
    ['split', 't1'],
    ['split', 't2'],
    ['t1', 'e1'],
    ['t2', 'e2'],
    ['t3', 'e3'],
    ['e1', 'm1'],
    ['e2', 'm2'],
    ['e3', 'm3'],
    ['m1', 'out'],
    ['m2', 'p2'],
    ['m3', 'p3'],
  ],
};
/** One split feeding three encoders of different lengths into three merges, plus a stream. */
const LADDER: { nodes: Spec[]; edges: [string, string][] } = {
  nodes: [
    ['m2', 'merge', 0, 0],
    ['src', 'source', 500, 500],
    ['e3', 'encode', 100, 400],
    ['split', 'split', 800, 100],
    ['m1', 'merge', 300, 200],
    ['e1', 'encode', 600, 300],
    ['q1', 'quality', 200, 600],
    ['e2', 'encode', 700, 700],
    ['m3', 'merge', 400, 0],
    ['out', 'stream', 0, 700],
    ['p', 'probe', 900, 500],
    ['p3', 'probe', 50, 250],
  ],
  edges: [
    ['src', 'split'],
    ['src', 'p'],
    ['split', 'e1'],
    ['split', 'e2'],
    ['split', 'e3'],
    ['e1', 'q1'],
    ['q1', 'm1'],
    ['e2', 'm2'],
    ['e3', 'm3'],
    ['m1', 'out'],
    ['m3', 'p3'],
  ],
};

/** Branches of one, two and three steps joining one merge: the short ones span layers. */
const FAN_IN: { nodes: Spec[]; edges: [string, string][] } = {
  nodes: [
    ['m', 'merge', 0, 0],
    ['e2', 'encode', 250, 0],
    ['split', 'split', 500, 0],
    ['b1', 'transfer', 750, 0],
    ['out', 'stream', 0, 250],
    ['q3', 'quality', 250, 250],
    ['x1', 'transfer', 500, 250],
    ['src', 'source', 750, 250],
    ['e3', 'encode', 0, 500],
    ['e1', 'encode', 250, 500],
    ['p', 'probe', 500, 500],
  ],
  edges: [
    ['src', 'split'],
    ['src', 'p'],
    ['split', 'x1'],
    ['x1', 'e1'],
    ['e1', 'b1'],
    ['b1', 'm'],
    ['split', 'e2'],
    ['e2', 'm'],
    ['split', 'e3'],
    ['e3', 'q3'],
    ['q3', 'm'],
    ['m', 'out'],
  ],
};

async function build(page: Page, shape: typeof LADDER): Promise<void> {
  await page.evaluate((g) => {
    const s = (
      window as unknown as {
        __reelflow: {
          store: { getState(): { dispatch(c: unknown[]): void; requestFit(): void } };
        };
      }
    ).__reelflow.store.getState();
    s.dispatch([
      ...g.nodes.map(([id, type, x, y]) => ({
        kind: 'add-node',
        node: { id, type, position: { x, y }, params: {} },
      })),
      ...g.edges.map(([a, b], i) => ({
        kind: 'add-edge',
        edge: { id: `w${i}`, from: { node: a, port: 'out' }, to: { node: b, port: 'in' } },
      })),
    ]);
    s.requestFit();
  }, shape);
}

/**
 * Each edge's drawn path sampled along its length, in screen px, against every node's box:
 * the hits of a path inside a node other than its own two ends, and pairs of edges that cross.
 */
async function geometry(page: Page) {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((el) => ({
      id: el.dataset.id!,
      r: el.getBoundingClientRect(),
    }));
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const edges = [...document.querySelectorAll<SVGGElement>('.react-flow__edge')].map((g) => {
      const path = g.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
      const m = path.getScreenCTM()!;
      const length = path.getTotalLength();
      const points: { x: number; y: number }[] = [];
      for (let i = 0; i <= 80; i++) {
        const p = path.getPointAtLength((length * i) / 80);
        points.push({ x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f });
      }
      return { id: g.dataset.id!, points };
    });
    const store = (
      window as unknown as {
        __reelflow: {
          store: {
            getState(): {
              graph: {
                edges: {
                  id: string;
                  from: { node: string; port: string };
                  to: { node: string; port: string };
                }[];
              };
            };
          };
        };
      }
    ).__reelflow.store.getState();
    const ends = new Map(store.graph.edges.map((e) => [e.id, [e.from.node, e.to.node]]));
    const ports = new Map(
      store.graph.edges.map((e) => [
        e.id,
        [`${e.from.node}.${e.from.port}`, `${e.to.node}.${e.to.port}`],
      ]),
    );
    const throughNodes: string[] = [];
    for (const e of edges) {
      const [a, b] = ends.get(e.id) ?? [];
      for (const { id, r } of boxes) {
        if (id === a || id === b) continue;
        const inside = e.points.some(
          (p) => p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1,
        );
        if (inside) throughNodes.push(`${e.id} through ${id}`);
      }
    }
    const cross = (
      p: { x: number; y: number },
      q: { x: number; y: number },
      r: { x: number; y: number },
      s: { x: number; y: number },
    ) => {
      const d = (a: typeof p, b: typeof p, c: typeof p) =>
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
      return d(p, q, r) * d(p, q, s) < 0 && d(r, s, p) * d(r, s, q) < 0;
    };
    const crossings: string[] = [];
    for (let i = 0; i < edges.length; i++)
      for (let j = i + 1; j < edges.length; j++) {
        const [a, b] = [edges[i]!, edges[j]!];
        // Edges that leave one port, or enter one, share a trunk and fan out: not a crossing.
        const [pa, pb] = [ports.get(a.id) ?? [], ports.get(b.id) ?? []];
        if (pa[0] === pb[0] || pa[1] === pb[1]) continue;
        const found = a.points.some((p, k) =>
          k === 0
            ? false
            : b.points.some((q, l) => l > 0 && cross(a.points[k - 1]!, p, b.points[l - 1]!, q)),
        );
        if (found) crossings.push(`${a.id} × ${b.id}`);
      }
    const outside = boxes
      .filter(
        ({ r }) =>
          r.left < pane.left || r.top < pane.top || r.right > pane.right || r.bottom > pane.bottom,
      )
      .map((b) => b.id);
    return { throughNodes, crossings, outside, nodes: boxes.length, edges: edges.length };
  });
}

/** Wait until no node moves between two looks (the layout and its fit are animated). */
async function settled(page: Page): Promise<void> {
  const boxes = () =>
    page.evaluate(() =>
      JSON.stringify(
        [...document.querySelectorAll('.react-flow__node')].map((e) => e.getBoundingClientRect()),
      ),
    );
  let last = await boxes();
  await expect
    .poll(
      async () => {
        await page.waitForTimeout(250);
        const now = await boxes();
        const still = now === last;
        last = now;
        return still;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
}

for (const [name, shape, viewport] of [
  ['three branches', THREE_BRANCHES, { width: 1440, height: 900 }],
  ['three branches', THREE_BRANCHES, { width: 1024, height: 768 }],
  ['a ladder of uneven branches', LADDER, { width: 1440, height: 900 }],
  ['branches of uneven length joining one merge', FAN_IN, { width: 1440, height: 900 }],
  ['branches of uneven length joining one merge', FAN_IN, { width: 1024, height: 768 }],
] as const) {
  test(`auto-layout of ${name} at ${viewport.width}×${viewport.height}: no edge through a node, no crossing, all in view`, async ({
    page,
  }) => {
    await page.setViewportSize(viewport);
    await openDesigner(page);
    await build(page, shape);
    await expect(page.locator('.react-flow__node')).toHaveCount(shape.nodes.length);
    // Zoomed in on a corner first: the laid-out graph must be brought into view.
    // Zoom in (up to the maximum zoom, where the button turns disabled) so layout must re-fit.
    const zoomIn = page.locator('.react-flow__controls-zoomin');
    for (let i = 0; i < 5 && (await zoomIn.isEnabled()); i++) await zoomIn.click();
    await clickCommand(page, 'layout');
    await settled(page);
    const g = await geometry(page);
    expect(g.nodes).toBe(shape.nodes.length);
    expect(g.edges).toBe(shape.edges.length);
    expect(g.throughNodes).toEqual([]);
    expect(g.crossings).toEqual([]);
    expect(g.outside).toEqual([]);
    // Left to right: every edge ends right of where it starts.
    for (const [a, b] of shape.edges) {
      const [from, to] = [
        (await node(page, a).boundingBox())!,
        (await node(page, b).boundingBox())!,
      ];
      expect(to.x, `${a} → ${b}`).toBeGreaterThan(from.x + from.width);
    }
  });
}

/** Each edge's drawn path, by edge id. */
const edgePaths = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<SVGGElement>('.react-flow__edge')].map((g) => [
        g.dataset.id!,
        g.querySelector('path.react-flow__edge-path')!.getAttribute('d')!,
      ]),
    ),
  );

test('the example, laid out, fits the view; moving a node turns its routed edges into curves', async ({
  page,
}) => {
  await openDesigner(page);
  await loadExample(page);
  await page.getByTestId('layout').click();
  await viewportSettled(page);
  const g = await geometry(page);
  expect(g.outside).toEqual([]);
  expect(g.throughNodes).toEqual([]);
  // Laid out, every edge follows its route (straight pieces, no curve).
  for (const d of Object.values(await edgePaths(page))) expect(d).not.toContain('C');

  // Dragging the encoder by its title: its two edges become curves, the others keep routes.
  const title = node(page, 'enc').locator('.rf-node-title');
  const box = (await title.boundingBox())!;
  await page.mouse.move(box.x + 10, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 10, box.y + 90, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await edgePaths(page))['e3']).toContain('C');
  const moved = await edgePaths(page);
  expect(moved['e4']).toContain('C');
  for (const id of ['e1', 'e2', 'e5', 'e6']) expect(moved[id]).not.toContain('C');

  // Undo puts the encoder back where the layout had it: its routes hold again.
  await page.getByTestId('undo').click();
  await expect.poll(async () => (await edgePaths(page))['e3']).not.toContain('C');
  expect((await edgePaths(page))['e4']).not.toContain('C');
});
