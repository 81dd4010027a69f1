import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A free TCP port on loopback, asked of the OS. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

if (!existsSync(join(root, 'apps/designer/dist/index.html'))) {
  throw new Error(
    'apps/designer/dist is missing: run `npm run build` at the repository root first',
  );
}

// Workers re-load this file: the port chosen by the main process travels in the environment.
const port = Number(
  process.env.REELFLOW_E2E_PORT ?? (process.env.REELFLOW_E2E_PORT = String(await freePort())),
);
// The runtime serves the designer once it is built (REELFLOW_E2E_SERVER=runtime forces it,
// =preview forces `vite preview`).
const runtimeBuilt =
  process.env.REELFLOW_E2E_SERVER === 'runtime' ||
  existsSync(join(root, 'apps/runtime/dist/cli/main.js'));
// REELFLOW_E2E_URL points the tests at a runtime that is already serving (no server started).
const external = process.env.REELFLOW_E2E_URL;
const useRuntime =
  external !== undefined || (process.env.REELFLOW_E2E_SERVER !== 'preview' && runtimeBuilt);
process.env.REELFLOW_E2E_RUNTIME = useRuntime ? '1' : '0';
const dataDir =
  process.env.REELFLOW_E2E_DATA ??
  (process.env.REELFLOW_E2E_DATA = mkdtempSync(join(tmpdir(), 'reelflow-e2e-')));

/**
 * The tests run against the built designer served the way users get it: by `reelflow serve`
 * (the runtime API and the app on one origin). Without a built runtime they fall back to
 * `vite preview` of apps/designer/dist, and the tests that need the runtime skip.
 */
const server = useRuntime
  ? `node apps/runtime/bin/reelflow.js serve --port ${port} --host 127.0.0.1 --executor ${process.env.REELFLOW_E2E_EXECUTOR ?? 'local'} --data-dir ${dataDir}`
  : `npx vite preview --port ${port} --strictPort --host 127.0.0.1`;

export default defineConfig({
  testDir: './tests',
  outputDir: join(root, 'test-results'),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: external ?? `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
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
    },
    trace: 'retain-on-failure',
  },
  globalTeardown: join(root, 'e2e/teardown.ts'),
  webServer: external
    ? undefined
    : {
        command: server,
        cwd: useRuntime ? root : join(root, 'apps/designer'),
        url: useRuntime ? `http://127.0.0.1:${port}/healthz` : `http://127.0.0.1:${port}/`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
