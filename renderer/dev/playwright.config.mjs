// The viewer's own end-to-end checks against its harness (renderer/dev), in Debian's
// Chromium with WebGL2 through SwiftShader; `npm test` runs them:
//   npx playwright test -c renderer/dev/playwright.config.mjs
// The web server first converts the sample volumes into public/data (once: the script skips
// data already converted), then builds the harness and serves it with `vite preview`, so the
// production bundle and the app's CSP are what is tested. It never reuses a server already on
// the port: that could be a dev server, or another checkout's harness.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './scripts/browser.mjs';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.mjs',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  // Two: one per core. Each file's tests stay in order in one worker.
  workers: 2,
  reporter: [['list']],
  outputDir: 'test-results',
  webServer: {
    command:
      'node renderer/dev/scripts/convert-data.mjs && npx vite build -c renderer/dev/vite.config.ts --logLevel warn && npx vite preview -c renderer/dev/vite.config.ts',
    cwd: '../..',
    url: 'http://127.0.0.1:5174/',
    reuseExistingServer: false,
    timeout: 180_000,
  },
  use: {
    baseURL: 'http://127.0.0.1:5174/',
    viewport: { width: 1400, height: 900 },
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS.filter((a) => a !== '--headless=new') },
  },
});
