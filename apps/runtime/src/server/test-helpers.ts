/**
 * Helpers shared by the runtime's tests: media fixtures made with the real ffmpeg, multipart
 * bodies, and an executor stand-in for route tests that never need a task to run.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Executor, ExecutorEvent, LaunchRequest } from '../executors/types.js';

const run = promisify(execFile);

/**
 * Generate a test clip: `seconds` of testsrc2 at `size`, 25 fps, H.264 with a keyframe every
 * `gop` frames, MP4 with the index at the front (so a truncated copy still probes).
 */
export async function makeClip(
  path: string,
  opts: { seconds: number; size?: string; gop?: number; fps?: number },
): Promise<void> {
  const fps = opts.fps ?? 25;
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${opts.size ?? '320x240'}:rate=${fps}:duration=${opts.seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(opts.gop ?? 2 * fps),
    '-keyint_min',
    String(opts.gop ?? 2 * fps),
    '-sc_threshold',
    '0',
    '-movflags',
    '+faststart',
    path,
  ]);
}

/** Copy the first `fraction` of a file to `to` (a truncated video). */
export async function truncateCopy(from: string, to: string, fraction: number): Promise<void> {
  const bytes = await readFile(from);
  await writeFile(to, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}

/** A multipart/form-data body with one file field. */
export function multipart(field: string, filename: string, content: Buffer | string): FormData {
  const form = new FormData();
  form.append(
    field,
    new Blob([typeof content === 'string' ? content : new Uint8Array(content)]),
    filename,
  );
  return form;
}

/**
 * STAND-IN executor for route tests: it records launches and cancels and never runs a task,
 * so a run it serves stays `running` until cancelled. Real runs use the swarm or local executor.
 */
export class RecordingExecutorStub implements Executor {
  readonly name = 'local' as const;
  readonly launched: LaunchRequest[] = [];
  readonly cancelled: string[] = [];
  readonly cleaned: string[] = [];
  private readonly listeners = new Set<(e: ExecutorEvent) => void>();

  storageRoot(runDir: string): string {
    return runDir;
  }
  async launch(request: LaunchRequest): Promise<void> {
    this.launched.push(request);
  }
  async cancel(_runId: string, key: string): Promise<void> {
    this.cancelled.push(key);
  }
  async cleanupRun(runId: string): Promise<void> {
    this.cleaned.push(runId);
  }
  async listRunTasks(): Promise<
    Array<{ key: string; attempt: number; state: 'running' | 'succeeded' | 'failed' }>
  > {
    return [];
  }
  onEvent(listener: (event: ExecutorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Send an event as if a task reported it. */
  emit(event: ExecutorEvent): void {
    for (const l of this.listeners) l(event);
  }
  async close(): Promise<void> {}
}
