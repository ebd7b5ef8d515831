import { Show } from 'solid-js';
import { type ChatTurn, imageUrl } from './chat-model.ts';

/** Live progress of the turn being generated. */
export interface Progress {
  label: string;
  fraction: number;
  preview: string | null;
}

/**
 * The picture area: the current picture large (or, comparing, its parent beside it), and while a
 * turn is generated its progress with the latest preview.
 */
export function ChatPicture(props: {
  current: ChatTurn | null;
  /** The parent to compare with, or null when not comparing. */
  parent: ChatTurn | null;
  numberOf: (turn: ChatTurn) => number;
  progress: Progress | null;
}) {
  return (
    <div class="chat-picture" classList={{ comparing: props.parent !== null }}>
      <Show when={props.parent}>
        <figure data-testid="chat-before">
          <img src={imageUrl(props.parent!.image)} alt="before" />
          <figcaption>Before · #{props.numberOf(props.parent!)}</figcaption>
        </figure>
      </Show>
      <Show
        when={props.current}
        fallback={
          <div class="chat-placeholder">
            Describe a picture below to start, e.g. <em>a red fox in the snow, oil painting</em>.
            Then say what to change: <em>make it night</em>, <em>add a moon in the sky</em>.
          </div>
        }
      >
        <figure>
          <img
            src={imageUrl(props.current!.image)}
            alt="current"
            data-testid="chat-current-image"
          />
          <Show when={props.parent}>
            <figcaption>After · #{props.numberOf(props.current!)}</figcaption>
          </Show>
        </figure>
      </Show>
      <Show when={props.progress}>
        <div class="chat-progress" data-testid="chat-progress">
          <Show when={props.progress!.preview}>
            <img src={props.progress!.preview!} alt="preview" data-testid="chat-preview" />
          </Show>
          <div class="progress">
            <div
              class="progress-fill"
              style={{ width: `${Math.round(props.progress!.fraction * 100)}%` }}
            />
          </div>
          <span>
            {props.progress!.label} · {Math.round(props.progress!.fraction * 100)}%
          </span>
        </div>
      </Show>
    </div>
  );
}
