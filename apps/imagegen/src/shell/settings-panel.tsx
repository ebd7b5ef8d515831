import type { ParamMetadata } from '@viwo/protocol';
import { createMemo, createSignal, For, Show } from 'solid-js';
import { optionFields } from '../layer/generate-panel.tsx';
import { canvasSize, resetSettings, settings, updateSetting } from '../state/settings.ts';
import type { Workbench } from '../state/workbench.ts';
import { OutputsFolderField } from './outputs-folder-field.tsx';
import { RunwareKeyField } from './runware-key-field.tsx';

/** Generation defaults the settings panel offers, when the installed capability declares them. */
// Width and height are not among them: Layer Mode generates at the bounding box's size.
const DEFAULT_FIELDS = ['model_id', 'scheduler', 'steps', 'guidance_scale'];

/** Bounds of a new canvas side (as `canvasSize` accepts). */
const CANVAS_SIDE = { type: 'integer', min: 8, max: 4096 } as const;

/** Why `value` is not acceptable for `field`, or undefined when it is. */
function numberProblem(value: number, field?: Partial<ParamMetadata>): string | undefined {
  if (!Number.isFinite(value)) return 'must be a number';
  if (field?.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
  const { min, max } = field ?? {};
  if ((min !== undefined && value < min) || (max !== undefined && value > max))
    return `must be from ${min ?? '−∞'} to ${max ?? '∞'} (not saved)`;
  return undefined;
}

/**
 * Defaults kept in localStorage: the size of a new canvas and the generation parameters
 * (model, scheduler, steps, guidance) that Layer Mode's generate panel starts from.
 * Fields come from the capability metadata, so only parameters the server has are shown.
 */
export function SettingsPanel(props: { workbench: Workbench }) {
  const fields = createMemo(() =>
    optionFields(props.workbench.capabilities(), 'diffusers.generate', 'textToImage').filter(
      (field) => DEFAULT_FIELDS.includes(field.name),
    ),
  );
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  // Out-of-range values are refused with a message, never silently replaced by a default.
  const numberInput = (name: string, value: unknown, field?: Partial<ParamMetadata>) => (
    <>
      <input
        type="number"
        id={`setting-${name}`}
        data-testid={`setting-${name}`}
        min={field?.min}
        max={field?.max}
        step={field?.step ?? (field?.type === 'number' ? 0.1 : 1)}
        placeholder="default"
        aria-invalid={errors()[name] ? 'true' : undefined}
        value={value === undefined ? '' : String(value)}
        onChange={(event) => {
          const text = event.currentTarget.value;
          const problem = text === '' ? undefined : numberProblem(Number(text), field);
          setErrors((current) => ({ ...current, [name]: problem ?? '' }));
          if (!problem) updateSetting(name, text === '' ? undefined : Number(text));
        }}
      />
      <Show when={errors()[name]}>
        <span class="problem" role="alert" data-testid={`setting-error-${name}`}>
          {errors()[name]}
        </span>
      </Show>
    </>
  );
  return (
    <div class="panel settings-panel" data-testid="settings-panel">
      <h3>Settings</h3>
      <p class="hint">Defaults are saved in this browser.</p>
      <label class="field" for="setting-canvas_width">
        <span>New canvas width</span>
        {numberInput('canvas_width', canvasSize().width, CANVAS_SIDE)}
      </label>
      <label class="field" for="setting-canvas_height">
        <span>New canvas height</span>
        {numberInput('canvas_height', canvasSize().height, CANVAS_SIDE)}
      </label>
      <Show when={fields().length > 0} fallback={<p class="hint">No image generator installed.</p>}>
        <For each={fields()}>
          {(field) => (
            <label class="field" for={`setting-${field.name}`} title={field.description}>
              <span>{field.label ?? field.name}</span>
              <Show
                when={field.type === 'enum'}
                fallback={
                  field.type === 'number' || field.type === 'integer' ? (
                    numberInput(field.name, settings()[field.name], field)
                  ) : (
                    <input
                      type="text"
                      id={`setting-${field.name}`}
                      data-testid={`setting-${field.name}`}
                      placeholder="default"
                      value={String(settings()[field.name] ?? '')}
                      onChange={(event) =>
                        updateSetting(field.name, event.currentTarget.value.trim())
                      }
                    />
                  )
                }
              >
                <select
                  id={`setting-${field.name}`}
                  data-testid={`setting-${field.name}`}
                  value={String(settings()[field.name] ?? '')}
                  onChange={(event) => updateSetting(field.name, event.currentTarget.value)}
                >
                  <option value="">
                    {field.default !== undefined
                      ? `default (${String(field.default)})`
                      : "default (the server's choice)"}
                  </option>
                  <For each={field.options ?? []}>
                    {(option) => <option value={String(option)}>{String(option)}</option>}
                  </For>
                </select>
              </Show>
            </label>
          )}
        </For>
      </Show>
      <Show when={props.workbench.capabilities().some((entry) => entry.type === 'runware')}>
        <RunwareKeyField rpc={props.workbench.rpc} />
      </Show>
      <OutputsFolderField rpc={props.workbench.rpc} />
      <button type="button" data-testid="settings-reset" onClick={resetSettings}>
        Reset to defaults
      </button>
    </div>
  );
}
