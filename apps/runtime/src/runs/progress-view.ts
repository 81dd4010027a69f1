import type {
  ElementState,
  NodeStateEvent,
  RunState,
  TaskProgressEvent,
} from '@reelflow/fbp-model';

interface NodeLine {
  state: ElementState;
  done: number;
  total: number | null;
  /** Progress of running tasks by key (0..1), for a finer bar than done/total. */
  running: Map<string, number>;
}

const BAR_WIDTH = 24;

/** `[#######.........]` for a fraction 0..1. */
export function bar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * What `reelflow run` shows while a run goes: on a terminal, one progress bar per node
 * redrawn in place; otherwise one plain line per state change (good for logs and CI).
 */
export class ProgressView {
  private readonly nodes = new Map<string, NodeLine>();
  private drawn = 0;
  private runState: RunState = 'queued';

  constructor(
    nodeIds: readonly string[],
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {
    for (const id of nodeIds)
      this.nodes.set(id, { state: 'idle', done: 0, total: null, running: new Map() });
  }

  run(state: RunState, reason?: string): void {
    this.runState = state;
    if (this.tty) this.redraw();
    else this.write(`run ${state}${reason ? `: ${reason}` : ''}\n`);
  }

  node(e: NodeStateEvent): void {
    const line = this.nodes.get(e.nodeId);
    if (!line) return;
    const changed = line.state !== e.state || line.done !== e.done;
    Object.assign(line, { state: e.state, done: e.done, total: e.total });
    if (e.state !== 'running' && e.state !== 'retrying') line.running.clear();
    if (this.tty) this.redraw();
    else if (changed) this.write(`${e.nodeId} ${e.state} ${e.done}/${e.total ?? '?'}\n`);
  }

  task(e: { key: string; nodeId: string; state: ElementState }): void {
    const line = this.nodes.get(e.nodeId);
    if (line && e.state !== 'running') line.running.delete(e.key);
  }

  progress(e: TaskProgressEvent): void {
    const line = this.nodes.get(e.nodeId);
    if (!line) return;
    line.running.set(e.key, e.fraction);
    if (this.tty) this.redraw();
  }

  private fraction(line: NodeLine): number {
    if (line.state === 'done') return 1;
    if (!line.total) return 0;
    const partial = [...line.running.values()].reduce((a, b) => a + b, 0);
    return (line.done + partial) / line.total;
  }

  private redraw(): void {
    const width = Math.max(...[...this.nodes.keys()].map((k) => k.length), 4);
    const lines = [
      `run ${this.runState}`,
      ...[...this.nodes].map(
        ([id, l]) =>
          `  ${id.padEnd(width)} ${bar(this.fraction(l))} ${`${l.done}/${l.total ?? '?'}`.padStart(7)} ${l.state}`,
      ),
    ];
    // Move up over the previous drawing and clear each line before writing it again.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }
}
