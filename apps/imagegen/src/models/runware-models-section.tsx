import type { RunwareModelInfo, RunwareModelsResult, RunwareSettingsView } from '@viwo/protocol';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { setBackend, setRunwareModel } from '../layer/runware-backend.ts';
import type { RpcLike } from '../rpc/rpc-client.ts';
import {
  LatestOnly,
  MAX_SEARCH_TEXT,
  modelFacts,
  resultSummary,
  SEARCH_DEBOUNCE_MS,
  searchParams,
  useBlockedReason,
} from './runware-models.ts';

/** Props of {@link RunwareModelsSection}. */
export interface RunwareModelsSectionProps {
  rpc: RpcLike;
  /** After "Use" set Layer Mode's backend and model: show Layer Mode. */
  onUse?(model: RunwareModelInfo): void;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The Models drawer's "Runware (cloud)" section. Shown once the server has a Runware key (from
 * `settings.runware.get`): the popular models, a search over Runware's catalogue (debounced; Enter
 * searches at once; errors inline), and per model "Use", which switches Layer Mode's backend to
 * Runware with that AIR id in its model field. Without a key it is one line pointing to Settings,
 * and nothing is searched. Every request goes to our own server, which asks Runware.
 */
export function RunwareModelsSection(props: RunwareModelsSectionProps) {
  const [view, setView] = createSignal<RunwareSettingsView>();
  const [text, setText] = createSignal('');
  const [result, setResult] = createSignal<RunwareModelsResult>();
  const [searched, setSearched] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [used, setUsed] = createSignal<string>();
  const latest = new LatestOnly();
  let debounce: ReturnType<typeof setTimeout> | undefined;

  const run = async (typed: string) => {
    clearTimeout(debounce);
    const params = searchParams(typed);
    const ticket = latest.next();
    setBusy(true);
    try {
      const answer = await props.rpc.call('settings.runware.models', params);
      if (!latest.isCurrent(ticket)) return;
      setResult(answer);
      setSearched(params.search);
      setError(undefined);
    } catch (problem) {
      if (!latest.isCurrent(ticket)) return;
      // The list below would belong to an earlier search: the error stands alone instead.
      setResult(undefined);
      const what =
        params.search === undefined ? 'list Runware models' : `search for “${params.search}”`;
      setError(`Could not ${what}: ${errorText(problem)}`);
    } finally {
      if (latest.isCurrent(ticket)) setBusy(false);
    }
  };

  const load = async () => {
    try {
      const settings = await props.rpc.call('settings.runware.get');
      setView(settings);
      if (settings.configured) await run(text());
    } catch (problem) {
      setError(`Could not read the Runware settings: ${errorText(problem)}`);
    }
  };

  const use = (model: RunwareModelInfo) => {
    setBackend('runware');
    setRunwareModel(model.air);
    setUsed(model.air);
    props.onUse?.(model);
  };

  onMount(() => {
    void load();
    const unsubscribe = props.rpc.onState?.((state) => {
      if (state === 'open') void load();
    });
    onCleanup(() => {
      unsubscribe?.();
      clearTimeout(debounce);
    });
  });

  return (
    <Show when={view()}>
      {(settings) => (
        <Show
          when={settings().configured}
          fallback={
            <p class="hint runware-models-none" data-testid="runware-models-no-key">
              Runware (cloud) models appear here once a Runware API key is set in Settings.
            </p>
          }
        >
          <section class="runware-models" data-testid="runware-models">
            <h3>Runware (cloud)</h3>
            <form
              class="pull-form"
              onSubmit={(event) => {
                event.preventDefault();
                void run(text());
              }}
            >
              <input
                type="search"
                aria-label="Search Runware models"
                data-testid="runware-models-search"
                placeholder="Search Runware models (name, tag, AIR id)"
                maxLength={MAX_SEARCH_TEXT}
                value={text()}
                onInput={(event) => {
                  const typed = event.currentTarget.value;
                  setText(typed);
                  clearTimeout(debounce);
                  debounce = setTimeout(() => void run(typed), SEARCH_DEBOUNCE_MS);
                }}
              />
              <button type="submit" data-testid="runware-models-go">
                Search
              </button>
            </form>
            <Show when={error()}>
              <p class="problem" role="alert" data-testid="runware-models-error">
                {error()}
              </p>
            </Show>
            <p
              class="runware-models-summary"
              data-testid="runware-models-summary"
              aria-live="polite"
            >
              {busy() ? 'Searching…' : result() ? resultSummary(result()!, searched()) : ''}
            </p>
            <ul class="runware-model-list">
              <For each={result()?.models ?? []}>
                {(model) => (
                  <RunwareModelRow model={model} used={used() === model.air} onUse={use} />
                )}
              </For>
            </ul>
          </section>
        </Show>
      )}
    </Show>
  );
}

/** One listed model: name, AIR id and facts, and "Use" (disabled, with the reason, when it cannot). */
function RunwareModelRow(props: {
  model: RunwareModelInfo;
  used: boolean;
  onUse(model: RunwareModelInfo): void;
}) {
  const blocked = () => useBlockedReason(props.model);
  return (
    <li data-testid="runware-model-row" data-air={props.model.air}>
      <div class="runware-model-text">
        <span class="runware-model-name" title={props.model.name}>
          {props.model.name}
        </span>
        <code title={props.model.air}>{props.model.air}</code>
        <span class="model-source">{modelFacts(props.model)}</span>
      </div>
      <button
        type="button"
        data-testid="runware-model-use"
        disabled={blocked() !== null}
        title={blocked() ?? `Generate with ${props.model.air} on Runware in Layer Mode`}
        classList={{ selected: props.used }}
        onClick={() => props.onUse(props.model)}
      >
        Use
      </button>
    </li>
  );
}
