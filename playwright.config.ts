import { defineConfig } from '@playwright/test';

// End-to-end tests drive the real renderer in Debian's Chromium through browser mode.
// WebGL2 comes from SwiftShader, so rendering is real but slow: generous timeouts. The flags are
// what a machine without a GPU needs and no more: the page is then composited in software, as
// Chromium does there by default; forcing SwiftShader as the GPU (--use-angle=swiftshader,
// --ignore-gpu-blocklist) composites through it too, and cost more CPU. Two workers,
// one per core: each spec file runs in order in one worker, with its own server and engine, and
// the longest file (registration) overlaps the others, which took the run from 6.7 to 4.8 minutes.
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 2,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.XIMORPH_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
