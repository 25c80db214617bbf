// The viewer's development harness (not shipped): `npx vite -c renderer/dev/vite.config.ts`
// serves renderer/dev with the sample volumes converted into renderer/dev/data.
// Paths come from URL pathnames (POSIX machines) so that this file needs no Node import.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { contentSecurityPolicyMeta } from '../content-security-policy-meta.ts';

const path = (url: URL) => decodeURIComponent(url.pathname);

export default defineConfig({
  root: path(new URL('.', import.meta.url)),
  base: './',
  // public/data holds the converted samples (scripts/convert-data.mjs); served as data/.
  publicDir: path(new URL('public', import.meta.url)),
  // The built harness carries the app's CSP, so that the e2e checks prove the viewer runs under it.
  plugins: [svelte({ configFile: path(new URL('../../svelte.config.js', import.meta.url)) }), contentSecurityPolicyMeta()],
  server: { port: 5174, strictPort: true, host: '127.0.0.1', fs: { allow: [path(new URL('../..', import.meta.url))] } },
  preview: { port: 5174, strictPort: true, host: '127.0.0.1' },
  build: {
    outDir: path(new URL('../../.tmp/viewer-harness', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        index: path(new URL('index.html', import.meta.url)),
        facade: path(new URL('facade-check.html', import.meta.url)),
      },
    },
  },
});
