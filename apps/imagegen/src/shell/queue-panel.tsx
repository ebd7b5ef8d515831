/**
 * The queue panel: queued, running and finished jobs with what they are (mode, prompt, model,
 * size, seed), per-image progress in batches ("2/4"), pause/resume, drag to reorder, cancel,
 * retry and clear finished. The queue lives on the server and survives restarts. An admin sees
 * every user's items, each not their own labelled with its owner's name.
 */
import type { QueueItem } from '@viwo/protocol';
import { createSignal, For, Show } from 'solid-js';
import { account } from '../auth/account.ts';
import { errorMessage } from '../blocks/workbench-api.ts';
import { otherOwner, type QueueClient } from '../state/queue-client.ts';
import type { Workbench } from '../state/workbench.ts';

/** "2/4" for a batch: which image of the batch the job is on. */
export function batchPosition(item: QueueItem): string | undefined {
  const batch = Number(item.meta.batch ?? 1);
  if (!(batch > 1) || !item.progress) return undefined;
  const index = Math.min(batch, Math.floor(item.progress.fraction * batch) + 1);
  return `${item.status === 'done' ? batch : index}/${batch}`;
}

function summary(item: QueueItem): string {
  const meta = item.meta;
  const parts = [
    meta.mode,
    meta.prompt ? `“${String(meta.prompt).slice(0, 60)}”` : undefined,
    meta.model,
    meta.size,
    meta.seed !== undefined ? `seed ${String(meta.seed)}` : undefined,
  ].filter((part) => part !== undefined && part !== '');
  return parts.length > 0 ? parts.join(' · ') : 'script';
}

/** The panel (shown as a drawer). */
export function QueuePanel(props: { workbench: Workbench; queue: QueueClient }) {
  const queue = props.queue;
  const [dragged, setDragged] = createSignal<string>();
  const act = (action: () => Promise<unknown>) =>
    void action().catch((error) => props.workbench.toast('error', errorMessage(error)));
  const queued = () => queue.state().items.filter((item) => item.status === 'queued');
  const percent = (item: QueueItem) =>
    item.status === 'done' ? 100 : Math.round((item.progress?.fraction ?? 0) * 100);
  return (
    <div class="panel queue-panel" data-testid="queue-panel">
      <header class="panel-header">
        <h2>Queue</h2>
        <div class="button-row">
          {/* With users, pausing stops everyone's jobs: the server lets only admins do it. */}
          <Show when={account()?.admin ?? true}>
            <Show
              when={queue.state().paused}
              fallback={
                <button type="button" data-testid="queue-pause" onClick={() => act(queue.pause)}>
                  Pause
                </button>
              }
            >
              <button type="button" data-testid="queue-resume" onClick={() => act(queue.resume)}>
                Resume
              </button>
            </Show>
          </Show>
          <button type="button" data-testid="queue-clear" onClick={() => act(queue.clear)}>
            Clear finished
          </button>
        </div>
      </header>
      <p class="hint">
        {queue.state().paused ? 'Paused: queued jobs wait. ' : ''}The queue is kept on the server:
        jobs queued or running when it stops run again when it starts.
      </p>
      <Show when={queue.state().items.length > 0} fallback={<p class="hint">No jobs queued.</p>}>
        <ol class="queue-list">
          <For each={queue.state().items}>
            {(item) => (
              <li
                class={`queue-item queue-${item.status}`}
                data-testid="queue-item"
                data-status={item.status}
                draggable={item.status === 'queued'}
                onDragStart={() => setDragged(item.id)}
                onDragOver={(event) => item.status === 'queued' && event.preventDefault()}
                onDrop={(event) => {
                  event.preventDefault();
                  const moving = dragged();
                  setDragged(undefined);
                  if (!moving || moving === item.id) return;
                  const index = queued().findIndex((candidate) => candidate.id === item.id);
                  if (index >= 0) act(() => queue.move(moving, index));
                }}
              >
                <div class="queue-item-text">
                  <strong data-testid="queue-item-summary">{summary(item)}</strong>
                  <small>
                    <Show when={otherOwner(item, account()?.name)}>
                      {(owner) => (
                        <>
                          <span class="queue-owner" data-testid="queue-owner">
                            {owner()}
                          </span>
                          {' · '}
                        </>
                      )}
                    </Show>
                    {item.status}
                    <Show when={item.status === 'running' || item.status === 'done'}>
                      {' '}
                      · {percent(item)}%
                    </Show>
                    <Show when={batchPosition(item)}>
                      {(position) => <span data-testid="queue-batch"> · image {position()}</span>}
                    </Show>
                    <Show when={item.rerun}>
                      <span data-testid="queue-rerun"> · ran again after a server restart</span>
                    </Show>
                    <Show when={item.error && item.status === 'error'}> · {item.error}</Show>
                  </small>
                  <Show when={item.status === 'running'}>
                    <div class="progress">
                      <div class="progress-fill" style={{ width: `${percent(item)}%` }} />
                    </div>
                  </Show>
                </div>
                <div class="button-row">
                  <Show when={item.status === 'queued' || item.status === 'running'}>
                    <button
                      type="button"
                      data-testid="queue-cancel"
                      onClick={() => act(() => queue.cancel(item.id))}
                    >
                      Cancel
                    </button>
                  </Show>
                  <Show when={item.status !== 'queued' && item.status !== 'running'}>
                    <button
                      type="button"
                      data-testid="queue-retry"
                      onClick={() => act(() => queue.retry(item.id))}
                    >
                      Retry
                    </button>
                  </Show>
                </div>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </div>
  );
}
