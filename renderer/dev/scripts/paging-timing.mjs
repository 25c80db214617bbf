// Rough paging cost in this browser: wheel steps on the axial view, each awaited until two
// animation frames have passed (the coalesced render has run). SwiftShader renders on the CPU,
// so this is an upper bound for machines with a GPU. Usage: node paging-timing.mjs [base-url]
/* global document, WheelEvent, requestAnimationFrame */
import { launchChromium } from './browser.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:5174/';
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
for (const scenario of ['brain', 'labels', 'compare']) {
  await page.goto(`${base}?scenario=${scenario}`);
  await page.waitForSelector('[data-ready="true"]', { timeout: 60000 });
  await page.waitForTimeout(2000);
  const ms = await page.evaluate(async () => {
    const el = document.querySelector('[data-view="axial"]');
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const times = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      el.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 15 ? -100 : 100, bubbles: true, cancelable: true }));
      await frame();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { median: times[15], p90: times[27] };
  });
  console.log(scenario, 'ms per wheel step (median, p90):', ms.median.toFixed(1), ms.p90.toFixed(1));
}
await browser.close();
