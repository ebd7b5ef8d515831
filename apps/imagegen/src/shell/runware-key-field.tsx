import { createResource, createSignal, Show } from 'solid-js';
import type { RpcLike } from '../blocks/workbench-api.ts';

const SOURCES: Record<string, string> = {
  environment: 'from RUNWARE_API_KEY on the server',
  config: 'stored on the server',
  option: 'set by the server',
};

/**
 * The Runware API key as a write-only field: the server says only whether a key is set and where
 * from; a new one is sent once and the field is cleared. Only the server's owner (a loopback or
 * admin session) may set it; others see why not.
 */
export function RunwareKeyField(props: { rpc: RpcLike }) {
  const [draft, setDraft] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [view, { mutate }] = createResource(() => props.rpc.call('settings.runware.get'));
  const save = async (value: string) => {
    try {
      mutate(await props.rpc.call('settings.runware.set_key', { api_key: value }));
      setDraft('');
      setMessage(value === '' ? 'Key removed' : 'Key saved on the server');
    } catch (error) {
      setMessage((error as Error).message);
    }
  };
  return (
    <Show when={view()}>
      {(current) => (
        <div class="field" data-testid="runware-key">
          <label for="runware-api-key">
            <span>Runware API key</span>
          </label>
          <p class="hint" data-testid="runware-key-status">
            {current().configured
              ? `A key is set (${SOURCES[current().source ?? ''] ?? 'on the server'}).`
              : 'No key set.'}
          </p>
          <Show
            when={current().can_set_key}
            fallback={
              <p class="hint">Only the server's owner (on this machine, or an admin) can set it.</p>
            }
          >
            <div class="number-field">
              <input
                id="runware-api-key"
                type="password"
                autocomplete="off"
                data-testid="runware-key-input"
                placeholder={current().configured ? 'replace the key' : 'paste your key'}
                value={draft()}
                onInput={(event) => setDraft(event.currentTarget.value)}
              />
              <button
                type="button"
                data-testid="runware-key-save"
                disabled={draft().trim() === ''}
                onClick={() => void save(draft())}
              >
                Save
              </button>
              <Show when={current().source === 'config'}>
                <button type="button" data-testid="runware-key-clear" onClick={() => void save('')}>
                  Remove
                </button>
              </Show>
            </div>
          </Show>
          <Show when={message()}>
            <p class="hint" data-testid="runware-key-message">
              {message()}
            </p>
          </Show>
        </div>
      )}
    </Show>
  );
}
