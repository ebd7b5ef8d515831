import { createResource, createSignal, Show } from 'solid-js';
import type { RpcLike } from '../blocks/workbench-api.ts';

/**
 * The server's refusal as a sentence: `invalid params: 'folder' must be …` reads "The folder must
 * be …" (the parameter name is for programs; the field already says which value it is).
 */
export function readableRefusal(message: string): string {
  return message.replace(/^invalid params: 'folder' /, 'The folder ');
}

/**
 * The server's outputs folder (`settings.outputs.*`): where every finished job's images are also
 * written as files, by date and seed. Shows the current folder, saves a new one (the server checks
 * and creates it) or clears it; a refusal shows the server's own message under the field.
 */
export function OutputsFolderField(props: { rpc: RpcLike }) {
  const [current, { mutate }] = createResource(() => props.rpc.call('settings.outputs.get'));
  const [draft, setDraft] = createSignal<string | undefined>();
  const [problem, setProblem] = createSignal('');
  const [note, setNote] = createSignal('');
  const shown = () => draft() ?? current()?.folder ?? '';
  const save = async (folder: string | null) => {
    setProblem('');
    setNote('');
    try {
      const answer = await props.rpc.call('settings.outputs.set', { folder });
      mutate(answer);
      setDraft(undefined);
      setNote(answer.folder === null ? 'Results are no longer saved to a folder.' : 'Saved.');
    } catch (error) {
      setProblem(readableRefusal((error as Error).message));
    }
  };
  return (
    <div class="field" data-testid="outputs-folder">
      <label for="outputs-folder-input">
        <span>Outputs folder</span>
      </label>
      <p class="hint" data-testid="outputs-folder-status">
        {current()?.folder
          ? 'A folder on the server: every finished result is also saved there as a PNG, by date and seed.'
          : 'Off. Give a folder on the server to also save every result there as a PNG.'}
      </p>
      <div class="number-field outputs-folder-row">
        <input
          id="outputs-folder-input"
          type="text"
          data-testid="outputs-folder-input"
          placeholder="/absolute/path/on/the/server"
          spellcheck={false}
          autocomplete="off"
          aria-invalid={problem() ? 'true' : undefined}
          aria-describedby={problem() ? 'outputs-folder-problem' : undefined}
          value={shown()}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && shown().trim() !== '') void save(shown().trim());
          }}
        />
        <button
          type="button"
          data-testid="outputs-folder-save"
          disabled={shown().trim() === '' || shown().trim() === current()?.folder}
          onClick={() => void save(shown().trim())}
        >
          Save
        </button>
        <button
          type="button"
          data-testid="outputs-folder-clear"
          disabled={!current()?.folder}
          onClick={() => void save(null)}
        >
          Clear
        </button>
      </div>
      <Show when={problem()}>
        <p
          class="problem"
          role="alert"
          id="outputs-folder-problem"
          data-testid="outputs-folder-problem"
        >
          {problem()}
        </p>
      </Show>
      <Show when={note()}>
        <p class="hint" data-testid="outputs-folder-note">
          {note()}
        </p>
      </Show>
    </div>
  );
}
