// Every system dependency that XiMorph's tests, benchmark and samples use, with the Debian
// package that provides it. The install script installs exactly these packages and the
// preflight (`npm test` runs it first) checks each item, so a dependency installed by hand on
// one machine fails loudly everywhere instead of passing on that machine only.

import { readFileSync } from 'node:fs';

/**
 * The Node.js XiMorph supports (`minimum`), and the major version the install script puts in
 * /usr/local when the machine's is older (`provided`). package.json's engines and the README
 * state the same minimum; the preflight checks that they do.
 */
export const nodeSupport = JSON.parse(readFileSync(new URL('./node-support.json', import.meta.url), 'utf8'));

/** Python modules, imported by Debian's /usr/bin/python3 (never the one on PATH). */
export const pythonModules = {
  numpy: 'python3-numpy',
  scipy: 'python3-scipy',
  nibabel: 'python3-nibabel',
  pydicom: 'python3-pydicom',
  PIL: 'python3-pil',
  h5py: 'python3-h5py',
  // The benchmark's second peer, SyN (bench/syn/dipy_syn.py).
  dipy: 'python3-dipy',
};

/** Programs, by absolute path. */
export const programs = {
  '/usr/bin/python3': 'python3',
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/elastix': 'elastix',
  '/usr/bin/transformix': 'elastix',
};

/** Data folders (real scans and test files), with one file each that must be present. */
export const dataFiles = {
  '/usr/share/mricron/templates/ch2bet.nii.gz': 'mricron-data',
  '/usr/share/mricron/templates/aal.nii.gz': 'mricron-data',
  '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png': 'insighttoolkit5-examples',
  '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm': 'python3-pydicom',
  '/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii': 'python3-nibabel',
};

/** The Debian packages that provide all of the above. */
export function debianPackages() {
  return [...new Set([...Object.values(pythonModules), ...Object.values(programs), ...Object.values(dataFiles)])].sort();
}

// `node scripts/system-dependencies.mjs packages` prints the package list for the shell.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()) && process.argv[2] === 'packages') {
  console.log(debianPackages().join(' '));
}
