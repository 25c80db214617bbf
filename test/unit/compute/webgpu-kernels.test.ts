// The webgpu backend's grid-sampling kernels (WGSL) equal the cpu backend's, gradients too.
// WebGPU runs through Dawn on Chromium's SwiftShader Vulkan driver: a CPU emulation, slow but
// exact enough to test correctness on a machine without a GPU. The Vulkan loader is chosen at
// process start, so the check runs in a process of its own.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const chromium = '/usr/lib/chromium';
/** Dawn on Chromium's Vulkan loader and SwiftShader driver (Debian's own loader is too old). */
const swiftShader = { ...process.env, LD_LIBRARY_PATH: chromium, VK_ICD_FILENAMES: `${chromium}/vk_swiftshader_icd.json` };

describe('webgpu kernels on SwiftShader', () => {
  it('sample, point gradient and scatter equal the cpu backend in 2D and 3D, both paddings and interpolations', async () => {
    // Debian's chromium (the install script installs it for the browser tests) carries the driver.
    expect(existsSync(`${chromium}/vk_swiftshader_icd.json`)).toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/webgpu-kernel-check.ts'], {
      env: swiftShader,
      timeout: 100_000,
    });
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(lines[0].backend).toBe('webgpu');
    expect(String(lines[0].detail)).toMatch(/software emulation/);
    const cases = lines.slice(1);
    expect(cases).toHaveLength(8);
    for (const c of cases) {
      expect(c.value, JSON.stringify(c)).toBeLessThan(1e-4);
      expect(c.imageGradient, JSON.stringify(c)).toBeLessThan(1e-4);
      expect(c.pointGradient, JSON.stringify(c)).toBeLessThan(1e-4);
    }
  });
});

describe('a registration on webgpu (SwiftShader)', () => {
  it('runs the whole pipeline and agrees with the cpu backend', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/webgpu-registration-check.ts'], {
      env: swiftShader,
      timeout: 110_000,
    });
    const [gpu, cpu] = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { backend: string; affine: number[]; nccAffine: number; nccAfter: number; foldPercent: number });
    expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
    gpu.affine.forEach((v, i) => expect(v).toBeCloseTo(cpu.affine[i], 2));
    expect(gpu.nccAfter).toBeGreaterThan(0.98);
    expect(Math.abs(gpu.nccAfter - cpu.nccAfter)).toBeLessThan(0.002);
    expect(gpu.foldPercent).toBe(0);
  });
});

describe('ximorph register --backend webgpu (SwiftShader)', () => {
  it('registers with the built command line and names the backend in report.json', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const folder = await mkdtemp(path.join(tmpdir(), 'ximorph-webgpu-'));
    const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
    try {
      const out = path.join(folder, 'result');
      // Coarse and short, as above: a CPU emulation of a GPU is slow.
      const args = ['bin/ximorph.js', 'register', '--fixed', data + 'BrainProtonDensitySliceBorder20.png', '--moving', data + 'BrainProtonDensitySliceR10X13Y17.png'];
      args.push('--out', out, '--backend', 'webgpu', '--resolution', '5', '--set', 'alignment.iterations=[10,10]');
      args.push('--set', 'optimization.levels=[{"controlDownsample":2,"iterations":8}]', '--json');
      await promisify(execFile)(process.execPath, args, {
        env: swiftShader,
        timeout: 110_000,
      });
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as { backend: { name: string; detail: string }; metrics: { nccAfter: number } };
      expect(report.backend.name).toBe('webgpu');
      expect(report.backend.detail).toMatch(/SwiftShader.*software emulation/);
      expect(report.metrics.nccAfter).toBeGreaterThan(0.98);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
