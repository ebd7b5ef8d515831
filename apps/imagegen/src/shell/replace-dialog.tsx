/**
 * "Replace the current canvas?": the modal question of `replaceCanvas` (state/canvas-replace.ts).
 * Focus starts on Cancel (the choice that changes nothing), Tab stays inside, Escape cancels, and
 * focus returns to where it was when the dialog closes.
 */
import { createSignal, onCleanup, Show } from 'solid-js';
import { ensurePanelStyles } from '../blocks/panel-styles.ts';
import { type ReplaceRequest, replaceRequest } from '../state/canvas-replace.ts';
import { closeOnEscape } from './escape-stack.ts';
import { useModalFocus } from './modal-focus.ts';

/** Mounted hosts in mount order; only the first one shows the dialog. */
const [hosts, setHosts] = createSignal<symbol[]>([]);

function ReplaceQuestion(props: { request: ReplaceRequest }) {
  const [problem, setProblem] = createSignal<string>();
  let dialog: HTMLDivElement | undefined;
  let cancel: HTMLButtonElement | undefined;
  useModalFocus(
    () => dialog,
    () => cancel,
  );
  const replacement = () => props.request.replacement;
  return (
    <div class="viwo-modal-backdrop" role="presentation">
      <div
        ref={dialog}
        class="viwo-modal viwo-replace-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="viwo-replace-title"
        aria-describedby="viwo-replace-text"
        data-testid="replace-dialog"
      >
        <h3 id="viwo-replace-title">Replace the current canvas?</h3>
        <div id="viwo-replace-text">
          <p>
            This loads <strong data-testid="replace-label">{replacement().label}</strong> in place
            of everything on this canvas.
          </p>
          <p>
            Replace keeps the current canvas one Undo away. Open in new tab leaves this canvas as it
            is and opens the new one in a tab of its own.
          </p>
          <Show when={replacement().untrusted}>
            <p data-testid="replace-untrusted">
              It was not made here: nothing in it runs until you confirm, in either tab.
            </p>
          </Show>
        </div>
        <Show when={problem()}>
          <p class="viwo-error" role="alert" data-testid="replace-problem">
            {problem()}
          </p>
        </Show>
        <div class="viwo-modal-actions">
          <button
            ref={cancel}
            type="button"
            data-testid="replace-cancel"
            onClick={() => props.request.cancel()}
          >
            Cancel
          </button>
          <button
            type="button"
            data-testid="replace-new-tab"
            onClick={() => setProblem(props.request.openInNewTab())}
          >
            Open in new tab
          </button>
          <button
            type="button"
            class="primary"
            data-testid="replace-confirm"
            onClick={() => props.request.replace()}
          >
            Replace
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * Shows the open replace question. The shell mounts one; panels mounted on their own (the
 * component harness) mount their own, and only the first mounted host shows it.
 */
export function ReplaceDialog() {
  ensurePanelStyles();
  const host = Symbol('replace-dialog-host');
  setHosts((current) => [...current, host]);
  onCleanup(() => setHosts((current) => current.filter((entry) => entry !== host)));
  const showing = () => hosts()[0] === host;
  closeOnEscape(
    () => showing() && replaceRequest() !== undefined,
    () => replaceRequest()?.cancel(),
  );
  return (
    <Show when={showing() && replaceRequest()} keyed>
      {(current) => <ReplaceQuestion request={current} />}
    </Show>
  );
}
