// Dialogs behave as dialogs: on opening, focus moves into the dialog (its [autofocus] element,
// else its first control); Tab and Shift+Tab cycle within it; Escape closes it; on closing,
// focus returns to where it was. A Svelte action: <div role="dialog" use:modal={onClose}>.

const focusableSelector = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Open dialogs, the top one last: only it answers keys (a question asked over a dialog). */
const open: HTMLElement[] = [];

function focusables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(focusableSelector)].filter((el) => el.getClientRects().length > 0);
}

export function modal(dialog: HTMLElement, onClose: () => void) {
  let close = onClose;
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  if (!dialog.hasAttribute('tabindex')) dialog.tabIndex = -1;
  // After the dialog's children have mounted.
  queueMicrotask(() => (dialog.querySelector<HTMLElement>('[autofocus]') ?? focusables(dialog)[0] ?? dialog).focus());

  open.push(dialog);
  const onKeyDown = (e: KeyboardEvent) => {
    if (open.at(-1) !== dialog) return;
    if (e.key === 'Escape') {
      // The dialog's own: nothing behind it (Inspect's unpin, a viewer key) sees it.
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = focusables(dialog);
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const [first, last] = [items[0], items[items.length - 1]];
    const inside = dialog.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  };
  // Focus that leaves the dialog (a click on the page behind) is brought back.
  const onFocusIn = (e: FocusEvent) => {
    if (open.at(-1) === dialog && e.target instanceof Node && !dialog.contains(e.target)) (focusables(dialog)[0] ?? dialog).focus();
  };
  // On the window, so that Escape works wherever focus is; capture, so that it comes first.
  window.addEventListener('keydown', onKeyDown, true);
  document.addEventListener('focusin', onFocusIn);
  return {
    update(next: () => void) {
      close = next;
    },
    destroy() {
      open.splice(open.indexOf(dialog), 1);
      window.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('focusin', onFocusIn);
      if (returnTo?.isConnected) returnTo.focus();
    },
  };
}
