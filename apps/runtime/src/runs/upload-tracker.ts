/**
 * Files that tasks push over HTTP (the `http` transfer strategy) arrive through the server
 * while the executor reports the task's exit on its own path: ffmpeg can exit before the
 * server has stored the last file it sent. The orchestrator waits here, per run, until no
 * upload is in flight and none has been active for a short quiet window, before it reads a
 * task's outputs.
 */
export class UploadTracker {
  private readonly active = new Map<string, number>();
  private readonly lastActivity = new Map<string, number>();

  /** An upload for `runId` started; call the returned function when it ends, however. */
  begin(runId: string): () => void {
    this.active.set(runId, (this.active.get(runId) ?? 0) + 1);
    this.lastActivity.set(runId, Date.now());
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.active.get(runId) ?? 1) - 1;
      if (left > 0) this.active.set(runId, left);
      else this.active.delete(runId);
      this.lastActivity.set(runId, Date.now());
    };
  }

  /**
   * Resolves once `runId` has no upload in flight and none began or ended in the last
   * `quietMs`, or after `maxMs` at most (a stuck client must not hold the run forever).
   */
  async settled(runId: string, quietMs = 150, maxMs = 10_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const busy = (this.active.get(runId) ?? 0) > 0;
      const quietFor = Date.now() - (this.lastActivity.get(runId) ?? 0);
      if (!busy && quietFor >= quietMs) {
        // Quiet: nothing to remember for this run until its next upload.
        this.lastActivity.delete(runId);
        return;
      }
      if (Date.now() >= deadline) return;
      await new Promise((done) => setTimeout(done, busy ? 25 : quietMs - quietFor));
    }
  }
}
