import type { TaskView } from '../run/run-view.js';

/** Colours of the strip (as in styles.css: --running, --ok, --error). */
const COLOUR = { running: '#2563eb', done: '#16a34a', failed: '#e11d48', empty: '#dbe3f0' };
/** One filled run of the strip, as fractions of its width. */
export interface StripSegment {
  readonly from: number;
  readonly to: number;
  readonly colour: string;
}

/**
 * What the strip paints: cell i takes 1/n of the width; done and failed cells are full in
 * their colour, pending cells empty, others filled up to their task's progress.
 */
export function stripSegments(tasks: readonly TaskView[]): StripSegment[] {
  const n = tasks.length;
  const out: StripSegment[] = [];
  tasks.forEach((t, i) => {
    const from = i / n;
    const to = (i + 1) / n;
    if (t.state === 'done') out.push({ from, to, colour: COLOUR.done });
    else if (t.state === 'failed') out.push({ from, to, colour: COLOUR.failed });
    else if (t.state === 'pending') out.push({ from, to, colour: COLOUR.empty });
    else {
      const at = from + (to - from) * Math.min(1, Math.max(0, t.progress));
      if (at > from) out.push({ from, to: at, colour: COLOUR.running });
      if (at < to) out.push({ from: at, to, colour: COLOUR.empty });
    }
  });
  return out;
}
