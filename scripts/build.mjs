// Builds everything that runs: the renderer bundle (Vite) and the Node/Electron entry points
// (esbuild). Dependencies mostly stay external: tfjs loads its .wasm files relative to its own
// package, and Electron must be the runtime's own module. Those bundled are listed below.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const quiet = process.argv.includes('--quiet');
rmSync('dist/main', { recursive: true, force: true });

// Packages bundled into our files all the same. zod is some 150 ES module files, which Node
// resolves, reads and compiles one by one at the start of every thread that validates messages
// (130 ms; bundled, 50 ms), and it loads nothing relative to its own folder.
//
// itk-wasm and its IO packages the same: over 140 small ES modules, which cost a job thread
// about 0.2 s of resolving, reading, format detection and compiling before it could read its
// first image. They find their pipelines (the Emscripten modules and their .wasm) relative to
// their own files, which inside our bundle they no longer are: itkWasmInBundle has them ask
// Node where their package lies instead, exactly where the import used to lead.
const itkWasmPackages = ['itk-wasm', '@itk-wasm/image-io', '@itk-wasm/transform-io', '@itk-wasm/dicom', '@thewtex/zstddec'];
const bundledPackages = new Set(['zod', ...itkWasmPackages]);
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
// tfjs's gradients without the rest of tfjs. backend.ts imports the '@tensorflow/tfjs' union
// package only for the gradients it registers (and that still works unbuilt, under tsx and
// vitest); built, the import is tfjs-core's own module that registers them, bundled with the ops
// it uses: 17 ms and 2 MiB at the start of every engine thread instead of 180 ms and 19 MiB
// (the union loads tfjs-layers, -converter, -data and the WebGL backend). A second copy of tfjs's
// ops is what the union itself carries: they reach the one engine, registries and Tensor class
// through tfjs's globals.
const tfjsGradients = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: tfjsGradients }));
    build.onResolve({ filter: /^[^./]/ }, (args) => (bundledPackages.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

/** Replaces `from` by `to` in `source`, failing the build if a new release no longer has it. */
function patched(source, file, from, to) {
  if (!source.includes(from)) throw new Error(`${file}: no longer contains ${JSON.stringify(from)}; review the itk-wasm patches in scripts/build.mjs`);
  return source.replaceAll(from, to);
}

const itkWasmInBundle = {
  name: 'itk-wasm-in-bundle',
  setup(build) {
    // Each IO function of @itk-wasm/image-io, -transform-io and -dicom finds its pipeline as
    // path.dirname(fileURLToPath(import.meta.url)) + 'pipelines/…'. Every such file lies in its
    // package's dist/, beside the entry Node resolves the package to, so the entry's URL has the
    // same folder. Resolved when the function runs, from where the bundle lies, as the import was.
    build.onLoad({ filter: /node_modules\/@itk-wasm\/(image-io|transform-io|dicom)\/dist\/[^/]*-node\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const pkg = args.path.match(/@itk-wasm\/[^/]+/)[0];
      return { contents: patched(source, args.path, 'import.meta.url', `import.meta.resolve(${JSON.stringify(pkg)})`), loader: 'js' };
    });
    // The zstd decoder that unpacks each pipeline's .wasm.zst starts by fetching its own
    // WebAssembly from a data: URL wherever `fetch` exists, as it does in Node: its first call
    // loads Node's fetch (undici), 65 ms on a thread's first read. Node's other path is the
    // direct one: WebAssembly.instantiate on the same bytes.
    build.onLoad({ filter: /node_modules\/@thewtex\/zstddec\/dist\/zstddec\.modern\.js$/ }, async (args) => ({
      contents: patched(await readFile(args.path, 'utf8'), args.path, "typeof fetch !== 'undefined'", 'false'),
      loader: 'js',
    }));
    // Every IO call reads its pipeline's .wasm.zst and unpacks it again before making a fresh
    // Emscripten instance: 8 ms for NIfTI's reader, 20 for GDCM's, 30–45 for a DICOM series'
    // (measured), on every file. The unpacked bytes are kept per pipeline, once per thread;
    // Emscripten only reads them. And each instance compiled those bytes again: the compiled
    // WebAssembly.Module is kept too, and each instance made from it through Emscripten's
    // instantiateWasm hook (synchronously, so that a failure rejects the module's promise as
    // Emscripten's own path does).
    build.onLoad({ filter: /node_modules\/itk-wasm\/dist\/pipeline\/internal\/load-emscripten-module-node\.js$/ }, async (args) => ({
      contents: [
        ['const zstdDecoder = new ZSTDDecoder();', 'const zstdDecoder = new ZSTDDecoder();\nconst unpackedPipelines = new Map();\nconst compiledPipelines = new Map();'],
        [
          'const instantiated = result.default({ wasmBinary });',
          `const instantiateWasm = (imports, receiveInstance) => {
        let compiled = compiledPipelines.get(compressedWasmBinaryPath);
        if (!compiled) compiledPipelines.set(compressedWasmBinaryPath, (compiled = new WebAssembly.Module(wasmBinary)));
        return receiveInstance(new WebAssembly.Instance(compiled, imports), compiled);
    };
    const instantiated = result.default({ wasmBinary, instantiateWasm });`,
        ],
        [
          'const compressedWasmBinary = fs.readFileSync(compressedWasmBinaryPath);',
          'const compressedWasmBinary = unpackedPipelines.has(compressedWasmBinaryPath) ? undefined : fs.readFileSync(compressedWasmBinaryPath);',
        ],
        [
          'const wasmBinary = zstdDecoder.decode(new Uint8Array(compressedWasmBinary));',
          'const wasmBinary = unpackedPipelines.get(compressedWasmBinaryPath) ?? zstdDecoder.decode(new Uint8Array(compressedWasmBinary));\n    unpackedPipelines.set(compressedWasmBinaryPath, wasmBinary);',
        ],
      ].reduce((source, [from, to]) => patched(source, args.path, from, to), await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

const nodeEntry = (entry, outfile, extra = {}) =>
  esbuild({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    plugins: [externalPackages, itkWasmInBundle],
    sourcemap: 'linked',
    logLevel: quiet ? 'warning' : 'info',
    ...extra,
  });

await Promise.all([
  // The command line's entry loads ./ximorph.js, the rest of it, once it has started the job thread.
  nodeEntry('main/cli/cli.ts', 'dist/main/cli.js', { external: ['./ximorph.js'] }),
  nodeEntry('main/cli/ximorph.ts', 'dist/main/ximorph.js'),
  nodeEntry('main/cli/job-thread/job-thread-entry.ts', 'dist/main/cli-job.js'),
  nodeEntry('main/engine/training/gradient-worker-entry.ts', 'dist/main/training-worker.js'),
  nodeEntry('main/engine/compute/kernel-pool/kernel-pool-worker.ts', 'dist/main/kernel-worker.js'),
  nodeEntry('main/worker/engine-worker.ts', 'dist/main/engine-worker.js'),
  nodeEntry('main/electron/main.ts', 'dist/main/electron-main.js'),
  // Sandboxed preloads cannot be ES modules and may require only 'electron': bundle the rest.
  nodeEntry('main/electron/preload.ts', 'dist/main/preload.cjs', { format: 'cjs', plugins: [], external: ['electron'] }),
  viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: quiet ? 'warn' : 'info' }),
]);
