// `npm test` runs this first: it checks every system dependency the tests use and names the
// Debian package that provides each missing one, so that a machine missing one fails here
// with the fix in one line, not later as a confusing test failure. It also reads the tests'
// Python (the .py files and the snippets inside test sources) for the modules they import,
// so that a new import which scripts/system-dependencies.mjs does not list fails on every
// machine, including the one where the module happens to be installed.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataFiles, nodeSupport, programs, pythonModules } from './system-dependencies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = '/usr/bin/python3';
const problems = [];
const missingPackages = new Set();
const miss = (what, pkg) => {
  problems.push(`${what} (Debian package ${pkg})`);
  missingPackages.add(pkg);
};

// --- Node.js, and that package.json and the README state the same minimum ------------------
const newer = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return true;
};
if (!newer(process.versions.node, nodeSupport.minimum))
  problems.push(`Node.js ${process.versions.node} is older than the supported ${nodeSupport.minimum} (scripts/install-debian-packages.sh installs Node.js ${nodeSupport.provided})`);
const engines = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
if (engines !== `>=${nodeSupport.minimum}`) problems.push(`package.json's engines.node is "${engines}", but scripts/node-support.json says >=${nodeSupport.minimum}`);
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
if (!readme.includes(`Node.js ≥ ${nodeSupport.minimum}`)) problems.push(`README.md does not state the supported "Node.js ≥ ${nodeSupport.minimum}"`);

// --- programs and data ---------------------------------------------------------------------
for (const [program, pkg] of Object.entries(programs)) if (!existsSync(program)) miss(`${program} is missing`, pkg);
for (const [file, pkg] of Object.entries(dataFiles)) if (!existsSync(file)) miss(`${file} is missing`, pkg);

// --- Python modules: those the tests import must be listed, and importable ------------------
function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* sources(full);
    else if (/\.(py|ts|mts|mjs|js)$/.test(name)) yield full;
  }
}
/** Top-level modules named by Python import statements. TypeScript's `import x from '…'` never matches: it has a `from` clause after the names. */
function pythonImports(text, isPython) {
  const found = new Set();
  const statement = isPython ? /^[ \t]*(?:import|from)[ \t]+([\w.]+)/gm : /(?:^|[`;])[ \t]*import[ \t]+((?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*[\w.]+(?:[ \t]+as[ \t]+\w+)?)[ \t]*(?=;|$)/gm;
  for (const match of text.matchAll(statement)) for (const part of match[1].split(',')) found.add(part.trim().split(/[ \t.]/)[0]);
  if (!isPython) for (const match of text.matchAll(/(?:^|[`;])[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]/gm)) found.add(match[1].split('.')[0]);
  return found;
}
const imported = new Map();
for (const folder of ['test', 'bench', 'scripts']) {
  for (const file of sources(path.join(root, folder))) {
    for (const module of pythonImports(readFileSync(file, 'utf8'), file.endsWith('.py'))) if (!imported.has(module)) imported.set(module, path.relative(root, file));
  }
}
let standard = new Set();
if (existsSync(python)) {
  standard = new Set(JSON.parse(execFileSync(python, ['-c', 'import sys, json; print(json.dumps(sorted(sys.stdlib_module_names)))'], { encoding: 'utf8' })));
  for (const [module, file] of imported)
    if (!standard.has(module) && !(module in pythonModules))
      problems.push(`${file} imports the Python module "${module}", which scripts/system-dependencies.mjs does not list: add it with the Debian package that provides it`);
  const check = `import importlib, json, sys\nmissing = []\nfor name in sys.argv[1:]:\n    try: importlib.import_module(name)\n    except Exception: missing.append(name)\nprint(json.dumps(missing))`;
  const missing = JSON.parse(execFileSync(python, ['-c', check, ...Object.keys(pythonModules)], { encoding: 'utf8' }));
  for (const module of missing) miss(`${python} cannot import ${module}`, pythonModules[module]);
}

const checks = 3 + Object.keys(programs).length + Object.keys(dataFiles).length + Object.keys(pythonModules).length + imported.size;
if (problems.length) {
  console.error(`preflight: ${problems.length} problem${problems.length > 1 ? 's' : ''} with this machine:`);
  for (const p of problems) console.error(`  - ${p}`);
  if (missingPackages.size) console.error(`Fix: scripts/install-debian-packages.sh (installs ${[...missingPackages].sort().join(' ')})`);
  process.exit(1);
}
console.log(`preflight: ok (${checks} checks: Node.js ${process.versions.node}, ${Object.keys(programs).length} programs, ${Object.keys(dataFiles).length} data files, ${Object.keys(pythonModules).length} Python modules, ${imported.size} modules imported by the tests' Python)`);
