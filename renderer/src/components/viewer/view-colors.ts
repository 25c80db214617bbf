// Each slice orientation has a colour: its crosshair line in the other views and its frame.
import type { SliceOrientation } from '../../viewer/view-types';

export const VIEW_COLORS: Record<SliceOrientation, string> = {
  axial: '#e5484d',
  coronal: '#46a758',
  sagittal: '#f5d90a',
};
