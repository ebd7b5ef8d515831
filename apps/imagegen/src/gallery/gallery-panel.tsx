/**
 * Gallery and history: every job with its images, parameters, seeds, script, timing and parent;
 * search by prompt, filter by capability type or favourites; open full size, download, delete,
 * favourite, use as layer, re-run with the same seeds, open the script in Blocks.
 */

import { type HistoryEntry, type HistoryQuery, type ImageValue, imagePath } from '@viwo/protocol';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';
import { ensurePanelStyles } from '../blocks/panel-styles.ts';
import { errorMessage, resolveWorkbench, type WorkbenchApi } from '../blocks/workbench-api.ts';
import { ImageDownloads } from '../extras/export-buttons.tsx';
import { formatUsd } from '../layer/runware-backend.ts';
import { historyApi } from '../rpc/history-api.ts';
import { closeOnEscape } from '../shell/escape-stack.ts';
import { ReplaceDialog } from '../shell/replace-dialog.tsx';
import { recordReplacement } from '../state/canvas-document.ts';
import { replaceCanvas, replaceOutcomeText } from '../state/canvas-replace.ts';
import { useParameters } from '../state/prompt-history.ts';
import {
  appendImageLayer,
  entryPrompt,
  entrySeeds,
  freshLayerId,
  withRecordedSeeds,
} from './gallery-actions.ts';
import { GalleryVideos } from './gallery-videos.tsx';

const PAGE_SIZE = 50;
/** How often history is re-fetched while the server is unreachable. */
const RETRY_MS = 5_000;

/** Props of the gallery panel. */
export interface GalleryPanelProps {
  workbench: WorkbenchApi;
}

/** The gallery / history panel. */
function GalleryPanelView(props: GalleryPanelProps) {
  const [entries, setEntries] = createSignal<HistoryEntry[]>([]);
  const [query, setQuery] = createSignal('');
  const [type, setType] = createSignal('');
  const [favoritesOnly, setFavoritesOnly] = createSignal(false);
  const [message, setMessage] = createSignal<{ kind: 'info' | 'error'; text: string }>();
  const [expanded, setExpanded] = createSignal<string>();
  const [viewing, setViewing] = createSignal<ImageValue>();
  closeOnEscape(
    () => viewing() !== undefined,
    () => setViewing(undefined),
  );
  const rpc = () => props.workbench.rpc;

  let retry: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const refresh = async () => {
    clearTimeout(retry);
    try {
      const params: HistoryQuery = { limit: PAGE_SIZE };
      if (query().trim()) params.query = query().trim();
      if (type()) params.type = type();
      if (favoritesOnly()) params.favorite = true;
      setEntries(await historyApi(rpc()).list(params));
      if (message()?.text.startsWith('history unavailable')) setMessage(undefined);
    } catch (error) {
      setMessage({ kind: 'error', text: `history unavailable: ${errorMessage(error)}` });
      // Retry while shown, so history returns after a reconnect.
      if (!disposed) retry = setTimeout(() => void refresh(), RETRY_MS);
    }
  };

  const act = async (label: string, action: () => Promise<unknown>) => {
    try {
      await action();
      await refresh();
    } catch (error) {
      setMessage({ kind: 'error', text: `${label} failed: ${errorMessage(error)}` });
    }
  };

  const useAsLayer = (entry: HistoryEntry, image: ImageValue) => {
    const script = props.workbench.script();
    const id = freshLayerId(script, `history-${image.$image.slice(0, 8)}`);
    recordReplacement(script);
    props.workbench.setScript(
      appendImageLayer(script, image, id, `From history ${entry.job_id.slice(0, 6)}`),
    );
    props.workbench.setMode?.('layer');
    setMessage({ kind: 'info', text: 'added as a layer' });
  };

  const rerun = (entry: HistoryEntry) =>
    act('re-run', async () => {
      const script = withRecordedSeeds(entry.script, entry.seeds, props.workbench.capabilities());
      await props.workbench.runScript(script);
      setMessage({ kind: 'info', text: 're-ran with the recorded seeds' });
    });

  const copyParameters = (entry: HistoryEntry) => {
    const options = entry.params[0]?.args.at(-1);
    const seed = entrySeeds(entry)[0];
    useParameters({
      prompt: entryPrompt(entry),
      options: {
        ...(typeof options === 'object' && options !== null && !Array.isArray(options)
          ? (options as Record<string, unknown>)
          : {}),
        ...(seed === undefined ? {} : { seed }),
      },
    });
    props.workbench.setMode?.('layer');
    setMessage({ kind: 'info', text: 'parameters copied to the generate panel' });
  };

  const openInBlocks = async (entry: HistoryEntry) => {
    const label = `the script of "${entryPrompt(entry) ?? `job ${entry.job_id.slice(0, 8)}`}"`;
    // This server's own history: trusted, as the user ran it here.
    const outcome = await replaceCanvas(props.workbench, {
      script: entry.script,
      label,
      untrusted: null,
      mode: 'blocks',
    });
    const text = replaceOutcomeText(outcome, label);
    if (text) setMessage({ kind: 'info', text });
  };

  onMount(() => {
    void refresh();
    const unsubscribe = rpc().on?.('job.done', () => void refresh());
    onCleanup(() => {
      disposed = true;
      clearTimeout(retry);
      unsubscribe?.();
    });
  });

  return (
    <div class="viwo-gallery-panel" data-testid="gallery-panel">
      <div class="viwo-panel-header">
        <h3>Gallery</h3>
        <button type="button" data-testid="gallery-refresh" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      <form
        class="viwo-gallery-filters"
        onSubmit={(event) => {
          event.preventDefault();
          void refresh();
        }}
      >
        <input
          type="search"
          placeholder="Search prompts"
          data-testid="gallery-search"
          value={query()}
          onInput={(event) => setQuery(event.currentTarget.value)}
          onChange={() => void refresh()}
        />
        <select
          data-testid="gallery-type"
          value={type()}
          onChange={(event) => {
            setType(event.currentTarget.value);
            void refresh();
          }}
        >
          <option value="">All types</option>
          <For each={props.workbench.capabilities()}>
            {(capability) => (
              <option value={capability.type}>{capability.label || capability.type}</option>
            )}
          </For>
        </select>
        <label>
          <input
            type="checkbox"
            checked={favoritesOnly()}
            onChange={(event) => {
              setFavoritesOnly(event.currentTarget.checked);
              void refresh();
            }}
          />
          ★ only
        </label>
      </form>
      <Show when={message()}>
        {(current) => (
          <p
            class={current().kind === 'error' ? 'viwo-error' : 'viwo-status'}
            role={current().kind === 'error' ? 'alert' : 'status'}
          >
            {current().text}
          </p>
        )}
      </Show>
      <ul class="viwo-gallery-list" data-testid="gallery-list">
        <For each={entries()} fallback={<li class="viwo-status">No jobs yet.</li>}>
          {(entry) => (
            <li
              class="viwo-gallery-entry"
              data-testid="gallery-entry"
              data-entry-id={entry.id}
              data-status={entry.status}
            >
              <div class="viwo-gallery-images">
                <For each={entry.images}>
                  {(image) => (
                    <figure>
                      <button
                        type="button"
                        class="viwo-thumb"
                        onClick={() => setViewing(image)}
                        title="Open full size"
                      >
                        <img
                          src={authedSrc(imagePath(image))}
                          alt={`${image.width}×${image.height}`}
                          width={96}
                          loading="lazy"
                        />
                      </button>
                      <figcaption>
                        <ImageDownloads image={image} />{' '}
                        <button
                          type="button"
                          data-testid="gallery-use-layer"
                          onClick={() => useAsLayer(entry, image)}
                        >
                          Use as layer
                        </button>
                      </figcaption>
                    </figure>
                  )}
                </For>
                <GalleryVideos result={entry.result} />
              </div>
              <div class="viwo-gallery-meta">
                <strong>
                  {entryPrompt(entry) ??
                    (entry.params.map((call) => `${call.type}.${call.method}`).join(', ') ||
                      'script')}
                </strong>
                <small>
                  {new Date(entry.created).toLocaleString()} · {entry.status}
                  <Show when={entry.duration_ms !== null}>
                    {' '}
                    · {((entry.duration_ms ?? 0) / 1000).toFixed(1)} s
                  </Show>
                  <Show when={entrySeeds(entry).length > 0}>
                    {' '}
                    · seed {entrySeeds(entry).join(', ')}
                  </Show>
                  <Show when={entry.cost !== undefined}> · {formatUsd(entry.cost ?? 0)}</Show>
                  <Show when={entry.parent_id}>
                    {' '}
                    · refined from{' '}
                    <button
                      type="button"
                      class="viwo-link"
                      onClick={() => setExpanded(entry.parent_id)}
                    >
                      {entry.parent_id!.slice(0, 8)}
                    </button>
                  </Show>
                </small>
                <Show when={entry.error}>
                  {(error) => (
                    <p class="viwo-error">
                      {error().code}: {error().message}
                    </p>
                  )}
                </Show>
              </div>
              <div class="viwo-gallery-actions">
                <button
                  type="button"
                  aria-pressed={entry.favorite}
                  data-testid="gallery-favorite"
                  title="Favourite"
                  onClick={() =>
                    void act('favourite', () =>
                      historyApi(rpc()).favorite(entry.id, !entry.favorite),
                    )
                  }
                >
                  {entry.favorite ? '★' : '☆'}
                </button>
                <button
                  type="button"
                  data-testid="gallery-use-params"
                  title="Copy this entry's prompt and parameters into the generate panel"
                  onClick={() => copyParameters(entry)}
                >
                  Use parameters
                </button>
                <button type="button" data-testid="gallery-rerun" onClick={() => void rerun(entry)}>
                  Re-run same seed
                </button>
                <button
                  type="button"
                  data-testid="gallery-open-blocks"
                  onClick={() => void openInBlocks(entry)}
                >
                  Open in Blocks
                </button>
                <button
                  type="button"
                  onClick={() => setExpanded(expanded() === entry.id ? undefined : entry.id)}
                >
                  Details
                </button>
                <button
                  data-testid="gallery-delete"
                  type="button"
                  onClick={() => {
                    if (confirm('Delete this history entry?')) {
                      void act('delete', () => historyApi(rpc()).remove(entry.id));
                    }
                  }}
                >
                  Delete
                </button>
              </div>
              <Show when={expanded() === entry.id}>
                <details open>
                  <summary>Parameters and script</summary>
                  <pre>{JSON.stringify(entry.params, null, 2)}</pre>
                  <pre>{JSON.stringify(entry.script, null, 2)}</pre>
                </details>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={viewing()}>
        {(image) => (
          <div class="viwo-modal-backdrop">
            <button
              type="button"
              class="viwo-full-image-close"
              title="Close"
              onClick={() => setViewing(undefined)}
            >
              <img
                class="viwo-full-image"
                src={authedSrc(imagePath(image()))}
                alt={`${image().width}×${image().height}`}
              />
            </button>
          </div>
        )}
      </Show>
      <ReplaceDialog />
    </div>
  );
}

/**
 * The gallery / history panel. Takes the workbench from `props.workbench` or from
 * `WorkbenchContext`; without either it says so instead of failing.
 */
export function GalleryPanel(props: Partial<GalleryPanelProps>) {
  ensurePanelStyles();
  const workbench = resolveWorkbench(props.workbench);
  if (!workbench) {
    return (
      <p class="viwo-error" role="alert">
        GalleryPanel needs the shared workbench (pass `workbench` or provide WorkbenchContext).
      </p>
    );
  }
  return <GalleryPanelView {...props} workbench={workbench} />;
}
