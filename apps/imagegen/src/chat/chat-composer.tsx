import { createSignal, Show } from 'solid-js';

/** What the composer sends: the message and a user-set strength (null: as interpreted). */
export interface ComposerValue {
  message: string;
  strength: number | null;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line; a strength slider overrides the
 * interpreter's suggestion when switched on. The text stays when a send fails, so nothing typed
 * is lost.
 */
export function ChatComposer(props: {
  busy: boolean;
  hint: string;
  send: (value: ComposerValue) => Promise<boolean>;
}) {
  const [message, setMessage] = createSignal('');
  const [override, setOverride] = createSignal(false);
  const [strength, setStrength] = createSignal(0.5);

  const submit = async () => {
    const text = message().trim();
    if (text.length === 0 || props.busy) return;
    const sent = await props.send({ message: text, strength: override() ? strength() : null });
    if (sent) setMessage('');
  };

  return (
    <div class="chat-composer">
      <div class="chat-hint" data-testid="chat-hint">
        {props.hint}
      </div>
      <div class="chat-compose-row">
        <textarea
          data-testid="chat-input"
          aria-label="Message"
          rows={2}
          placeholder="make the ball red · add a bird in the sky · make it night · in anime style"
          value={message()}
          onInput={(event) => setMessage(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="button"
          class="primary"
          data-testid="chat-send"
          disabled={props.busy || message().trim().length === 0}
          onClick={() => void submit()}
        >
          {props.busy ? 'Working…' : 'Send'}
        </button>
      </div>
      <div class="chat-strength">
        <label>
          <input
            type="checkbox"
            data-testid="chat-strength-override"
            checked={override()}
            onChange={(event) => setOverride(event.currentTarget.checked)}
          />
          Set strength
        </label>
        <input
          type="range"
          min="0.05"
          max="1"
          step="0.05"
          aria-label="Strength"
          data-testid="chat-strength"
          disabled={!override()}
          value={strength()}
          onInput={(event) => setStrength(Number(event.currentTarget.value))}
        />
        <Show when={override()} fallback={<span class="chat-muted">as interpreted</span>}>
          <span data-testid="chat-strength-value">{strength().toFixed(2)}</span>
        </Show>
      </div>
    </div>
  );
}
