// Edits of immutable lists that the undoable removals share.

/** `list` with `item` back at `index` (or at the end, if the list got shorter), once. */
export function withItemAt<T>(list: readonly T[], item: T, index: number): T[] {
  const out = list.filter((x) => x !== item);
  out.splice(Math.min(index, out.length), 0, item);
  return out;
}
