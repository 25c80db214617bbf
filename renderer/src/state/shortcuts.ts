// Every keyboard shortcut the workstation answers, in one table: the help sheet (`?`) lists
// it, and each entry names the component that handles the key, so that a new key is added
// here too. Keys act only when focus is not in a text field.

export interface Shortcut {
  /** The keys as a user presses them; any one of them does it. */
  readonly keys: readonly string[];
  readonly action: string;
  /** When it applies. */
  readonly where: string;
  /** The component handling it (for whoever maintains this). */
  readonly handledBy: string;
}

export const shortcuts: readonly Shortcut[] = [
  { keys: ['?'], action: 'Show this list of shortcuts', where: 'anywhere', handledBy: 'ShortcutSheet' },
  { keys: ['i'], action: 'Inspect mode on or off', where: 'a fixed and a moving image are chosen', handledBy: 'InspectToggle' },
  { keys: ['b'], action: 'Flip between before and after registration', where: 'the viewer, with a result shown', handledBy: 'ViewerWorkspace' },
  { keys: ['←', '→', '↑', '↓'], action: 'Move the crosshair in the plane, a voxel at a time (with Shift: ten)', where: 'a slice view has focus (Tab or click to it)', handledBy: 'SliceView' },
  { keys: ['Page Up', 'Page Down'], action: 'Next or previous slice of the view (with Shift: ten)', where: 'a slice view has focus', handledBy: 'SliceView' },
  { keys: ['↑', '↓'], action: 'Next or previous slice of the active view', where: 'the viewer has focus, outside the slice views', handledBy: 'ViewerWorkspace' },
  { keys: ['r'], action: 'Reset the views (zoom, pan, crosshair)', where: 'the viewer has focus', handledBy: 'ViewerWorkspace' },
  { keys: ['Ctrl+Z'], action: 'Undo the last change to the view or its layers (window, colours, visibility, overlay, layout, zoom, measurements)', where: 'the viewer', handledBy: 'ViewerWorkspace' },
  { keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo', where: 'the viewer', handledBy: 'ViewerWorkspace' },
  { keys: ['Esc'], action: 'Close the dialog; in Inspect mode, release a pinned point', where: 'a dialog is open; Inspect mode', handledBy: 'modal.ts, InspectWorkspace' },
  { keys: ['Tab', 'Shift+Tab'], action: 'Move between controls (kept within an open dialog)', where: 'anywhere', handledBy: 'modal.ts' },
];

/** Whether a key event comes from typing: in text fields (not checkboxes or sliders) letters are text, not shortcuts. */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  return t.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color'].includes((t as HTMLInputElement).type);
}
