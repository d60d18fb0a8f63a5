import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The portal, built into dist/portal (served by the gateway at `/`). The trusted-documents manifest generated
 * from its sources (src/gql/persisted-documents.json) goes beside it: the gateway knows those documents.
 * PORTAL_OUT_DIR builds elsewhere (the browser tests build a fresh copy).
 */
export default defineConfig({
  root: here,
  plugins: [
    react(),
    {
      name: 'persisted-documents',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'persisted-documents.json', source: readFileSync(join(here, 'src', 'gql', 'persisted-documents.json'), 'utf8') });
      },
    },
  ],
  // `npm run portal:dev`: the API and the gateway's own routes from a running hub.
  server: {
    proxy: Object.fromEntries(['/graphql', '/portal/', '/reports/', '/members/', '/events/'].map((path) => [path, process.env.HUB_URL ?? 'http://localhost:4000'])),
  },
  build: {
    outDir: process.env.PORTAL_OUT_DIR ?? join(here, '..', 'dist', 'portal'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
