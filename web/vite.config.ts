// The web UI's build: web/ (React 19) into dist/web, which `mlcycle server` serves at `/` (src/server/ui-routes.ts).
// JSX goes through Vite's own transform (no Babel plugin needed); the charts' Vega libraries load in their own chunk.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
});
