// Undo and redo of settled view states.

import { describe, expect, it } from 'vitest';
import { History } from '../../../renderer/src/viewer/view-history';

const sameNumber = (a: number, b: number) => a === b;

describe('view history', () => {
  it('undoes and redoes settled states; a repeat is no step', () => {
    const h = new History(sameNumber);
    h.record(1);
    h.record(1);
    expect(h.canUndo).toBe(false);
    h.record(2);
    h.record(3);
    expect(h.undo()).toBe(2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe(2);
    // The view now shows 2: recording it (the restored state settling) is no new step.
    h.record(2);
    expect(h.redo()).toBe(3);
  });

  it('a new change after an undo forgets what could be redone; the past is bounded', () => {
    const h = new History(sameNumber, 3);
    for (const v of [1, 2, 3]) h.record(v);
    h.undo();
    h.record(7);
    expect(h.canRedo).toBe(false);
    for (const v of [8, 9, 10, 11]) h.record(v);
    const back: (number | null)[] = [];
    while (h.canUndo) back.push(h.undo());
    expect(back).toEqual([10, 9, 8]);
  });
});
