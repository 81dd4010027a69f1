import { join } from 'node:path';
import type { Graph, Token } from '@reelflow/fbp-model';
import { hlsPlaylist, outputDir } from '@reelflow/library';
import { writeFileAtomically } from './atomic-write.js';
import type { RunDir } from './rundir.js';

/** The name of the growing playlist, next to the stream node's final files. */
export const LIVE_PLAYLIST = 'live.m3u8';

interface LiveMerge {
  readonly mergeId: string;
  /** Folder of the stream node's outputs, relative to the run directory. */
  readonly outDir: string;
  readonly feeders: ReadonlySet<string>;
}

/**
 * Issue 5 part 8: for a merge with `incremental: true` that feeds an HLS stream, keep a
 * playlist of the in-order encoded chunks that are ready, so playback starts before the last
 * chunk is encoded. The segments are the chunk files themselves, reached through the run's
 * file route (`../../files/<path>` from `outputs/<stream>/live.m3u8`).
 */
export class IncrementalStream {
  private readonly merges: LiveMerge[];
  /** Group id → chunk index → token, for chunks produced by a node feeding a live merge. */
  private readonly chunks = new Map<string, Map<number, Token>>();
  private writing = Promise.resolve();

  constructor(
    graph: Graph,
    private readonly dir: RunDir,
  ) {
    this.merges = graph.nodes
      .filter((n) => n.type === 'merge' && n.params.incremental === true)
      .flatMap((merge) => {
        const streams = graph.edges
          .filter((e) => e.from.node === merge.id)
          .map((e) => graph.nodes.find((n) => n.id === e.to.node))
          .filter((n) => n?.type === 'stream' && (n.params.format ?? 'hls') === 'hls');
        const feeders = new Set(
          graph.edges.filter((e) => e.to.node === merge.id).map((e) => e.from.node),
        );
        return streams.map((s) => ({ mergeId: merge.id, outDir: outputDir(s!.id), feeders }));
      });
  }

  /** Whether the graph has any live playlist to keep. */
  get active(): boolean {
    return this.merges.length > 0;
  }

  /** Remember chunk tokens produced by a node feeding a live merge. */
  tokensProduced(nodeId: string, tokens: readonly Token[]): void {
    if (!this.merges.some((m) => m.feeders.has(nodeId))) return;
    for (const t of tokens) {
      if (!t.group) continue;
      let byIndex = this.chunks.get(t.group.id);
      if (!byIndex) this.chunks.set(t.group.id, (byIndex = new Map()));
      byIndex.set(t.group.index, t);
    }
  }

  /** The merge holds chunks 0..ready-1 of a group: rewrite the playlist with them. */
  prefixReady(mergeId: string, groupId: string, ready: number, count?: number): Promise<void> {
    const targets = this.merges.filter((m) => m.mergeId === mergeId);
    const byIndex = this.chunks.get(groupId);
    if (targets.length === 0 || !byIndex) return this.writing;
    const tokens: Token[] = [];
    for (let i = 0; i < ready && byIndex.has(i); i++) tokens.push(byIndex.get(i)!);
    const text = livePlaylist(tokens, count !== undefined && tokens.length === count);
    // Writes are chained so an older, shorter playlist never replaces a newer one.
    this.writing = this.writing.then(() =>
      Promise.all(targets.map((m) => this.write(m.outDir, text))).then(() => undefined),
    );
    return this.writing;
  }

  private async write(outDir: string, text: string): Promise<void> {
    // A player never reads half a playlist.
    await writeFileAtomically(join(this.dir.root, outDir, LIVE_PLAYLIST), text);
  }
}

/**
 * The live playlist over the ready chunks. Its segments are the chunk files themselves,
 * reached through the run's file route: from `/api/runs/:id/outputs/<stream>/live.m3u8`,
 * `../../files/<path>` is `/api/runs/:id/files/<path>`.
 */
export function livePlaylist(tokens: readonly Token[], ended: boolean): string {
  return hlsPlaylist(
    tokens.map((t) => ({
      uri: `../../files/${t.path.split('/').map(encodeURIComponent).join('/')}`,
      duration: t.durationSeconds ?? 0,
    })),
    ended,
  );
}
