/** A horizontal strip of the images the last run produced, newest job first. */

import { type ImageValue, imagePath } from '@viwo/protocol';
import { For, Show } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';

/** One finished run. */
export interface RunResult {
  jobId: string;
  images: ImageValue[];
  durationMs: number;
  summary: string;
}

/** Shows run results; clicking an image opens it full size. */
export function ResultsStrip(props: { results: RunResult[] }) {
  return (
    <div class="viwo-results-strip" data-testid="results-strip">
      <For each={props.results}>
        {(run) => (
          <div class="viwo-result" data-job-id={run.jobId}>
            <Show
              when={run.images.length > 0}
              fallback={<code class="viwo-result-value">{run.summary}</code>}
            >
              <div class="viwo-result-images">
                <For each={run.images}>
                  {(image) => (
                    <a href={authedSrc(imagePath(image))} target="_blank" rel="noreferrer">
                      <img
                        data-testid="result-image"
                        src={authedSrc(imagePath(image))}
                        alt={`result ${image.width}×${image.height}`}
                        data-width={image.width}
                        data-height={image.height}
                        data-hash={image.$image}
                      />
                    </a>
                  )}
                </For>
              </div>
            </Show>
            <small>{(run.durationMs / 1000).toFixed(1)} s</small>
          </div>
        )}
      </For>
    </div>
  );
}
