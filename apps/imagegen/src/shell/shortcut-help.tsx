/** Keyboard-shortcut help, opened with `?` anywhere outside a text field; Escape closes it. */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { ensurePanelStyles } from '../blocks/panel-styles.ts';
import { closeOnEscape } from './escape-stack.ts';

/** Every shortcut the app has, by where it works. */
export const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ['Ctrl+Enter', 'Generate (also from the prompt box)'],
  ['↑ / ↓ in the prompt box', 'Recall earlier prompts'],
  ['B / E / M / V', 'Brush, eraser, mask, bounding box'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'Undo / redo (kept per canvas across reloads)'],
  ['Wheel', 'Zoom about the cursor'],
  ['Space+drag, middle drag', 'Pan'],
  ['0 / 1', 'Fit the canvas / actual pixels'],
  ['Ctrl+V', 'Paste an image as a new layer'],
  ['Escape', 'Close dialogs, the full-size view and drawers'],
  ['?', 'This help'],
];

const typing = (target: EventTarget | null) =>
  target instanceof HTMLInputElement ||
  target instanceof HTMLTextAreaElement ||
  target instanceof HTMLSelectElement;

/** The help dialog and its `?` key. */
export function ShortcutHelp() {
  ensurePanelStyles();
  const [open, setOpen] = createSignal(false);
  closeOnEscape(open, () => setOpen(false));
  onMount(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '?' && !typing(event.target) && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        setOpen(!open());
      }
    };
    window.addEventListener('keydown', onKey);
    onCleanup(() => window.removeEventListener('keydown', onKey));
  });
  return (
    <Show when={open()}>
      <div class="viwo-modal-backdrop" role="presentation">
        <div
          class="viwo-modal"
          role="dialog"
          aria-modal="true"
          aria-label="Keyboard shortcuts"
          data-testid="shortcut-help"
        >
          <h3>Keyboard shortcuts</h3>
          <table class="shortcut-table">
            <tbody>
              <For each={SHORTCUTS}>
                {([keys, what]) => (
                  <tr>
                    <th scope="row">
                      <kbd>{keys}</kbd>
                    </th>
                    <td>{what}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <div class="viwo-modal-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </div>
      </div>
    </Show>
  );
}
