// Messages for the user: errors that name the file and the reason, and passing notes; the list's
// rules (grouping, naming a file once, what goes by itself) are in notice-list.ts.

import type { Notice, NoticeOptions } from './notice-list';
import { lifetimeOf, withNotice } from './notice-list';

export type { Notice } from './notice-list';

export class Notifications {
  items = $state<Notice[]>([]);
  #next = 1;
  /** The pending self-dismissal of each notice, restarted when it repeats (bookkeeping, never shown: not reactive). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(level: Notice['level'], text: string, options: NoticeOptions = {}): void {
    const { items, notice } = withNotice(this.items, this.#next++, level, text, options);
    this.items = items;
    clearTimeout(this.#timers.get(notice.id));
    const lifetime = lifetimeOf(notice);
    if (lifetime !== null) this.#timers.set(notice.id, setTimeout(() => this.dismiss(notice.id), lifetime));
  }

  error(text: string, options: NoticeOptions = {}): void {
    this.push('error', text, options);
  }

  dismiss(id: number): void {
    this.#take(id)?.onGone?.();
  }

  /** Takes a notice's action (its "Undo"): the notice goes, and what it offered to undo is undone. */
  act(id: number): void {
    this.#take(id)?.action?.run();
  }

  #take(id: number): Notice | undefined {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    const notice = this.items.find((n) => n.id === id);
    this.items = this.items.filter((n) => n.id !== id);
    return notice;
  }

  /** An image closed: what was said about it no longer applies. */
  dismissForImage(imageId: string): void {
    for (const n of this.items.filter((n) => n.imageId === imageId)) this.dismiss(n.id);
  }
}
