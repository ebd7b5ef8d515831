/**
 * Escape closes the innermost open thing: a dialog before the full-size view before a drawer.
 * Whatever opens registers a closer while it is open; one window listener calls the latest.
 */
import { createEffect, onCleanup } from 'solid-js';

const closers: (() => void)[] = [];
let installed = false;

function onKey(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || closers.length === 0) return;
  event.preventDefault();
  closers.at(-1)!();
}

/** Registers `close` for Escape until the returned function is called. */
export function pushEscape(close: () => void): () => void {
  if (!installed && typeof window !== 'undefined') {
    window.addEventListener('keydown', onKey);
    installed = true;
  }
  closers.push(close);
  return () => {
    const index = closers.lastIndexOf(close);
    if (index >= 0) closers.splice(index, 1);
  };
}

/** While `open()` is true (inside a component), Escape calls `close`. */
export function closeOnEscape(open: () => boolean, close: () => void): void {
  createEffect(() => {
    if (!open()) return;
    const remove = pushEscape(close);
    onCleanup(remove);
  });
}
