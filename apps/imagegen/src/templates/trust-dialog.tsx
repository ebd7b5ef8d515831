/**
 * The confirmation shown before an untrusted script's first run: capabilities and methods it
 * calls, and the estimated compute in megapixel-steps.
 */
import { For, onCleanup, Show } from 'solid-js';
import { closeOnEscape } from '../shell/escape-stack.ts';
import { useModalFocus } from '../shell/modal-focus.ts';
import { type TrustRequest, trustRequest } from './trust-gate.ts';

let hosts = 0;

/** One open question; focus starts on Cancel and Tab stays inside while it is shown. */
function TrustQuestion(props: { request: TrustRequest }) {
  let dialog: HTMLDivElement | undefined;
  let cancel: HTMLButtonElement | undefined;
  useModalFocus(
    () => dialog,
    () => cancel,
  );
  return (
    <div class="viwo-modal-backdrop" role="presentation">
      <div
        ref={dialog}
        class="viwo-modal"
        role="dialog"
        aria-modal="true"
        aria-label="Confirm untrusted script"
        data-testid="trust-dialog"
      >
        <h3>Run a script from elsewhere?</h3>
        <p>
          <strong>{props.request.origin}</strong> was not made here. It runs with this session's
          capabilities only; review what it calls first.
        </p>
        <Show
          when={props.request.analysis.calls.length > 0}
          fallback={<p>It calls no capability methods.</p>}
        >
          <ul data-testid="trust-calls">
            <For each={props.request.analysis.calls}>
              {(call) => (
                <li>
                  <code>
                    {call.type}.{call.method}
                  </code>{' '}
                  ×{call.count}
                  <Show when={call.cost !== null}> · ≈{call.cost!.toFixed(2)} MP·steps</Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={props.request.analysis.unresolvedCalls.length > 0}>
          <p>
            Also calls methods on handles it computes at run time:{' '}
            {props.request.analysis.unresolvedCalls.join(', ')}
          </p>
        </Show>
        <p data-testid="trust-cost">
          Estimated compute: {props.request.analysis.costIsLowerBound ? 'at least ' : ''}
          {props.request.analysis.estimatedCost.toFixed(2)} megapixel-steps
        </p>
        <div class="viwo-modal-actions">
          <button
            ref={cancel}
            type="button"
            data-testid="trust-cancel"
            onClick={() => props.request.resolve(false)}
          >
            Cancel
          </button>
          <button
            type="button"
            class="primary"
            data-testid="trust-confirm"
            onClick={() => props.request.resolve(true)}
          >
            Run it
          </button>
        </div>
      </div>
    </div>
  );
}

/** Renders the open trust request. Several panels mount it; only the first mounted one shows. */
export function TrustDialog() {
  const host = hosts++;
  onCleanup(() => {
    hosts--;
  });
  // Escape answers "Cancel" (only the showing host registers).
  closeOnEscape(
    () => host === 0 && trustRequest() !== undefined,
    () => trustRequest()?.resolve(false),
  );
  return (
    <Show when={host === 0 && trustRequest()}>
      {(current) => <TrustQuestion request={current()} />}
    </Show>
  );
}
