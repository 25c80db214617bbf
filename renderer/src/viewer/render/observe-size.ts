// Every render surface follows its element's size; one place owns the observer's lifetime.

import type { Viewport } from '../view-types';

export function observeSize(element: Element, onSize: (size: Viewport) => void): () => void {
  const observer = new ResizeObserver(([entry]) => onSize({ width: entry.contentRect.width, height: entry.contentRect.height }));
  observer.observe(element);
  return () => observer.disconnect();
}
