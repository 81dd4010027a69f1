import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const src = (p: string) => fileURLToPath(new URL(`../../${p}/src/index.ts`, import.meta.url));
const runtime = 'http://127.0.0.1:8080';

// The app imports sibling packages from source, so it builds without building them first.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@reelflow/fbp-model': src('packages/fbp-model'),
      '@reelflow/semantics': src('packages/semantics'),
      '@reelflow/library': src('packages/library'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': runtime,
      '/healthz': runtime,
      '/socket.io': { target: runtime, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': runtime,
      '/healthz': runtime,
      '/socket.io': { target: runtime, ws: true },
    },
  },
});
