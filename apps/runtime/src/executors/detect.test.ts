import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, detectExecutor } from './detect.js';
import { ensureEngine } from './testing.js';

describe('executor detection', () => {
  beforeAll(async () => {
    await ensureEngine();
  });

  it('chooses swarm on a swarm manager that has the task image', async () => {
    const choice = await detectExecutor();
    expect(choice.kind).toBe('swarm');
    // Names the socket, not the source of docker-modem's default socket function.
    expect(choice.reason).toMatch(/engine at unix:\/\/\/\S+ is a swarm manager/);
    const { executor } = await createExecutor('auto');
    expect(executor.name).toBe('swarm');
    await executor.close();
  });

  it('falls back to local, saying why, when no engine answers', async () => {
    const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const choice = await detectExecutor({ docker });
    expect(choice).toMatchObject({ kind: 'local' });
    expect(choice.reason).toContain('no Docker engine answers at unix:///nonexistent/docker.sock');
    expect((await createExecutor('auto', { docker })).executor.name).toBe('local');
    await expect(createExecutor('swarm', { docker })).rejects.toThrow(
      /cannot use the swarm executor: no Docker engine/,
    );
  });

  it('falls back to local when the task image is missing', async () => {
    const choice = await detectExecutor({ image: 'reelflow/no-such-image:none' });
    expect(choice).toMatchObject({ kind: 'local' });
    expect(choice.reason).toContain('scripts/build-image.sh');
  });
});
