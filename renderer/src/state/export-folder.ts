// Where Export proposes to write: a folder the user can find again. Beside the last folder
// exported to; else beside the moving image, when it lives in a visible folder (not a dropped
// file's staging copy or a sample in the app's hidden cache); else in the user's documents.
// The folder is named after the pair, so that the next export does not replace this one.

/** A path's last segment without its image extension ("ch2bet.nii.gz" → "ch2bet"). */
export function imageStem(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  return name.replace(/\.(nii\.gz|nii|mha|mhd|nrrd|nhdr|png|tiff?|dcm|ima)$/i, '') || name;
}

const parentOf = (p: string) => p.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]*$/, '') || '/';

/** Absolute, and no folder on the way is hidden (".cache", ".config", a staging folder). */
export function isVisiblePath(p: string): boolean {
  return p.startsWith('/') && !p.split('/').some((segment) => segment.startsWith('.'));
}

export interface ExportFolderContext {
  /** The last folder exported to in this browser, if any. */
  readonly lastExport: string | null;
  /** The moving and fixed images' sources (paths on the engine's machine, or names). */
  readonly moving: string;
  readonly fixed: string;
  /** The engine machine's documents folder. */
  readonly documents: string;
}

export function defaultExportFolder(c: ExportFolderContext): string {
  const name = `${imageStem(c.moving)}-to-${imageStem(c.fixed)}`;
  if (c.lastExport) return `${parentOf(c.lastExport)}/${name}`;
  if (isVisiblePath(c.moving)) return `${parentOf(c.moving)}/${name}`;
  return `${c.documents.replace(/[\\/]+$/, '')}/${name}`;
}
