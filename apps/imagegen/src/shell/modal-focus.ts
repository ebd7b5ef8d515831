/**
 * Keyboard focus for modal dialogs: focus starts on the safe choice, Tab and Shift+Tab cycle
 * through the dialog's buttons (from anywhere on the page: after a click on the backdrop focus is
 * on <body>), and focus returns to where it was when the dialog closes.
 */
import { onCleanup, onMount } from 'solid-js';

/** Moves a Tab keypress's focus to the dialog's first or last button when it would leave it. */
export function trapTab(event: KeyboardEvent, dialog: HTMLElement): void {
  if (event.key !== 'Tab') return;
  const focusable = [...dialog.querySelectorAll<HTMLElement>('button:not([disabled])')];
  if (focusable.length === 0) return;
  const first = focusable[0]!;
  const last = focusable.at(-1)!;
  const inside = dialog.contains(document.activeElement);
  if (event.shiftKey && (document.activeElement === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Call in the dialog component's body: on mount focuses `initial()`, traps Tab inside `dialog()`,
 * and on cleanup gives focus back to the element that had it before the dialog opened.
 */
export function useModalFocus(
  dialog: () => HTMLElement | undefined,
  initial: () => HTMLElement | undefined,
): void {
  const returnTo = document.activeElement as HTMLElement | null;
  const onKey = (event: KeyboardEvent) => {
    const element = dialog();
    if (element) trapTab(event, element);
  };
  onMount(() => {
    initial()?.focus();
    window.addEventListener('keydown', onKey);
  });
  onCleanup(() => {
    window.removeEventListener('keydown', onKey);
    if (returnTo?.isConnected) returnTo.focus();
  });
}
