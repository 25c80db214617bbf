// Screenshots of facade-check.html, one per case, into renderer/dev/screenshots/.
import { launchChromium } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const out = new URL('../screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1240, height: 940 } });
page.on('console', (m) => console.log('[page]', m.type(), m.text()));
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
await page.goto(process.argv[2] ?? 'http://127.0.0.1:5174/facade-check.html');
await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
await page.waitForTimeout(3000);
await page.screenshot({ path: `${out}facade-all.png` });
await browser.close();
