/**
 * Real executors for the runtime's end-to-end tests. The swarm executor needs a Docker engine
 * in swarm mode and the `reelflow/ffmpeg:local` image: both are brought up by the project's
 * own scripts (idempotent), as `npm run test:all` does.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createExecutor } from '../executors/index.js';
import type { Executor } from '../executors/types.js';

const sh = promisify(execFile);
const scripts = fileURLToPath(new URL('../../../../scripts/', import.meta.url));

/** Start the engine (swarm mode) and build the image when needed. */
export async function ensureSwarm(): Promise<void> {
  await sh('bash', [`${scripts}engine.sh`], { timeout: 120_000 });
  await sh('bash', [`${scripts}build-image.sh`], { timeout: 300_000 });
}

export async function openTestExecutor(kind: 'swarm' | 'local'): Promise<Executor> {
  if (kind === 'swarm') await ensureSwarm();
  // 2 cores: two local tasks at a time.
  return (await createExecutor(kind, { local: { concurrency: 2 } })).executor;
}
