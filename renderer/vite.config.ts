import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicyMeta } from './content-security-policy-meta.ts';

// The renderer is one static bundle. Electron loads it from disk and browser mode serves
// it over loopback; neither needs a dev server at run time. Both also send the CSP that the
// build writes into index.html.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [svelte(), contentSecurityPolicyMeta()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    sourcemap: true,
  },
});
