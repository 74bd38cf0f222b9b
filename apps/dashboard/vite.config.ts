import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The page is served by the daemon from the same origin as the API; during `vite` development
// point FLOTILLA_API at a daemon's HTTP URL (`cb serve` prints it) and open the page through the proxy.
const api = process.env.FLOTILLA_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': { target: api, ws: true }, '/health': api } },
});
