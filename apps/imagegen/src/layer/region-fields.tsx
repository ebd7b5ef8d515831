import '../extras/workbench-extras.css';
import type { CanvasLayer } from '@viwo/canvas';

/** Props of {@link RegionFields}. */
export interface RegionFieldsProps {
  layer: CanvasLayer;
  /** Records a `canvas.layer.update` with the changed prompt. */
  onUpdate(changes: Record<string, unknown>): void;
}

/**
 * A region layer's prompt and negative prompt in its layer row. A change is recorded when the
 * field is committed (blur or Enter), not per keystroke, so the script gets one update per edit.
 */
export function RegionFields(props: RegionFieldsProps) {
  const commit = (key: 'prompt' | 'negative_prompt', value: string, current: string) => {
    if (value !== current) props.onUpdate({ [key]: value });
  };
  return (
    <div class="region-fields" data-testid={`region-fields-${props.layer.id}`}>
      <input
        aria-label="Region prompt"
        data-testid={`region-prompt-${props.layer.id}`}
        placeholder="Region prompt"
        value={props.layer.prompt ?? ''}
        disabled={props.layer.locked}
        onClick={(event) => event.stopPropagation()}
        onChange={(event) => commit('prompt', event.currentTarget.value, props.layer.prompt ?? '')}
      />
      <input
        aria-label="Region negative prompt"
        data-testid={`region-negative-${props.layer.id}`}
        placeholder="Negative (optional)"
        value={props.layer.negativePrompt ?? ''}
        disabled={props.layer.locked}
        onClick={(event) => event.stopPropagation()}
        onChange={(event) =>
          commit('negative_prompt', event.currentTarget.value, props.layer.negativePrompt ?? '')
        }
      />
    </div>
  );
}
