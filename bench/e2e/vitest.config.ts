import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`../../${p}/src/index.ts`, import.meta.url));

// The benchmark's own helpers: `npx vitest run -c bench/e2e/vitest.config.ts`.
export default defineConfig({
  // Keep vitest's cache with the repository's, not in a node_modules inside bench/e2e.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-bench', import.meta.url)),
  resolve: {
    alias: {
      '@reelflow/fbp-model': src('packages/fbp-model'),
      '@reelflow/semantics': src('packages/semantics'),
      '@reelflow/library': src('packages/library'),
    },
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    testTimeout: 60_000,
  },
});
