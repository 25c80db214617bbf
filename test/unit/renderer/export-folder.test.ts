// Export proposes a folder the user can find again, named after the pair.

import { describe, expect, it } from 'vitest';
import { defaultExportFolder, imageStem, isVisiblePath } from '../../../renderer/src/state/export-folder';

describe("Export's proposed folder", () => {
  const pair = { moving: '/data/study/moving.nii.gz', fixed: '/data/atlas/ch2bet.nii.gz', documents: '/home/ana/Documents' };

  it('is beside the last folder exported to', () => {
    expect(defaultExportFolder({ ...pair, lastExport: '/results/run-1' })).toBe('/results/moving-to-ch2bet');
  });

  it('else beside the moving image, when it lives in a visible folder', () => {
    expect(defaultExportFolder({ ...pair, lastExport: null })).toBe('/data/study/moving-to-ch2bet');
  });

  it("else in the documents folder: never a dropped file's staging copy or the app's hidden cache", () => {
    const hidden = { ...pair, lastExport: null, moving: '/home/ana/.cache/ximorph/samples/brain-moving.nii.gz' };
    expect(defaultExportFolder(hidden)).toBe('/home/ana/Documents/brain-moving-to-ch2bet');
    expect(defaultExportFolder({ ...pair, lastExport: null, moving: 'dropped.png' })).toBe('/home/ana/Documents/dropped-to-ch2bet');
    expect(isVisiblePath('/home/ana/.cache/x.nii')).toBe(false);
    expect(imageStem('/a/b/T1w.nii.gz')).toBe('T1w');
  });
});
