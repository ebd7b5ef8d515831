import '../extras/workbench-extras.css';
import type { ModelSummary, RunwareModelInfo } from '@viwo/protocol';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { RpcLike } from '../rpc/rpc-client.ts';
import { formatBytes, type PullState, pullModel } from './model-pull.ts';
import { RunwareModelsSection } from './runware-models-section.tsx';

/** Props of {@link ModelsPanel}. */
export interface ModelsPanelProps {
  rpc: RpcLike;
  /** A Runware model was chosen with "Use" (Layer Mode's backend and model are already set). */
  onUseRunware?(model: RunwareModelInfo): void;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The Models drawer: installed models (family, native size, test or real, size on disk, source,
 * the default), pull by hub repository id with live progress and cancel, delete with
 * confirmation, and the total disk usage. Everything goes through `models.*` RPC methods. Below
 * them, the Runware (cloud) models once a key is set ({@link RunwareModelsSection}).
 */
export function ModelsPanel(props: ModelsPanelProps) {
  const [models, setModels] = createSignal<ModelSummary[]>([]);
  const [loaded, setLoaded] = createSignal(false);
  const [repo, setRepo] = createSignal('');
  const [pull, setPull] = createSignal<PullState>();
  const [message, setMessage] = createSignal<{ kind: 'info' | 'error'; text: string }>();
  const total = () => models().reduce((sum, model) => sum + model.bytes, 0);

  const refresh = async () => {
    try {
      setModels(await props.rpc.call('models.list'));
      setLoaded(true);
    } catch (error) {
      setMessage({ kind: 'error', text: `could not list models: ${errorText(error)}` });
    }
  };

  const startPull = async () => {
    const id = repo().trim();
    if (!/^[\w.-]+\/[\w.-]+$/.test(id)) {
      setMessage({ kind: 'error', text: 'enter a hub repository id like "owner/name"' });
      return;
    }
    setMessage(undefined);
    let outcome: { kind: 'info' | 'error'; text: string };
    try {
      const jobs = await props.rpc.call('job.list');
      const running = new Set(
        jobs.filter((job) => job.status === 'running').map((job) => job.job_id),
      );
      const model = await pullModel(props.rpc, id, setPull, running);
      outcome = { kind: 'info', text: `installed ${model.id} (${formatBytes(model.bytes)})` };
      setRepo('');
    } catch (error) {
      outcome = { kind: 'error', text: `pull of ${id} stopped: ${errorText(error)}` };
    }
    setPull(undefined);
    // The list is refreshed before the outcome shows: "installed" never shows beside a stale list.
    await refresh();
    setMessage(outcome);
  };

  const cancelPull = async () => {
    const jobId = pull()?.jobId;
    if (jobId) await props.rpc.call('job.cancel', { job_id: jobId });
  };

  const remove = async (model: ModelSummary) => {
    if (!window.confirm(`Delete ${model.id} (${formatBytes(model.bytes)}) from disk?`)) return;
    try {
      await props.rpc.call('models.delete', { id: model.id });
      // The list is refreshed before saying so: "deleted" never shows beside the deleted row.
      await refresh();
      setMessage({ kind: 'info', text: `deleted ${model.id}` });
    } catch (error) {
      setMessage({ kind: 'error', text: `could not delete ${model.id}: ${errorText(error)}` });
      await refresh();
    }
  };

  onMount(() => {
    void refresh();
    const unsubscribe = props.rpc.onState?.((state) => {
      if (state === 'open') void refresh();
    });
    onCleanup(() => unsubscribe?.());
  });

  return (
    <section class="panel models-drawer" data-testid="models-panel">
      <header class="panel-header">
        <h2>Models</h2>
        <span data-testid="models-disk-usage" title="Disk used by installed models">
          {formatBytes(total())} on disk
        </span>
      </header>
      <form
        class="pull-form"
        onSubmit={(event) => {
          event.preventDefault();
          void startPull();
        }}
      >
        <input
          aria-label="Hub repository id"
          data-testid="models-repo"
          placeholder="owner/name on the hub"
          value={repo()}
          disabled={pull() !== undefined}
          onInput={(event) => setRepo(event.currentTarget.value)}
        />
        <button type="submit" data-testid="models-pull" disabled={pull() !== undefined}>
          Pull
        </button>
      </form>
      <Show when={pull()}>
        {(state) => (
          <div data-testid="models-pull-progress">
            <div>
              {state().repo}: <span data-testid="models-pull-label">{state().label}</span> ·{' '}
              {Math.round(state().fraction * 100)}%
            </div>
            <progress max="1" value={state().fraction} />
            <button
              type="button"
              data-testid="models-pull-cancel"
              disabled={state().jobId === undefined}
              onClick={() => void cancelPull()}
            >
              Cancel
            </button>
          </div>
        )}
      </Show>
      <Show when={message()}>
        {(shown) => (
          <p
            classList={{ problem: shown().kind === 'error' }}
            data-testid="models-message"
            role={shown().kind === 'error' ? 'alert' : 'status'}
          >
            {shown().text}
          </p>
        )}
      </Show>
      <table data-testid="models-table">
        <thead>
          <tr>
            <th>Model</th>
            {/* Family, native size and kind share a column so Delete fits a 380 px drawer. */}
            <th>What</th>
            <th>On disk</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For
            each={models()}
            fallback={
              <tr>
                <td colSpan={4}>{loaded() ? 'No models installed.' : 'Loading…'}</td>
              </tr>
            }
          >
            {(model) => (
              <tr data-testid="model-row" data-model-id={model.id} data-kind={model.kind}>
                <td title={model.label}>
                  {model.id}
                  <Show when={model.default}>
                    {' '}
                    <span class="default-marker" data-testid="model-default">
                      default
                    </span>
                  </Show>
                  <div class="model-source" title={model.source ?? ''}>
                    {model.source ?? (model.kind === 'test' ? 'generated' : 'local')}
                  </div>
                </td>
                <td data-testid="model-facts">
                  {model.family} · {model.native_size}×{model.native_size} · {model.kind}
                </td>
                <td>{formatBytes(model.bytes)}</td>
                <td>
                  <button
                    type="button"
                    class="icon danger"
                    data-testid="model-delete"
                    title={`Delete ${model.id}`}
                    onClick={() => void remove(model)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <RunwareModelsSection rpc={props.rpc} onUse={props.onUseRunware} />
    </section>
  );
}
