/**
 * The S-expression text view of the shared script: shows the printed form, lets the user edit it
 * and applies it back (parse errors are shown with their path, the script stays unchanged).
 */
import { createEffect, createSignal, Show } from 'solid-js';
import { errorMessage } from './workbench-api.ts';

/** Printer and parser of the text form (`@viwo/script` printText / parseText). */
export interface ScriptTextFormat {
  print(script: unknown): string;
  parse(text: string): unknown;
}

/** Editable text form of `script`; `onApply` receives the parsed script. */
export function ScriptTextView(props: {
  script: unknown;
  format: ScriptTextFormat;
  onApply(script: unknown): void;
}) {
  const [text, setText] = createSignal('');
  const [dirty, setDirty] = createSignal(false);
  const [error, setError] = createSignal<string>();
  createEffect(() => {
    const script = props.script;
    if (dirty()) return;
    try {
      setText(props.format.print(script));
      setError(undefined);
    } catch (problem) {
      setError(`cannot print the script: ${errorMessage(problem)}`);
    }
  });
  const apply = () => {
    try {
      const parsed = props.format.parse(text());
      setDirty(false);
      setError(undefined);
      props.onApply(parsed);
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  return (
    <div class="viwo-text-view">
      <textarea
        data-testid="script-text"
        spellcheck={false}
        value={text()}
        onInput={(event) => {
          setText(event.currentTarget.value);
          setDirty(true);
        }}
      />
      <div class="viwo-text-actions">
        <button type="button" data-testid="script-text-apply" disabled={!dirty()} onClick={apply}>
          Apply text
        </button>
        <button
          type="button"
          disabled={!dirty()}
          onClick={() => {
            setDirty(false);
            setText(props.format.print(props.script));
            setError(undefined);
          }}
        >
          Revert
        </button>
      </div>
      <Show when={error()}>
        <p class="viwo-error" role="alert" data-testid="script-text-error">
          {error()}
        </p>
      </Show>
    </div>
  );
}
