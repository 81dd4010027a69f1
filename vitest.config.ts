import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./${p}/src/index.ts`, import.meta.url));

// Tests import sibling packages from source so `npm test` needs no prior build.
export default defineConfig({
  resolve: {
    alias: {
      '@reelflow/fbp-model': src('packages/fbp-model'),
      '@reelflow/semantics': src('packages/semantics'),
      '@reelflow/library': src('packages/library'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'bench/e2e/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
