/**
 * Benchmark of the designer's figures (issue 6), on the production build in headless Chromium:
 *
 * 1. first render of a 1,000-node, 1,000-edge graph (target < 1500 ms);
 * 2. frames per second while dragging one node of it with the mouse (target >= 50);
 * 3. frames per second while 5,000 task-progress events a second arrive over socket.io
 *    (target >= 50).
 *
 * The script serves apps/designer/dist itself, beside a real socket.io server and the few
 * runtime endpoints the designer asks for (`/api/runs`, `/api/graphs`), so the events travel
 * the whole live path: socket.io-client and zod parse (in the designer's live-channel worker)
 * -> batches posted to the page -> per-frame queue -> `applyRunEvents` -> store -> React.
 * Writes results.json beside this file.
 *
 *   npx tsx bench/designer/run.ts [--runs N]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadavg, cpus } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Server } from 'socket.io';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(REPO, 'apps/designer/dist');
const OUT = fileURLToPath(new URL('results.json', import.meta.url));

const GRAPH_ID = 'bench-1000';
const RUN_ID = 'bench-run';
const FLOWS = 100; // 100 flows x 10 nodes, 10 edges = 1,000 nodes, 1,000 edges
const FLOWS_ACROSS = 5;
const BRANCHES = 2;
const EVENTS_PER_SECOND = 5000;
const DRAG_MS = 2000;
const EVENTS_MS = 3000;
const FPS_WINDOW_MS = 500;

// ------------------------------------------------------------------------------- the graph

interface Node {
  id: string;
  type: string;
  position: { x: number; y: number };
  params: Record<string, unknown>;
}
interface Edge {
  id: string;
  from: { node: string; port: string };
  to: { node: string; port: string };
}

const PARAMS: Record<string, Record<string, unknown>> = {
  source: {},
  split: { segmentSeconds: 10 },
  transfer: { strategy: 'shared' },
  encode: { codec: 'h264', preset: 'veryfast', crf: 23, height: 720 },
  merge: { container: 'mp4' },
  stream: { format: 'hls', segmentSeconds: 4 },
};

/**
 * source -> split -> BRANCHES x (transfer -> encode -> transfer) -> merge -> stream: with two
 * branches a flow has as many edges as nodes (10), so 100 flows give exactly 1,000 of each.
 * The flows sit in a grid, FLOWS_ACROSS wide.
 */
function benchGraph() {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const DX = 220;
  const DY = 110;
  const flowW = DX * 7 + 120;
  const flowH = DY * BRANCHES + 60;
  for (let f = 0; f < FLOWS; f++) {
    const ox = (f % FLOWS_ACROSS) * flowW;
    const oy = Math.floor(f / FLOWS_ACROSS) * flowH;
    const add = (id: string, type: string, col: number, row: number) =>
      nodes.push({
        id: `f${f}-${id}`,
        type,
        position: { x: ox + col * DX, y: oy + row * DY },
        params: PARAMS[type]!,
      });
    const link = (from: string, to: string) =>
      edges.push({
        id: `f${f}-e${edges.length}`,
        from: { node: `f${f}-${from}`, port: 'out' },
        to: { node: `f${f}-${to}`, port: 'in' },
      });
    const mid = (BRANCHES - 1) / 2;
    add('src', 'source', 0, mid);
    add('split', 'split', 1, mid);
    link('src', 'split');
    for (let b = 0; b < BRANCHES; b++) {
      add(`xfer${b}`, 'transfer', 2, b);
      add(`enc${b}`, 'encode', 3, b);
      add(`back${b}`, 'transfer', 4, b);
      link('split', `xfer${b}`);
      link(`xfer${b}`, `enc${b}`);
      link(`enc${b}`, `back${b}`);
      link(`back${b}`, 'merge');
    }
    add('merge', 'merge', 5, mid);
    add('out', 'stream', 6, mid);
    link('merge', 'out');
  }
  return { schemaVersion: 1, id: GRAPH_ID, name: 'Bench 1000', nodes, edges };
}

const graph = benchGraph();
const encodeNodes = graph.nodes.filter((n) => n.type === 'encode').map((n) => n.id);
const TASKS = 10;
/** Progress of each task as the events told it, so polls of the run agree with the events. */
const progress = new Map<string, number>();

/** The run as `GET /api/runs/:id` answers it: every encode node running 10 tasks. */
function runView() {
  const now = new Date().toISOString();
  const nodes: Record<string, unknown> = {};
  for (const n of graph.nodes) {
    const running = n.type === 'encode';
    nodes[n.id] = {
      state: running ? 'running' : n.type === 'source' || n.type === 'split' ? 'done' : 'pending',
      done: 0,
      total: running ? TASKS : null,
      tasks: running
        ? Array.from({ length: TASKS }, (_, index) => ({
            key: `${n.id}#${index}`,
            index,
            state: 'running',
            progress: progress.get(`${n.id}#${index}`) ?? 0,
            attempt: 1,
          }))
        : [],
    };
  }
  return {
    runId: RUN_ID,
    state: 'running',
    graphId: GRAPH_ID,
    executor: 'local',
    createdAt: now,
    updatedAt: now,
    nodes,
    outputs: [],
  };
}

// ------------------------------------------------------------------------------- the server

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The built designer, plus the runtime endpoints it asks for, answered with the bench run. */
function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (path === '/healthz') return json(res, { ok: true });
  if (path === '/api/graphs') return json(res, []);
  if (path === '/api/runs') return json(res, [runView()]);
  if (path === `/api/runs/${RUN_ID}`) return json(res, runView());
  if (path.startsWith('/api/')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: 'not in the benchmark' }));
  }
  let file = join(DIST, normalize(path).replace(/^(\.\.[/\\])+/, ''));
  if (!existsSync(file) || path === '/') file = join(DIST, 'index.html');
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
}

async function startServer() {
  const http = createServer(handle);
  const io = new Server(http, { path: '/socket.io' });
  io.on('connection', (socket) => {
    socket.on('subscribe', (msg: { runId?: string }, ack?: (a: unknown) => void) => {
      void socket.join(`run:${msg.runId}`);
      ack?.({ ok: true, run: runView() });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { io, port, close: () => new Promise<void>((r) => io.close(() => r())) };
}

/**
 * Emit task:progress events to the run's room at `rate` a second for `ms`, paced every 4 ms
 * by how many are due, so the rate holds whatever the timer jitter. Resolves with the count.
 */
function pushProgress(io: Server, rate: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    const room = io.to(`run:${RUN_ID}`);
    const start = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.floor((Math.min(elapsed, ms) * rate) / 1000);
      for (; sent < due; sent++) {
        const nodeId = encodeNodes[sent % encodeNodes.length]!;
        const index = Math.floor(sent / encodeNodes.length) % TASKS;
        const key = `${nodeId}#${index}`;
        // Wraps back to 0 now and then so progress keeps changing across repetitions.
        const f = ((progress.get(key) ?? 0) + 0.01) % 1;
        progress.set(key, f);
        room.emit('task:progress', {
          runId: RUN_ID,
          key,
          nodeId,
          index,
          fraction: f,
          outTimeSeconds: f * 10,
          speed: 1.5,
        });
      }
      if (elapsed >= ms) {
        clearInterval(timer);
        resolve(sent);
      }
    }, 4);
  });
}

// ------------------------------------------------------------------------------- in the page

interface Store {
  getState(): {
    dispatch(changes: unknown[]): void;
    select(nodes: string[], edges: string[]): void;
    requestFit(): void;
    graph: { nodes: unknown[] };
    run?: { nodes: Record<string, { tasks: Array<{ progress: number }> }> };
  };
}
type Win = Window & { __reelflow: { store: Store }; __frames?: number[] };

/**
 * Load the graph the way the app's import does (replace-graph, clear selection, fit), and
 * time until every node element is in the DOM and a frame has been painted after it.
 * React Flow culls nodes outside the view above 300 nodes, so "every node" is reached only
 * once the fit view has zoomed out far enough; the time to the first node is kept too.
 */
async function timeFirstRender(page: Page, expected: number) {
  return page.evaluate(
    ({ doc, expected }) =>
      new Promise<{ firstMs: number; allMs: number; rendered: number }>((resolve, reject) => {
        const s = (window as unknown as Win).__reelflow.store.getState();
        const count = () => document.querySelectorAll('[data-testid^="node-"]').length;
        const t0 = performance.now();
        let firstMs = -1;
        s.dispatch([{ kind: 'replace-graph', graph: doc }]);
        s.select([], []);
        s.requestFit();
        const check = () => {
          const n = count();
          if (n > 0 && firstMs < 0) firstMs = performance.now() - t0;
          if (n >= expected) {
            // The next frame callback runs after the frame holding the nodes was produced.
            requestAnimationFrame(() =>
              resolve({ firstMs, allMs: performance.now() - t0, rendered: n }),
            );
          } else if (performance.now() - t0 > 20_000) {
            reject(new Error(`only ${n} of ${expected} nodes rendered after 20 s`));
          } else {
            requestAnimationFrame(check);
          }
        };
        // A MutationObserver would see the nodes sooner than a frame; rAF matches what is painted.
        requestAnimationFrame(check);
      }),
    { doc: graph, expected },
  );
}

/** Start recording animation frame timestamps in the page. */
async function startFrames(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as Win;
    const frames: number[] = [];
    w.__frames = frames;
    const tick = (t: number) => {
      if (w.__frames !== frames) return;
      frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stop recording; frames per FPS_WINDOW_MS window as fps (median), and the longest frame. */
async function stopFrames(page: Page) {
  const frames = await page.evaluate(() => {
    const w = window as unknown as Win;
    const f = w.__frames ?? [];
    w.__frames = undefined;
    return f;
  });
  if (frames.length < 2) return { fps: 0, longestMs: NaN, frames: frames.length };
  const start = frames[0]!;
  const windows: number[] = [];
  for (let from = start; from + FPS_WINDOW_MS <= frames.at(-1)!; from += FPS_WINDOW_MS) {
    const n = frames.filter((t) => t >= from && t < from + FPS_WINDOW_MS).length;
    windows.push((n * 1000) / FPS_WINDOW_MS);
  }
  let longest = 0;
  for (let i = 1; i < frames.length; i++) longest = Math.max(longest, frames[i]! - frames[i - 1]!);
  return { fps: median(windows), longestMs: round(longest), frames: frames.length };
}

/** Drag one node of the middle of the grid with the mouse, in small steps, for DRAG_MS. */
async function dragNode(page: Page, id: string) {
  const box = await page.getByTestId(`node-${id}`).boundingBox();
  if (!box) throw new Error(`node ${id} is not on screen`);
  const x0 = box.x + box.width / 2;
  const y0 = box.y + Math.min(10, box.height / 2);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await startFrames(page);
  const start = Date.now();
  let moves = 0;
  while (Date.now() - start < DRAG_MS) {
    const t = (Date.now() - start) / DRAG_MS;
    // A closed path, so the node ends where it started and the next drag finds it.
    await page.mouse.move(x0 + 150 * Math.sin(t * 2 * Math.PI), y0 + 80 * Math.sin(t * Math.PI));
    moves++;
    await page.waitForTimeout(8);
  }
  const r = await stopFrames(page);
  await page.mouse.up();
  return { ...r, moves };
}

// ------------------------------------------------------------------------------- profiling

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Run `work` under the V8 CPU profiler of the page and return where the main thread spent its
 * time: self time per function (minified names, with bundle file and position), top `top`.
 */
async function profileDuring(page: Page, work: () => Promise<unknown>, top = 15) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Performance.enable');
  const metrics = async () =>
    new Map(
      (
        (await cdp.send('Performance.getMetrics')) as {
          metrics: Array<{ name: string; value: number }>;
        }
      ).metrics.map((m) => [m.name, m.value]),
    );
  const m0 = await metrics();
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await work();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  const m1 = await metrics();
  const diff = (k: string) => (m1.get(k) ?? 0) - (m0.get(k) ?? 0);
  // Main-thread seconds by kind; what is left of TaskDuration is mostly paint and raster.
  const main = {
    taskMs: round(diff('TaskDuration') * 1000),
    scriptMs: round(diff('ScriptDuration') * 1000),
    recalcStyleMs: round(diff('RecalcStyleDuration') * 1000),
    layoutMs: round(diff('LayoutDuration') * 1000),
    otherMs: round(
      (diff('TaskDuration') -
        diff('ScriptDuration') -
        diff('RecalcStyleDuration') -
        diff('LayoutDuration')) *
        1000,
    ),
    recalcStyleCount: diff('RecalcStyleCount'),
    layoutCount: diff('LayoutCount'),
    domNodes: m1.get('Nodes'),
  };
  await cdp.detach();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const f = byId.get(id)!.callFrame;
    const file = f.url.split('/').pop() ?? '';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const idle = self.get('(idle) :0:0') ?? 0;
  return {
    main,
    totalMs: round(total),
    busyMs: round(total - idle),
    top: [...self.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: round(ms) })),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * Run `work` under a Chromium trace and sum the durations of the trace's complete events by
 * thread and name (nested events overlap, so the sums say where, not a breakdown to 100 %).
 */
async function traceDuring(browser: Browser, page: Page, work: () => Promise<unknown>, top = 20) {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'cc', 'gpu'],
  });
  await work();
  const buffer = await browser.stopTracing();
  const events = (JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const threads = new Map<string, string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name')
      threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const sums = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid} ${e.name}`;
    sums.set(key, (sums.get(key) ?? 0) + e.dur / 1000);
  }
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([event, ms]) => ({ event, ms: round(ms) }));
}

// ------------------------------------------------------------------------------- statistics

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const round = (v: number) => Math.round(v * 10) / 10;

interface Spec {
  name: string;
  unit: 'ms' | 'fps';
  target: number;
  higherIsBetter: boolean;
}
function figure(spec: Spec, values: number[], extra: Record<string, unknown> = {}) {
  const m = median(values);
  return {
    group: 'designer',
    name: spec.name,
    unit: spec.unit,
    median: round(m),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    n: values.length,
    // collect.ts reads a numeric target with higherIsBetter; targetText is for people.
    target: spec.target,
    higherIsBetter: spec.higherIsBetter,
    targetText: `${spec.higherIsBetter ? '>=' : '<'} ${spec.target}`,
    met: spec.higherIsBetter ? m >= spec.target : m < spec.target,
    values: values.map(round),
    ...extra,
  };
}

// ------------------------------------------------------------------------------- main

const log = (line: string) => process.stderr.write(`designer-bench: ${line}\n`);

async function openApp(page: Page, base: string) {
  await page.goto(base);
  await page.getByTestId('canvas').waitFor();
}

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, profile: { type: 'boolean' } },
  });
  const runs = Number(values.runs);
  const profiles: Record<string, unknown> = {};
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('apps/designer/dist is missing: npm run build --workspace apps/designer');
  const load0 = loadavg();
  const server = await startServer();
  const base = `http://127.0.0.1:${server.port}/`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // tsx compiles with keepNames, so functions passed to page.evaluate call esbuild's __name.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  const nodeCount = graph.nodes.length;
  log(`graph: ${nodeCount} nodes, ${graph.edges.length} edges; ${runs} runs each`);

  try {
    // 1. first render, each time in a freshly loaded page.
    const render: Array<{ firstMs: number; allMs: number; rendered: number }> = [];
    await openApp(page, base);
    await timeFirstRender(page, nodeCount); // warm-up: the JIT and the browser's caches
    for (let i = 0; i < runs; i++) {
      await openApp(page, base);
      render.push(await timeFirstRender(page, nodeCount));
      log(`render ${i + 1}: ${JSON.stringify(render.at(-1))}`);
    }

    // 2. drag, in the page left by the last render (after its fit view settled).
    await page.waitForTimeout(500);
    // Context, not a figure: the frame rate of the loaded canvas with nothing happening.
    await startFrames(page);
    await page.waitForTimeout(2000);
    const idle = await stopFrames(page);
    log(`idle: ${JSON.stringify(idle)}`);
    const dragged = `f${FLOWS / 2 + Math.floor(FLOWS_ACROSS / 2)}-enc0`;
    const drag: Array<{ fps: number; longestMs: number; frames: number; moves: number }> = [];
    for (let i = 0; i < runs; i++) {
      drag.push(await dragNode(page, dragged));
      log(`drag ${i + 1}: ${JSON.stringify(drag.at(-1))}`);
      await page.waitForTimeout(300);
    }
    if (values.profile) {
      profiles.drag = await profileDuring(page, () => dragNode(page, dragged));
      profiles.dragTrace = await traceDuring(browser, page, () => dragNode(page, dragged));
    }

    // 3. live progress events: open the bench run from the run history, as a user does.
    await page.getByTestId('tab-files').click();
    await page.getByTestId(`history-${RUN_ID}`).click();
    await page.waitForFunction(
      () => (window as unknown as Win).__reelflow.store.getState().run?.nodes !== undefined,
    );
    await page.waitForTimeout(1000); // the socket connects and subscribes
    // Context, not a figure: the running graph's own animations (pulsing nodes, moving edges)
    // with no events arriving.
    await startFrames(page);
    await page.waitForTimeout(2000);
    const idleRun = await stopFrames(page);
    log(`run shown, no events: ${JSON.stringify(idleRun)}`);
    const live: Array<{
      fps: number;
      longestMs: number;
      frames: number;
      sent: number;
      folded: number;
    }> = [];
    for (let i = 0; i < runs; i++) {
      const before = await progressSum(page);
      await startFrames(page);
      const sent = await pushProgress(server.io, EVENTS_PER_SECOND, EVENTS_MS);
      const r = await stopFrames(page);
      await page.waitForTimeout(200);
      const folded = round((await progressSum(page)) - before);
      live.push({ ...r, sent, folded });
      log(`events ${i + 1}: ${JSON.stringify(live.at(-1))}`);
      await page.waitForTimeout(300);
    }
    if (values.profile) {
      const push = () => pushProgress(server.io, EVENTS_PER_SECOND, EVENTS_MS);
      profiles.events = await profileDuring(page, push);
      profiles.eventsTrace = await traceDuring(browser, page, push);
      // Diagnosis only: the same with the run's decorations hidden in this page (token dots
      // on moving edges, pulsing state dots), to tell their cost from the events' own.
      await page.addStyleTag({
        content:
          '.token-dot,.token-layer{display:none!important}.type-dot{animation:none!important}',
      });
      await page.waitForTimeout(500);
      await startFrames(page);
      await page.waitForTimeout(2000);
      const still = await stopFrames(page);
      await startFrames(page);
      await push();
      const withEvents = await stopFrames(page);
      profiles.withoutRunDecorations = { noEventsFps: still.fps, eventsFps: withEvents.fps };
      log(`without token dots and pulses: ${JSON.stringify(profiles.withoutRunDecorations)}`);
    }

    const figures = [
      figure(
        {
          name: 'first render, 1000 nodes + 1000 edges',
          unit: 'ms',
          target: 1500,
          higherIsBetter: false,
        },
        render.map((r) => r.allMs),
        { firstNodeMs: render.map((r) => round(r.firstMs)) },
      ),
      figure(
        { name: 'drag one node of 1000', unit: 'fps', target: 50, higherIsBetter: true },
        drag.map((d) => d.fps),
        { longestFrameMs: drag.map((d) => d.longestMs), mouseMoves: drag.map((d) => d.moves) },
      ),
      figure(
        {
          name: '5000 task:progress events/s over socket.io',
          unit: 'fps',
          target: 50,
          higherIsBetter: true,
        },
        live.map((d) => d.fps),
        {
          longestFrameMs: live.map((d) => d.longestMs),
          eventsSent: live.map((d) => d.sent),
          progressFolded: live.map((d) => d.folded),
        },
      ),
    ];
    const results = {
      benchmark: 'designer',
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model, nproc: cpus().length },
      loadAverage: { before: load0.map(round), after: loadavg().map(round) },
      browser: `Chromium ${browser.version()} headless, --disable-gpu, viewport 1440x900`,
      method: {
        build:
          'apps/designer/dist (production), served with a real socket.io server by this script',
        firstRender:
          'in page: performance.now() before store dispatch(replace-graph)+select+requestFit (the import path) until every [data-testid^="node-"] is in the DOM, checked each animation frame, plus one more requestAnimationFrame; React Flow culls off-screen nodes above 300, so this includes the fit view zooming out',
        fps: `requestAnimationFrame timestamps recorded in the page, frames counted per ${FPS_WINDOW_MS} ms window, median window; headless Chromium without a GPU paces rAF at 60 Hz, so 60 is the ceiling`,
        drag: `page.mouse down on node ${dragged}, moves every ~8 ms for ${DRAG_MS} ms, up`,
        events: `${EVENTS_PER_SECOND}/s task:progress for ${EVENTS_MS} ms emitted by the socket.io server to the run room, received by the designer's own run controller (opened from the run history)`,
      },
      graph: { nodes: nodeCount, edges: graph.edges.length, flows: FLOWS },
      idleFps: idle.fps,
      runShownNoEventsFps: idleRun.fps,
      figures,
      ...(values.profile ? { profiles } : {}),
    };
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    for (const f of figures)
      log(
        `${f.name}: median ${f.median} ${f.unit} (min ${f.min}, max ${f.max}, n ${f.n}) target ${f.targetText}: ${f.met ? 'met' : 'MISSED'}`,
      );
    log(`wrote ${OUT}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Sum of every task's progress in the store's run view: shows the events were folded in. */
function progressSum(page: Page): Promise<number> {
  return page.evaluate(() => {
    const run = (window as unknown as Win).__reelflow.store.getState().run;
    let sum = 0;
    for (const n of Object.values(run?.nodes ?? {})) for (const t of n.tasks) sum += t.progress;
    return sum;
  });
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
