// A workstation as a workspace file and back: which files are loaded and what part each
// plays, the registration parameters, the shown result (as an exported result folder), the
// paired landmarks and the comparison view.

import type { CompareView, Landmark, RegistrationOverrides, Workspace } from '../../../shared/contract/index';
import type { CompareSettings } from '../viewer/layers';
import type { LibraryImage } from './image-library.svelte';

export type Part = Workspace['images'][number]['part'];

export interface WorkstationSnapshot {
  images: readonly LibraryImage[];
  partOf: (id: string) => Part;
  preset: string;
  overrides: RegistrationOverrides;
  resultDirectory: string | null;
  compare: CompareSettings | null;
  landmarks: readonly Landmark[];
}

/** Files dropped from the browser's machine have no path to find them by again. */
export function isSavable(image: LibraryImage): boolean {
  return image.source.kind !== 'upload';
}

export function workspaceOf(s: WorkstationSnapshot): Workspace {
  return {
    format: 'ximorph-workspace',
    version: 1,
    images: s.images.filter(isSavable).map((image) => ({
      source: image.source as Workspace['images'][number]['source'],
      name: image.info.name,
      loadAs: image.info.role,
      part: s.partOf(image.info.id),
    })),
    registration: { preset: s.preset, overrides: s.overrides },
    results: s.resultDirectory ? [{ directory: s.resultDirectory }] : [],
    shownResult: s.resultDirectory ? 0 : null,
    ...(s.landmarks.length > 0 ? { landmarks: [...s.landmarks] } : {}),
    view: s.compare ? { compare: compareViewOf(s.compare) } : {},
  };
}

/** The view's comparison as workspaces and the session record keep it. */
export function compareViewOf(c: CompareSettings): CompareView {
  return { mode: c.mode, blendOpacity: c.blendOpacity, tileMm: c.tileMm, curtain: c.curtain, flickerHz: c.flickerHz, showing: c.showing };
}

/** A kept comparison back on the view; the layers it acts on follow from the images and the result. */
export function compareFromView(view: CompareView, current: CompareSettings | null): CompareSettings {
  return { fixedLayerId: 'fixed', after: [], ...(current ?? {}), ...view } as CompareSettings;
}
