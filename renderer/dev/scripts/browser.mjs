// Launches Debian's Chromium headless with WebGL2 through SwiftShader (the one flag that
// gives a WebGL2 context on machines without a GPU; the page is composited in software, as
// Chromium does there by default).
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
