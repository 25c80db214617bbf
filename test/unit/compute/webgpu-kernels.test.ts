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

describe('ximorph register --backend webgpu (SwiftShader)', () => {
  it('registers with the built command line, names the backend in report.json, and agrees with the cpu backend', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const folder = await mkdtemp(path.join(tmpdir(), 'ximorph-webgpu-'));
    const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
    type Report = { backend: { name: string; detail: string }; affine: number[]; metrics: { nccAfter: number; foldPercent: number } };
    const register = async (backend: string): Promise<Report> => {
      const out = path.join(folder, backend);
      // Coarse and short: a CPU emulation of a GPU is slow. Every read back to the host must
      // be asynchronous for the whole pipeline to finish at all on webgpu.
      const args = ['bin/ximorph.js', 'register', '--fixed', data + 'BrainProtonDensitySliceBorder20.png', '--moving', data + 'BrainProtonDensitySliceR10X13Y17.png'];
      args.push('--out', out, '--backend', backend, '--resolution', '5', '--set', 'alignment.iterations=[10,10]');
      args.push('--set', 'optimization.levels=[{"controlDownsample":2,"iterations":8}]', '--json');
      await promisify(execFile)(process.execPath, args, { env: swiftShader, timeout: 110_000 });
      return JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
    };
    try {
      const [gpu, cpu] = [await register('webgpu'), await register('cpu')];
      expect(gpu.backend.name).toBe('webgpu');
      expect(gpu.backend.detail).toMatch(/SwiftShader.*software emulation/);
      expect(cpu.backend.name).toBe('cpu');
      gpu.affine.forEach((v, i) => expect(v).toBeCloseTo(cpu.affine[i], 2));
      expect(gpu.metrics.nccAfter).toBeGreaterThan(0.98);
      expect(Math.abs(gpu.metrics.nccAfter - cpu.metrics.nccAfter)).toBeLessThan(0.002);
      expect(gpu.metrics.foldPercent).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
