// The viewer's own end-to-end checks against its harness (renderer/dev), in Debian's
// Chromium with WebGL2 through SwiftShader:
//   node renderer/dev/scripts/convert-data.mjs      (once: sample volumes into public/data)
//   npx playwright test -c renderer/dev/playwright.config.mjs
// The harness is built and served with `vite preview`, so the production bundle and the
// app's CSP are what is tested.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './scripts/browser.mjs';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.mjs',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  webServer: {
    command: 'npx vite build -c renderer/dev/vite.config.ts && npx vite preview -c renderer/dev/vite.config.ts',
    cwd: '../..',
    url: 'http://127.0.0.1:5174/',
    reuseExistingServer: true,
    timeout: 180_000,
  },
  use: {
    baseURL: 'http://127.0.0.1:5174/',
    viewport: { width: 1400, height: 900 },
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS.filter((a) => a !== '--headless=new') },
  },
});
