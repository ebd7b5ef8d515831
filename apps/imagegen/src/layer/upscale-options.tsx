/** Model and factor choice for upscaling from Layer Mode, from the `upscale` capability's metadata. */
import type { CapabilityMetadata } from '@viwo/protocol';
import { createMemo, For } from 'solid-js';

/** The chosen upscale model and factor (undefined = the capability's default). */
export interface UpscaleChoice {
  model?: string;
  factor?: number;
}

/** Two dropdowns: the installed upscale models and the factors offered. */
export function UpscaleOptions(props: {
  capabilities: () => CapabilityMetadata[];
  value: () => UpscaleChoice;
  onChange(value: UpscaleChoice): void;
}) {
  const fields = createMemo(
    () =>
      props
        .capabilities()
        .find((capability) => capability.type === 'upscale')
        ?.methods.find((method) => method.name === 'upscale')
        ?.params.find((param) => param.type === 'object')?.fields ?? [],
  );
  const field = (name: string) => fields().find((entry) => entry.name === name);
  return (
    <div class="number-field" data-testid="upscale-options">
      <select
        data-testid="upscale-model"
        aria-label="Upscale model"
        value={props.value().model ?? String(field('model')?.default ?? '')}
        onChange={(event) => props.onChange({ ...props.value(), model: event.currentTarget.value })}
      >
        <For each={field('model')?.options ?? []}>
          {(option) => <option value={String(option)}>{String(option)}</option>}
        </For>
      </select>
      <select
        data-testid="upscale-factor"
        aria-label="Upscale factor"
        value={String(props.value().factor ?? field('factor')?.default ?? '')}
        onChange={(event) =>
          props.onChange({ ...props.value(), factor: Number(event.currentTarget.value) })
        }
      >
        <For each={field('factor')?.options ?? []}>
          {(option) => <option value={String(option)}>×{String(option)}</option>}
        </For>
      </select>
    </div>
  );
}
