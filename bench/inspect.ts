// Inspect mode under a moving pointer: `ximorph serve --sample` (the real engine worker and
// WebSocket transport) and the real renderer in Debian's Chromium, on the sample Colin27 pair
// (ch2bet at 1 mm, 181×217×181, against a copy under the project's smooth synthetic
// deformation). Inspect mode with the default featurizer and working resolution; once the
// first answer is drawn (the features are computed once per image), the pointer moves
// continuously over the fixed image's axial view for `--seconds` (default 10), one move per
// animation frame. Printed: heatmaps rendered per second, and the latency from the pointer
// event whose point was asked about until the views its heatmap changed show it (p50, p95; a
// point overtaken while another was in flight is dropped, never queued, so it has no latency),
// the engine's time per answer, the CPU time each process spent per update, the backend, and
// the sizes. Chromium is driven without the DevTools Network domain (devtools-page.ts): under
// Playwright each heatmap's frame also went to the driver in base64, 50 ms of CPU per update.
//
//   npm run bench:inspect [-- --seconds 10] [-- --layout 1x3]

import { startServe } from '../test/e2e/browser-mode';
import { percentile } from './chromium';
import { cpuPerUnit, cpuSnapshot, describeCpu, watchMachine } from './cpu-time';
import { launchDevtoolsChromium, sleep } from './devtools-page';

const argument = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const seconds = Number(argument('--seconds')) || 10;
/** The viewers' layout: '2×2' (three slices and 3D, the default) or '1×3' (slices only). */
const layout = argument('--layout') === '1x3' ? '1×3' : '2×2';

async function main() {
  const machine = watchMachine();
  const server = await startServe(['--sample']);
  const browser = await launchDevtoolsChromium({ url: server.url, width: 1400, height: 900 });
  const page = browser.page;
  try {
    await page.waitFor(() => document.querySelector('[data-testid="engine-status"]')?.textContent?.includes('Engine ready'), undefined, 120_000);
    await page.waitFor(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent?.trim() === 'Inspect');
      return !!b && !b.disabled && document.querySelectorAll('[aria-busy="true"]').length === 0;
    }, undefined, 180_000);
    await page.clickButton('Inspect');
    await page.waitFor(() => !!document.querySelector('[data-inspect-side="fixed"] [data-view="axial"]'));
    for (const side of ['fixed', 'moving']) await page.clickButton(layout, `[data-inspect-side="${side}"]`);
    await sleep(2000);
    const box = await page.evaluate(() => {
      const r = document.querySelector('[data-inspect-side="fixed"] [data-view="axial"]')!.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    // Record every rendered answer's latency as the app reports it.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="inspect-workspace"]')!;
      const w = window as unknown as { inspectLog: { latency: number; compute: number; at: number }[] };
      w.inspectLog = [];
      new MutationObserver(() =>
        w.inspectLog.push({ latency: Number(el.getAttribute('data-rendered-latency-ms')), compute: Number(el.getAttribute('data-compute-ms')), at: performance.now() }),
      ).observe(el, { attributes: true, attributeFilter: ['data-rendered-count'] });
    });
    // A point inside the brain; the first answer computes both images' features.
    const centre = { x: box.x + box.width * 0.5, y: box.y + box.height * 0.5 };
    const firstStart = Date.now();
    await page.mouseMove(centre.x, centre.y);
    await page.waitFor(() => Number(document.querySelector('[data-testid="inspect-workspace"]')?.getAttribute('data-rendered-count')) > 0, undefined, 300_000);
    const firstSeconds = (Date.now() - firstStart) / 1000;
    // The views' first renders (the volumes' upload and first ray casts) finish before measuring.
    await sleep(3000);

    // Then circles through the brain, one pointer move per frame, for the measured seconds.
    const countBefore = await page.evaluate(() => (window as unknown as { inspectLog: unknown[] }).inspectLog.length);
    const radius = Math.min(box.width, box.height) * 0.22;
    const cpuBefore = cpuSnapshot();
    const start = Date.now();
    let moves = 0;
    while (Date.now() - start < seconds * 1000) {
      const t = (Date.now() - start) / 1000;
      const angle = t * 2 * Math.PI * 0.5;
      await page.mouseMove(centre.x + radius * Math.cos(angle) * (0.5 + 0.5 * Math.sin(t)), centre.y + radius * Math.sin(angle));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
      moves++;
    }
    const elapsed = (Date.now() - start) / 1000;
    const cpuAfter = cpuSnapshot();
    const log = (await page.evaluate(() => (window as unknown as { inspectLog: { latency: number; compute: number }[] }).inspectLog)).slice(countBefore);
    const backend = await page.textContaining('Compute backend:');
    const { featurizer, heatmapSize, sizes } = await page.evaluate(() => {
      const readout = document.querySelector('[data-testid="match-readout"]')!;
      return {
        featurizer: readout.getAttribute('data-featurizer'),
        heatmapSize: readout.getAttribute('data-heatmap-size'),
        sizes: Array.from(document.querySelectorAll('[data-inspect-side] .name')).map((e) => e.textContent ?? ''),
      };
    });
    const latencies = log.map((l) => l.latency);
    const computes = log.map((l) => l.compute);
    const rate = log.length / elapsed;
    console.log(`Inspect mode, layout ${layout}, pointer moving ${elapsed.toFixed(1)} s over the fixed image's axial view (${moves} pointer moves)`);
    console.log(`  pair: ${sizes.join(' / ')} — the sample Colin27 pair, 181×217×181 at 1 mm`);
    console.log(`  featurizer: ${featurizer}; heatmap (working) grid: ${heatmapSize}; ${backend}`);
    console.log(`  first answer (features of both images): ${firstSeconds.toFixed(1)} s`);
    console.log(`  heatmaps rendered: ${log.length} → ${rate.toFixed(1)} updates/s (goal ≥ 20)`);
    if (log.length > 0) {
      console.log(`  latency pointer event → heatmap on screen: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`);
      console.log(`  engine time per answer: p50 ${percentile(computes, 50).toFixed(0)} ms, p95 ${percentile(computes, 95).toFixed(0)} ms`);
      const cpu = cpuPerUnit(cpuBefore, cpuAfter, log.length);
      if (cpu.byRole.length > 0)
        console.log(`  CPU per update: ${describeCpu(cpu)}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(machine.report());
}

await main();
