// Screenshots of one harness scenario: node renderer/dev/scripts/shoot.mjs <scenario> [name]
/* global document */
import { launchChromium } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const [scenario = 'brain', name = scenario, base = 'http://127.0.0.1:5174/'] = process.argv.slice(2);
const out = new URL('../screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('console', (m) => m.type() !== 'debug' && console.log('[page]', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
await page.goto(`${base}?scenario=${scenario}`);
await page.waitForSelector('[data-ready="true"]', { timeout: 60000 });
await page.waitForTimeout(2500);
await page.screenshot({ path: `${out}${name}.png` });
console.log(await page.evaluate(() => document.querySelector('[data-testid="readout"]')?.outerHTML.slice(0, 400)));
await browser.close();
