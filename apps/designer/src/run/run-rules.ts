import type { Graph, OutputFile } from '@reelflow/fbp-model';
import { isPlayableOutput } from '@reelflow/fbp-model';

/**
 * Does the runtime take a retry of this node? It retries a node's failed tasks while the run
 * is running, or once it has failed (`RunManager.retryNode`); a cancelled run is over for good.
 */
export function canRetry(runState: string | undefined, nodeState: string | undefined): boolean {
  return (runState === 'failed' || runState === 'running') && nodeState === 'failed';
}

/** A parameter whose value in the graph now differs from the one the run started with. */
export interface ChangedParam {
  readonly name: string;
  readonly ran: unknown;
  readonly now: unknown;
}

/** Parameters of `nodeId` edited since the run started (a retry still uses the old ones). */
export function changedParams(ran: Graph, now: Graph, nodeId: string): ChangedParam[] {
  const before = ran.nodes.find((n) => n.id === nodeId)?.params ?? {};
  const after = now.nodes.find((n) => n.id === nodeId)?.params ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
    .map((name) => ({ name, ran: before[name], now: after[name] }));
}

/** A parameter value as a person reads it. */
export const showValue = (v: unknown): string =>
  v === undefined ? 'unset' : typeof v === 'string' ? v : JSON.stringify(v);

/** Bytes as a short size (1.4 MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let unit = -1;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[unit]}`;
}

/** Seconds as m:ss.s */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s < 10 ? '0' : ''}${s.toFixed(1)}`;
}

/** Outputs as the Run panel lists them: whole files first, segments grouped per folder. */
export interface OutputGroups {
  readonly files: readonly OutputFile[];
  readonly segments: readonly {
    readonly folder: string;
    readonly files: readonly OutputFile[];
    readonly bytes: number;
  }[];
}

export function groupOutputs(files: readonly OutputFile[]): OutputGroups {
  const whole: OutputFile[] = [];
  const byFolder = new Map<string, OutputFile[]>();
  for (const f of files) {
    if (f.kind !== 'segment') whole.push(f);
    else {
      const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), f]);
    }
  }
  // The entry people look for first: a master playlist, then media playlists, then videos.
  const rank = (f: OutputFile) =>
    /(^|\/)master\.m3u8$/.test(f.path)
      ? 0
      : f.kind === 'playlist'
        ? 1
        : isPlayableOutput(f.kind)
          ? 2
          : 3;
  whole.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path, 'en', { numeric: true }));
  return {
    files: whole,
    segments: [...byFolder].map(([folder, list]) => ({
      folder,
      files: list,
      bytes: list.reduce((sum, f) => sum + f.bytes, 0),
    })),
  };
}
