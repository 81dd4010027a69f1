import { memo, useEffect, useMemo, useRef } from 'react';
import type { TaskView } from '../run/run-view.js';
import { useDesigner, useDesignerStore, type DesignerState } from '../store/store.js';
import { stripSegments } from './strip.js';

const noTasks: readonly TaskView[] = [];
const tasksOf = (id: string) => (s: DesignerState) => s.run?.nodes[id]?.tasks ?? noTasks;
/**
 * The tasks' states, one string: it changes when a task starts, ends or fails, not on
 * progress. Remembered per tasks list, as every strip is asked on every store update.
 */
const statesOf = (id: string) => {
  let tasks: readonly TaskView[] | undefined;
  let states = '';
  return (s: DesignerState) => {
    const next = s.run?.nodes[id]?.tasks ?? noTasks;
    if (next !== tasks) {
      tasks = next;
      states = next.map((t) => t.state).join(' ');
    }
    return states;
  };
};

/**
 * A strip repaints its progress at most this often: a few times a second reads as moving,
 * and hundreds of strips repainting on every frame of a busy run would not leave frames.
 */
const REPAINT_MS = 200;
/** Width of the strip's bitmap; the canvas is stretched over the strip. */
const STRIP_PX = 256;
/** Above this many cells a strip has no room for gaps between them. */
const DENSE = 40;
/** The gap between cells, in bitmap pixels (about one CSS pixel on a 168-pixel node). */
const GAP_PX = 2;

function paintStrip(canvas: HTMLCanvasElement, tasks: readonly TaskView[]) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  for (const s of stripSegments(tasks)) {
    ctx.fillStyle = s.colour;
    ctx.fillRect(s.from * width, 0, (s.to - s.from) * width, height);
  }
  // Gaps between cells, where there is room for them: the strip's background shows through.
  if (tasks.length <= DENSE)
    for (let i = 1; i < tasks.length; i++)
      ctx.clearRect((i / tasks.length) * width - GAP_PX / 2, 0, GAP_PX, height);
}

/**
 * Per-task progress of a live node as one compact strip of cells, so a split into hundreds
 * of chunks stays one canvas node. Progress is painted on a small canvas straight from the
 * store (at most every REPAINT_MS), so the thousands of progress events a second of a large
 * run re-render nothing and restyle nothing; React renders the strip again only when a task
 * changes state (and then paints at once). The cell elements under the canvas mark each task
 * (state class, tooltip).
 */
export const ChunkStrip = memo(function ChunkStrip({ nodeId }: { nodeId: string }) {
  const store = useDesignerStore();
  const states = useDesigner(useMemo(() => statesOf(nodeId), [nodeId]));
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return undefined;
    const select = tasksOf(nodeId);
    let shown = select(store.getState());
    let painted = performance.now();
    let timer: number | undefined;
    const paint = () => {
      timer = undefined;
      painted = performance.now();
      paintStrip(el, shown);
    };
    paintStrip(el, shown);
    const unsubscribe = store.subscribe((s) => {
      const tasks = select(s);
      if (tasks === shown) return;
      shown = tasks;
      if (timer !== undefined) return;
      const wait = painted + REPAINT_MS - performance.now();
      if (wait <= 0) paint();
      else timer = window.setTimeout(paint, wait);
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [store, nodeId, states]);
  if (states === '') return null;
  const list = states.split(' ');
  const done = list.filter((s) => s === 'done').length;
  return (
    <div className="chunk-strip-wrap" data-testid={`progress-${nodeId}`}>
      <div className="chunk-strip">
        {list.map((state, i) => (
          <span key={i} className={`chunk chunk-${state}`} title={`task ${i}: ${state}`} />
        ))}
        <canvas ref={canvas} className="chunk-canvas" width={STRIP_PX} height={1} />
      </div>
      <span className="chunk-count">
        {done}/{list.length}
      </span>
    </div>
  );
});
