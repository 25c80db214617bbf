// The rules of the notification list, as pure functions over it: a message that repeats is one
// notice with a count, not a pile; a file named twice at the start ("a.png: a.png: …", where a
// reason that already names its file gets the name again) is named once; notes and warnings go
// away by themselves unless asked to stay, errors stay until dismissed; notices about an image
// go when the image closes.

export interface Notice {
  readonly id: number;
  readonly level: 'error' | 'warning' | 'info';
  readonly text: string;
  /** How many times it was raised. */
  readonly count: number;
  /** The image it is about: it goes when the image closes. */
  readonly imageId?: string;
  /** Stays until dismissed, whatever its level (a result written: the user may want its folder). */
  readonly sticky: boolean;
  /** A button on the notice ("Undo"); taking it removes the notice without `onGone`. */
  readonly action?: NoticeAction;
  /** Called when the notice goes any other way (dismissed, or by itself): the undo is over. */
  readonly onGone?: () => void;
}

export interface NoticeAction {
  readonly label: string;
  readonly run: () => void;
}

export interface NoticeOptions {
  readonly imageId?: string;
  readonly sticky?: boolean;
  readonly action?: NoticeAction;
  readonly onGone?: () => void;
}

/** How long a passing notice shows, ms; errors (and sticky notices) stay. */
export const noticeLifetimeMs: Record<Notice['level'], number | null> = { info: 8000, warning: 15000, error: null };

/** "a.png: a.png: reason" → "a.png: reason" (however many times the prefix repeats). */
export function nameOnce(text: string): string {
  let out = text;
  for (let m = /^([^:\n]{1,300}): \1: /.exec(out); m; m = /^([^:\n]{1,300}): \1: /.exec(out)) out = out.slice(m[1].length + 2);
  return out;
}

/** The list with a new notice, or with the same message's count raised (and moved to the end, as the latest). */
export function withNotice(items: readonly Notice[], id: number, level: Notice['level'], text: string, options: NoticeOptions = {}): { items: Notice[]; notice: Notice } {
  const clean = nameOnce(text);
  const same = items.find((n) => n.level === level && n.text === clean && n.imageId === options.imageId);
  const notice: Notice = same
    ? { ...same, count: same.count + 1, sticky: same.sticky || Boolean(options.sticky) }
    : { id, level, text: clean, count: 1, imageId: options.imageId, sticky: Boolean(options.sticky), action: options.action, onGone: options.onGone };
  return { items: [...items.filter((n) => n !== same), notice], notice };
}

/** Whether a notice goes by itself, and after how long. */
export function lifetimeOf(notice: Notice): number | null {
  return notice.sticky ? null : noticeLifetimeMs[notice.level];
}
