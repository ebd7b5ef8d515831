/**
 * Staging like InvokeAI's: the results of a batch appear on the canvas at the box one at a time;
 * the bar accepts the shown one (placed as a layer), discards it, or steps to the next. Holding
 * "Compare" hides the staged image to show the canvas before it (before/after).
 */
import { type ImageValue, imagePath } from '@viwo/protocol';
import { createSignal, For, Show } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';

/** One staged result and the expression that recreates it. */
export interface StagedResult {
  image: ImageValue;
  expression: unknown;
}

/** A batch being reviewed on the canvas, with where it goes. */
export interface Staging {
  results: StagedResult[];
  index: number;
  box: { x: number; y: number; width: number; height: number };
}

/** Reactive staging state with the bar's operations. */
export function createStaging(place: (result: StagedResult) => Promise<void>) {
  const [staging, setStaging] = createSignal<Staging>();
  const [comparing, setComparing] = createSignal(false);
  const current = () => {
    const value = staging();
    return value ? value.results[value.index] : undefined;
  };
  const step = (delta: number) =>
    setStaging((value) =>
      value
        ? {
            ...value,
            index: (value.index + delta + value.results.length) % value.results.length,
          }
        : value,
    );
  return {
    staging,
    current,
    comparing,
    setComparing,
    start(results: StagedResult[], box: Staging['box']) {
      setStaging(results.length > 0 ? { results, index: 0, box } : undefined);
    },
    select(index: number) {
      setStaging((value) => (value ? { ...value, index } : value));
    },
    next: () => step(1),
    previous: () => step(-1),
    discard() {
      setStaging((value) => {
        if (!value) return value;
        const results = value.results.filter((_, index) => index !== value.index);
        return results.length > 0
          ? { ...value, results, index: Math.min(value.index, results.length - 1) }
          : undefined;
      });
    },
    async accept() {
      const chosen = current();
      if (!chosen) return;
      setStaging(undefined);
      await place(chosen);
    },
    close: () => setStaging(undefined),
  };
}

/** The staging state type. */
export type StagingState = ReturnType<typeof createStaging>;

/** The staged image drawn over the canvas at the box (positions in % of the canvas size). */
export function StagedOverlay(props: {
  staging: StagingState;
  canvasWidth: () => number;
  canvasHeight: () => number;
}) {
  return (
    <Show when={props.staging.current() && !props.staging.comparing() && props.staging.staging()}>
      {(value) => (
        <img
          class="staged-image"
          data-testid="staged-image"
          alt="staged result"
          src={authedSrc(imagePath(props.staging.current()!.image))}
          style={{
            left: `${(value().box.x / props.canvasWidth()) * 100}%`,
            top: `${(value().box.y / props.canvasHeight()) * 100}%`,
            width: `${(value().box.width / props.canvasWidth()) * 100}%`,
            height: `${(value().box.height / props.canvasHeight()) * 100}%`,
          }}
        />
      )}
    </Show>
  );
}

/** The bar under the canvas: k/n, accept, discard, previous/next, compare, thumbnails. */
export function StagingBar(props: { staging: StagingState }) {
  const staging = props.staging;
  return (
    <Show when={staging.staging()}>
      {(value) => (
        <section class="staging-bar" data-testid="staging-bar">
          <span data-testid="staging-position">
            Result {value().index + 1}/{value().results.length}
          </span>
          {/* Decisions first: a floating drawer may cover the bar's right end. */}
          <button
            type="button"
            class="primary"
            data-testid="staging-accept"
            onClick={() => void staging.accept()}
          >
            Accept
          </button>
          <button type="button" data-testid="staging-discard" onClick={staging.discard}>
            Discard
          </button>
          <button type="button" data-testid="staging-previous" onClick={staging.previous}>
            ‹ Previous
          </button>
          <button type="button" data-testid="staging-next" onClick={staging.next}>
            Next ›
          </button>
          <button
            type="button"
            data-testid="staging-compare"
            title="Hold to see the canvas without this result"
            onPointerDown={() => staging.setComparing(true)}
            onPointerUp={() => staging.setComparing(false)}
            onPointerLeave={() => staging.setComparing(false)}
          >
            Compare
          </button>
          <div class="results-grid">
            <For each={value().results}>
              {(result, index) => (
                <button
                  type="button"
                  class="result-tile"
                  classList={{ selected: index() === value().index }}
                  title="Show on the canvas"
                  onClick={() => staging.select(index())}
                >
                  <img
                    src={authedSrc(imagePath(result.image))}
                    alt="result"
                    data-testid="result-image"
                  />
                </button>
              )}
            </For>
          </div>
        </section>
      )}
    </Show>
  );
}
