// Our DICOM header reader (used to list series quickly and to catch truncated files) on
// pydicom's collection of encodings, checked against what pydicom says about each file.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dicomTags, readDicomHeader, shortPixelData } from '../../../main/engine/io/dicom-header';
import { readImageFile } from '../../../main/engine/io/index';
import { maxAbsDifference, pydicomFiles, pythonJson, tempDir } from './helpers';

const cases = [
  'CT_small.dcm',
  'MR_small.dcm',
  'MR_small_implicit.dcm',
  'MR_small_bigendian.dcm',
  'MR_small_RLE.dcm',
  'MR_small_jp2klossless.dcm',
  'JPEG2000.dcm',
  'image_dfl.dcm',
  'SC_rgb_jpeg.dcm',
  'rtdose.dcm',
  'test-SR.dcm',
  'rtplan.dcm',
  'waveform_ecg.dcm',
];

describe('readDicomHeader', () => {
  it('agrees with pydicom on pixel data, rows and modality across transfer syntaxes', async () => {
    const truth = pythonJson<Record<string, { pixels: boolean; rows: number | null; modality: string | null }>>(
      `import sys, json, warnings, pydicom
warnings.simplefilter('ignore')
out = {}
for name in sys.argv[2:]:
    d = pydicom.dcmread(sys.argv[1] + '/' + name)
    out[name] = {'pixels': 'PixelData' in d, 'rows': int(d.Rows) if 'Rows' in d else None, 'modality': d.get('Modality')}
print(json.dumps(out))`,
      [pydicomFiles, ...cases],
    );
    for (const name of cases) {
      const header = (await readDicomHeader(path.join(pydicomFiles, name)))!;
      expect(header, name).toBeDefined();
      expect(header.pixelData, name).toBe(truth[name].pixels ? 'complete' : 'absent');
      expect(header.values.get(dicomTags.rows) ?? null, name).toBe(truth[name].rows === null ? null : String(truth[name].rows));
      expect(header.values.get(dicomTags.modality) ?? null, name).toBe(truth[name].modality);
    }
  });

  it('calls truncated pixel data truncated, and text not DICOM', async () => {
    expect((await readDicomHeader(path.join(pydicomFiles, 'MR_truncated.dcm')))!.pixelData).toBe('truncated');
    expect(await readDicomHeader(path.join(pydicomFiles, 'README.txt'))).toBeUndefined();
  });

  it('calls native pixel data short exactly where pydicom finds fewer bytes than rows × columns × frames × samples need', async () => {
    // pydicom's expected length (which knows 4:2:2 subsampling) against each file's element,
    // over its test files and a copy of CT_small.dcm whose pixel data was cut in half.
    const scratch = tempDir();
    const cut = path.join(scratch.dir, 'CT_small_half_pixels.dcm');
    const truth = pythonJson<Record<string, boolean>>(
      `import sys, os, json, warnings, pydicom
from pydicom.pixel_data_handlers.util import get_expected_length
warnings.simplefilter('ignore')
d = pydicom.dcmread(os.path.join(sys.argv[1], 'CT_small.dcm'))
d.PixelData = d.PixelData[: len(d.PixelData) // 2]
d.save_as(sys.argv[2])
out = {}
for file in [os.path.join(sys.argv[1], n) for n in sorted(os.listdir(sys.argv[1])) if n.endswith('.dcm')] + [sys.argv[2]]:
    try:
        d = pydicom.dcmread(file)
        if 'PixelData' not in d or d.file_meta.TransferSyntaxUID.is_compressed: continue
        out[file] = len(d.PixelData) < get_expected_length(d)
    except Exception:
        continue
print(json.dumps(out))`,
      [pydicomFiles, cut],
    );
    expect(Object.keys(truth).length).toBeGreaterThan(15);
    expect(truth[path.join(pydicomFiles, 'SC_ybr_full_422_uncompressed.dcm')]).toBe(false);
    expect(truth[cut]).toBe(true);
    for (const [file, short] of Object.entries(truth)) {
      const header = (await readDicomHeader(file))!;
      if (header.pixelData !== 'complete') continue;
      expect(shortPixelData(header) !== undefined, file).toBe(short);
    }
    scratch.cleanup();
  });

  it('ITK reads the same pixels from the explicit, implicit and big-endian encodings', async () => {
    const reference = await readImageFile(path.join(pydicomFiles, 'MR_small.dcm'));
    for (const name of ['MR_small_implicit.dcm', 'MR_small_bigendian.dcm']) {
      const { image, info } = await readImageFile(path.join(pydicomFiles, name));
      expect(info.grid).toEqual(reference.info.grid);
      expect(maxAbsDifference(image.pixels, reference.image.pixels)).toBe(0);
    }
  });
});
