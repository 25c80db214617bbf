// Our HDF5 writer against the HDF5 library itself: every file it writes is read back by h5py
// (Debian's HDF5 1.10) and by h5wasm (HDF5 1.14), names, types and values. ITK's reader (and so
// ANTs' and Slicer's) is held to our transform.h5 files in transform-files.test.ts.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group } from 'h5wasm/node';
import type { Hdf5Group } from '../../../main/engine/io/hdf5-file-writer';
import { hdf5Floats, hdf5Group, hdf5Strings, writeHdf5File } from '../../../main/engine/io/hdf5-file-writer';
import { loadH5wasm } from '../../../main/engine/io/itk-composite-h5';
import { tempDir } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

type Listing = Record<string, { type: string; values: (number | string)[] }>;

/** Every dataset of the file as h5py sees it: its dtype (strings: their kind and encoding) and values. */
function listWithH5py(file: string): Listing {
  const script = `import h5py, json, sys
listing = {}
def visit(name, item):
    if isinstance(item, h5py.Dataset):
        string = h5py.check_string_dtype(item.dtype)
        kind = 'vlen ' + string.encoding if string and string.length is None else item.dtype.str
        values = [v.decode(string.encoding) for v in item[()]] if string else [float(v) for v in item[()]]
        listing[name] = {'type': kind, 'values': values}
    else:
        listing[name] = {'type': 'group', 'values': sorted(item.keys())}
with h5py.File(sys.argv[1], 'r') as f:
    f.visititems(visit)
print(json.dumps(listing))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file]).toString());
}

/** The same, through h5wasm. */
async function listWithH5wasm(file: string): Promise<Listing> {
  const h5wasm = await loadH5wasm();
  const f = new h5wasm.File(file, 'r');
  const listing: Listing = {};
  const visit = (group: Group, prefix: string) => {
    for (const name of group.keys()) {
      const item = group.get(name)!;
      const full = prefix + name;
      if (item instanceof h5wasm.Group) {
        listing[full] = { type: 'group', values: [...item.keys()].sort() };
        visit(item, `${full}/`);
      } else {
        const dataset = item as InstanceType<typeof h5wasm.Dataset>;
        const values = dataset.value as ArrayLike<number> | string[];
        listing[full] = { type: dataset.dtype.toString(), values: Array.from(values as ArrayLike<number | string>) };
      }
    }
  };
  try {
    visit(f, '');
  } finally {
    f.close();
  }
  return listing;
}

const doubles = Float64Array.from({ length: 12 }, (_, i) => (i - 5) / 3);
const singles = Float32Array.from([1.5, -2, 3e-8, 65504, Number.MIN_VALUE, -0]);

describe('HDF5 files written here', () => {
  it('read back in h5py and h5wasm: nested groups, float32 and float64 datasets, ASCII strings, an empty dataset', async () => {
    const file = path.join(out.dir, 'nested.h5');
    await writeHdf5File(
      file,
      hdf5Group({
        TransformGroup: hdf5Group({
          '0': hdf5Group({ TransformType: hdf5Strings('CompositeTransform_double_3_3') }),
          '1': hdf5Group({ TransformType: hdf5Strings('AffineTransform_double_3_3'), TransformParameters: hdf5Floats(doubles), Empty: hdf5Floats(new Float64Array(0)) }),
        }),
        Singles: hdf5Floats(singles),
        Names: hdf5Strings('a', '', 'three words here'),
      }),
    );
    const listing = listWithH5py(file);
    expect(listing).toEqual({
      TransformGroup: { type: 'group', values: ['0', '1'] },
      'TransformGroup/0': { type: 'group', values: ['TransformType'] },
      'TransformGroup/0/TransformType': { type: 'vlen ascii', values: ['CompositeTransform_double_3_3'] },
      'TransformGroup/1': { type: 'group', values: ['Empty', 'TransformParameters', 'TransformType'] },
      'TransformGroup/1/Empty': { type: '<f8', values: [] },
      'TransformGroup/1/TransformParameters': { type: '<f8', values: [...doubles] },
      'TransformGroup/1/TransformType': { type: 'vlen ascii', values: ['AffineTransform_double_3_3'] },
      Singles: { type: '<f4', values: [...singles] },
      Names: { type: 'vlen ascii', values: ['a', '', 'three words here'] },
    });
    const viaH5wasm = await listWithH5wasm(file);
    expect(viaH5wasm['TransformGroup/1/TransformParameters'].values).toEqual([...doubles]);
    expect(viaH5wasm.Singles.values).toEqual([...singles]);
    expect(viaH5wasm.Names.values).toEqual(['a', '', 'three words here']);
    expect(viaH5wasm['TransformGroup/0/TransformType'].values).toEqual(['CompositeTransform_double_3_3']);
    expect(Object.keys(viaH5wasm).sort()).toEqual(Object.keys(listing).sort());
  });

  it('a group of many members (more than one symbol table node holds) and a large array', async () => {
    const members: Record<string, ReturnType<typeof hdf5Floats>> = {};
    // Names whose byte order is not their numeric order, as the library sorts them.
    for (let i = 0; i < 40; i++) members[String(i)] = hdf5Floats(Float64Array.of(i, -i));
    const large = Float32Array.from({ length: 3_000_001 }, (_, i) => Math.sin(i * 0.001));
    const file = path.join(out.dir, 'many.h5');
    await writeHdf5File(file, hdf5Group({ many: hdf5Group(members), large: hdf5Floats(large) }));
    const script = `import h5py, sys, json
with h5py.File(sys.argv[1], 'r') as f:
    g = f['many']
    large = f['large'][()]
    print(json.dumps({'names': list(g.keys()), 'values': {k: [float(v) for v in g[k][()]] for k in g}, 'large': [len(large), float(large[0]), float(large[1234567]), float(large[-1])]}))`;
    const seen = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file]).toString());
    expect(seen.names).toEqual(Object.keys(members).sort());
    for (let i = 0; i < 40; i++) expect(seen.values[String(i)]).toEqual([i, -i]);
    expect(seen.large).toEqual([large.length, large[0], large[1234567], large[large.length - 1]]);
  });

  it('h5py can change values in place (a file the library opens for writing)', async () => {
    const file = path.join(out.dir, 'patched.h5');
    await writeHdf5File(file, hdf5Group({ g: hdf5Group({ v: hdf5Floats(Float64Array.of(1, 2, 3)) }) }));
    execFileSync('/usr/bin/python3', ['-c', "import h5py, sys\nwith h5py.File(sys.argv[1], 'r+') as f: f['g/v'][1] = 20", file]);
    expect(listWithH5py(file)['g/v'].values).toEqual([1, 20, 3]);
  });

  it('refuses what it cannot write, before writing anything', async () => {
    const file = path.join(out.dir, 'refused.h5');
    const refuse = (root: Hdf5Group) => expect(writeHdf5File(file, root)).rejects.toThrow();
    await refuse(hdf5Group({ s: hdf5Strings('Grüße') }));
    await refuse(hdf5Group({ 'a/b': hdf5Floats(Float64Array.of(1)) }));
    await refuse(hdf5Group({ '': hdf5Floats(Float64Array.of(1)) }));
    expect(existsSync(file)).toBe(false);
  });
});
