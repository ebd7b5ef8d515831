/**
 * The "save current script as a template" form: name, description, tags, the latest result as
 * thumbnail, and which literals of the script to expose as inputs.
 */
import { createSignal, For, Show } from 'solid-js';
import { errorMessage, type WorkbenchApi } from '../blocks/workbench-api.ts';
import { historyApi } from '../rpc/history-api.ts';
import { type TemplateRecord, templatesApi } from '../rpc/templates-api.ts';
import { exposedCandidates } from './exposed-candidates.ts';

/** Saves the shared script through `templates.save`. */
export function SaveTemplateForm(props: {
  workbench: WorkbenchApi;
  onSaved(template: TemplateRecord): void;
  onError(text: string): void;
}) {
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [tags, setTags] = createSignal('');
  const [withThumbnail, setWithThumbnail] = createSignal(true);
  const candidates = () => exposedCandidates(props.workbench.script());
  const [chosen, setChosen] = createSignal<Set<string>>(new Set());

  const latestImage = async () => {
    try {
      return await historyApi(props.workbench.rpc).latestImage();
    } catch {
      // No thumbnail is better than no template: history may be unavailable.
      return null;
    }
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!name().trim()) {
      props.onError('a template needs a name');
      return;
    }
    try {
      const exposed = candidates().filter((candidate) =>
        chosen().has(JSON.stringify(candidate.path)),
      );
      const saved = await templatesApi(props.workbench.rpc).save({
        name: name().trim(),
        description: description(),
        tags: tags()
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean),
        script: props.workbench.script(),
        exposed,
        thumbnail: withThumbnail() ? await latestImage() : null,
      });
      props.onSaved(saved);
    } catch (error) {
      props.onError(`save failed: ${errorMessage(error)}`);
    }
  };

  return (
    <form
      class="viwo-save-template"
      data-testid="template-save-form"
      onSubmit={(event) => void save(event)}
    >
      <label>
        Name
        <input
          data-testid="template-name"
          value={name()}
          onInput={(event) => setName(event.currentTarget.value)}
          required
        />
      </label>
      <label>
        Description
        <textarea
          value={description()}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </label>
      <label>
        Tags (comma-separated)
        <input value={tags()} onInput={(event) => setTags(event.currentTarget.value)} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={withThumbnail()}
          onChange={(event) => setWithThumbnail(event.currentTarget.checked)}
        />
        Latest result as thumbnail
      </label>
      <Show when={candidates().length > 0}>
        <fieldset>
          <legend>Exposed parameters</legend>
          <For each={candidates()}>
            {(candidate) => {
              const key = JSON.stringify(candidate.path);
              return (
                <label>
                  <input
                    type="checkbox"
                    checked={chosen().has(key)}
                    onChange={(event) => {
                      const next = new Set(chosen());
                      if (event.currentTarget.checked) next.add(key);
                      else next.delete(key);
                      setChosen(next);
                    }}
                  />
                  {candidate.label}
                </label>
              );
            }}
          </For>
        </fieldset>
      </Show>
      <button type="submit" class="primary" data-testid="template-save">
        Save template
      </button>
    </form>
  );
}
