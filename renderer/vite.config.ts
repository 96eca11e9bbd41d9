import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

// base './' because Electron loads the build from a file/custom-protocol URL and browser mode serves it
// under a token-bearing URL; absolute asset paths would break both.
export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing as data: URLs — the CSP forbids data: scripts and keeps img-src to the blob routes.
    assetsInlineLimit: 0,
  },
  server: { host: '127.0.0.1' },
});
