/**
 * The confirmation shown before an untrusted script's first run: capabilities and methods it
 * calls, and the estimated compute in megapixel-steps.
 */
import { For, onCleanup, Show } from 'solid-js';
import { closeOnEscape } from '../shell/escape-stack.ts';
import { trustRequest } from './trust-gate.ts';

let hosts = 0;

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
      {(current) => (
        <div class="viwo-modal-backdrop" role="presentation">
          <div
            class="viwo-modal"
            role="dialog"
            aria-modal="true"
            aria-label="Confirm untrusted script"
            data-testid="trust-dialog"
          >
            <h3>Run a script from elsewhere?</h3>
            <p>
              <strong>{current().origin}</strong> was not made here. It runs with this session's
              capabilities only; review what it calls first.
            </p>
            <Show
              when={current().analysis.calls.length > 0}
              fallback={<p>It calls no capability methods.</p>}
            >
              <ul data-testid="trust-calls">
                <For each={current().analysis.calls}>
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
            <Show when={current().analysis.unresolvedCalls.length > 0}>
              <p>
                Also calls methods on handles it computes at run time:{' '}
                {current().analysis.unresolvedCalls.join(', ')}
              </p>
            </Show>
            <p data-testid="trust-cost">
              Estimated compute: {current().analysis.costIsLowerBound ? 'at least ' : ''}
              {current().analysis.estimatedCost.toFixed(2)} megapixel-steps
            </p>
            <div class="viwo-modal-actions">
              <button type="button" onClick={() => current().resolve(false)}>
                Cancel
              </button>
              <button
                type="button"
                class="primary"
                data-testid="trust-confirm"
                onClick={() => current().resolve(true)}
              >
                Run it
              </button>
            </div>
          </div>
        </div>
      )}
    </Show>
  );
}
