// The notification list's rules: repeats are counted, not piled up; a file is named once;
// notes and warnings go by themselves, errors and sticky notices stay.

import { describe, expect, it } from 'vitest';
import { lifetimeOf, nameOnce, withNotice, type Notice } from '../../../renderer/src/state/notice-list';

describe('the notification list', () => {
  it('names a file once when a reason that names it gets its name again', () => {
    expect(nameOnce('X.png: X.png: not an image')).toBe('X.png: not an image');
    expect(nameOnce('a b.nii.gz: a b.nii.gz: a b.nii.gz: truncated')).toBe('a b.nii.gz: truncated');
    expect(nameOnce('X.png: Y.png: differ')).toBe('X.png: Y.png: differ');
    expect(nameOnce('Registration failed: cancelled')).toBe('Registration failed: cancelled');
  });

  it('counts a repeated message as one notice, the latest, and keeps different ones apart', () => {
    let items: Notice[] = [];
    let id = 1;
    const add = (level: Notice['level'], text: string, imageId?: string) => (items = withNotice(items, id++, level, text, { imageId }).items);
    add('error', 'a.nii: a.nii: truncated');
    add('info', 'Registered');
    add('error', 'a.nii: truncated');
    add('error', 'a.nii: truncated', 'image-2');
    expect(items.map((n) => [n.level, n.text, n.count, n.imageId])).toEqual([
      ['info', 'Registered', 1, undefined],
      ['error', 'a.nii: truncated', 2, undefined],
      ['error', 'a.nii: truncated', 1, 'image-2'],
    ]);
    // The repeat keeps its identity (the same row on screen).
    expect(items[1].id).toBe(1);
  });

  it('lets notes and warnings go by themselves; errors and sticky notices stay', () => {
    const { notice: info } = withNotice([], 1, 'info', 'Registered');
    const { notice: warning } = withNotice([], 2, 'warning', 'oblique grid');
    const { notice: error } = withNotice([], 3, 'error', 'failed');
    const { notice: written } = withNotice([], 4, 'info', 'Wrote 7 files to /r', { sticky: true });
    expect(lifetimeOf(info)).toBeGreaterThan(0);
    expect(lifetimeOf(warning)).toBeGreaterThan(lifetimeOf(info)!);
    expect(lifetimeOf(error)).toBeNull();
    expect(lifetimeOf(written)).toBeNull();
  });
});
