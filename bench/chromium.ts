// The browser the Chromium benchmarks drive: Debian's Chromium as a user on a machine without a
// GPU gets it, and the arithmetic they print.

import { chromium, type Browser } from 'playwright-core';

export const chromiumExecutable = () => process.env.XIMORPH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * What Chromium does on a machine without a GPU once WebGL is allowed on SwiftShader: WebGL on
 * SwiftShader, the page composited in software. Forcing SwiftShader as the GPU
 * (--use-angle=swiftshader, --ignore-gpu-blocklist) composites through it too: 7.0 updates/s
 * against 10.7 in the Inspect bench (measured in one session).
 */
export const chromiumArguments = ['--no-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArguments });
}

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
