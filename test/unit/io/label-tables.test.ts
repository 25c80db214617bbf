// Label names and colours from the tables that travel with label maps.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBinaryLut, parseLabelText, readLabelSidecars } from '../../../main/engine/io/label-tables';
import { tempDir, templates } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

describe('text tables', () => {
  it("mricron's AAL table: value, name and a region code that is not a colour (CRLF lines)", () => {
    const entries = parseLabelText(readFileSync(path.join(templates, 'aal.nii.txt'), 'latin1'));
    expect(entries).toHaveLength(116);
    expect(entries[0]).toEqual({ value: 1, name: 'Precentral_L' });
    expect(entries[115]).toEqual({ value: 116, name: 'Vermis_10' });
  });

  it("mricron's tab-separated JHU table, whose names hold parentheses", () => {
    const entries = parseLabelText(readFileSync(path.join(templates, 'JHU-WhiteMatter-labels-1mm.nii.txt'), 'latin1'));
    expect(entries[0]).toEqual({ value: 0, name: 'Unclassified' });
    expect(entries[2]).toEqual({ value: 2, name: 'Pontine_crossing_tract_(a_part_of_MCP)' });
  });

  it('ITK-SNAP label descriptions', () => {
    const text = [
      '# ITK-SnAP Label Description File',
      '#    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL',
      '      0     0    0    0        0  0  0    "Clear Label"',
      '      1   255    0    0        1  1  1    "Left Hippocampus"',
      '     12     0  128  255     0.50  1  1    "Ventricle"',
    ].join('\n');
    expect(parseLabelText(text)).toEqual([
      { value: 0, name: 'Clear Label', color: [0, 0, 0] },
      { value: 1, name: 'Left Hippocampus', color: [255, 0, 0] },
      { value: 12, name: 'Ventricle', color: [0, 128, 255] },
    ]);
  });

  it('Slicer and FreeSurfer colour tables', () => {
    const text = ['# Color table file', '0 Unknown 0 0 0 0', '17 Left-Hippocampus 220 216 20 0', '53 Right-Hippocampus 220 216 20 255'].join('\n');
    expect(parseLabelText(text)).toEqual([
      { value: 0, name: 'Unknown', color: [0, 0, 0] },
      { value: 17, name: 'Left-Hippocampus', color: [220, 216, 20] },
      { value: 53, name: 'Right-Hippocampus', color: [220, 216, 20] },
    ]);
  });
});

describe('binary tables and sidecars', () => {
  it("an ImageJ/mricron .lut holds 256 reds, then greens, then blues", () => {
    const lut = parseBinaryLut(readFileSync(path.join(templates, 'aal.nii.lut')))!;
    expect(lut).toHaveLength(256);
    expect(lut[3]).toEqual([203, 149, 149]);
    expect(parseBinaryLut(new Uint8Array(100))).toBeUndefined();
  });

  it('finds "<name>.txt" beside "<name>.nii.gz", and returns nothing when there is no sidecar', async () => {
    const image = path.join(out.dir, 'atlas.nii.gz');
    writeFileSync(image, '');
    expect(await readLabelSidecars(image, () => [])).toBeUndefined();
    writeFileSync(path.join(out.dir, 'atlas.txt'), '1 Cortex\n2 White matter\n');
    expect(await readLabelSidecars(image, () => [])).toEqual([
      { value: 1, name: 'Cortex' },
      { value: 2, name: 'White matter' },
    ]);
  });
});
