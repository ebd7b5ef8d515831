import type { CapabilityMetadata, ParamMetadata } from '@viwo/protocol';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { settings, updateSetting } from '../state/settings.ts';

/** Generation modes Layer Mode offers (only those whose capability is installed are shown). */
export type GenerateMode =
  | 'auto'
  | 'txt2img'
  | 'img2img'
  | 'inpaint'
  | 'outpaint'
  | 'controlnet'
  | 'upscale';

/** What the panel hands to Layer Mode when the user generates. */
export interface GenerateRequest {
  mode: GenerateMode;
  prompt: string;
  options: Record<string, unknown>;
  batch: number;
  /** For `outpaint`: which side to extend and by how much. */
  outpaint: { direction: string; pixels: number };
}

/** Props of {@link GeneratePanel}. */
export interface GeneratePanelProps {
  capabilities: () => CapabilityMetadata[];
  bbox: () => { width: number; height: number };
  busy: () => boolean;
  onGenerate(request: GenerateRequest): void;
  /** Option fields not to show (e.g. the local model picker while Runware is the backend). */
  hidden?: () => string[];
  /** Extra controls shown under the prompt (the backend switch). */
  children?: JSX.Element;
}

const SHOWN = [
  'model_id',
  'scheduler',
  'steps',
  'guidance_scale',
  'strength',
  'negative_prompt',
  'seed',
];

/** The fields of a capability method's options object, from the server's metadata. */
export function optionFields(
  capabilities: CapabilityMetadata[],
  type: string,
  method: string,
): ParamMetadata[] {
  const found = capabilities
    .find((capability) => capability.type === type)
    ?.methods.find((entry) => entry.name === method);
  return found?.params.find((param) => param.type === 'object')?.fields ?? [];
}

/**
 * Parameters rendered from capability metadata: enums become dropdowns, numbers sliders with the
 * declared min/max/step, seeds get randomise/lock. Values persist locally as defaults.
 */
export function GeneratePanel(props: GeneratePanelProps) {
  const [prompt, setPrompt] = createSignal('a lighthouse at dusk, oil painting');
  // Parameter values are the app-wide saved defaults (shared with the settings panel).
  const values = settings;
  const [mode, setMode] = createSignal<GenerateMode>('auto');
  const [batch, setBatch] = createSignal(1);
  const [outpaintDirection, setOutpaintDirection] = createSignal('right');
  const [outpaintPixels, setOutpaintPixels] = createSignal(128);
  const [seedLocked, setSeedLocked] = createSignal(false);
  const [showSecond, setShowSecond] = createSignal(false);
  const fields = createMemo(() =>
    optionFields(props.capabilities(), 'diffusers.generate', 'textToImage'),
  );
  const hasCapability = (type: string) =>
    props.capabilities().some((capability) => capability.type === type);
  const modes = createMemo(() => {
    const available: GenerateMode[] = ['auto'];
    if (hasCapability('diffusers.generate')) available.push('txt2img', 'img2img');
    if (hasCapability('diffusers.inpaint')) available.push('inpaint', 'outpaint');
    const controlnet = props
      .capabilities()
      .find((capability) => capability.type === 'controlnet.generate');
    if (controlnet?.methods.some((method) => method.name === 'apply')) available.push('controlnet');
    if (hasCapability('upscale')) available.push('upscale');
    return available;
  });
  // Shown value: the saved setting, else the metadata default, else the first enum option.
  const value = (field: ParamMetadata) =>
    values()[field.name] ??
    field.default ??
    (field.type === 'enum' ? field.options?.[0] : undefined) ??
    '';
  const set = updateSetting;
  const steps = () =>
    Number(values().steps ?? fields().find((field) => field.name === 'steps')?.default ?? 1);
  const cost = () => (props.bbox().width * props.bbox().height * steps() * batch()) / 1e6;
  const costLimit = () => fields().find((field) => field.name === 'max_compute')?.max;

  const submit = () => {
    const options: Record<string, unknown> = {};
    for (const field of fields()) {
      if (!SHOWN.includes(field.name) && !(showSecond() && field.name.endsWith('_2'))) continue;
      const current = values()[field.name] ?? (field.type === 'enum' ? field.default : undefined);
      if (current === undefined || current === '') continue;
      options[field.name] =
        field.type === 'integer' || field.type === 'number' || field.type === 'seed'
          ? Number(current)
          : current;
    }
    if (showSecond()) {
      if (!options.prompt_2) options.prompt_2 = prompt();
    }
    if (!seedLocked()) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      set('seed', seed);
      options.seed = seed;
    }
    props.onGenerate({
      mode: mode(),
      prompt: prompt(),
      options,
      batch: batch(),
      outpaint: { direction: outpaintDirection(), pixels: outpaintPixels() },
    });
  };

  return (
    <section class="panel" data-testid="generate-panel">
      <header class="panel-header">
        <h2>Generate</h2>
      </header>
      <label class="field">
        <span>Prompt</span>
        <textarea
          data-testid="prompt"
          rows="3"
          value={prompt()}
          onInput={(event) => setPrompt(event.currentTarget.value)}
        />
      </label>
      {props.children}
      <Show when={fields().some((field) => field.name === 'prompt_2')}>
        <label class="check">
          <input
            type="checkbox"
            checked={showSecond()}
            onChange={(event) => setShowSecond(event.currentTarget.checked)}
          />{' '}
          SDXL second prompts
        </label>
      </Show>
      <label class="field">
        <span>Mode</span>
        <select
          data-testid="mode"
          value={mode()}
          onChange={(event) => setMode(event.currentTarget.value as GenerateMode)}
        >
          <For each={modes()}>
            {(entry) => (
              <option value={entry}>{entry === 'auto' ? 'auto (from canvas)' : entry}</option>
            )}
          </For>
        </select>
      </label>
      <Show when={mode() === 'outpaint'}>
        <div class="number-field">
          <select
            data-testid="outpaint-direction"
            value={outpaintDirection()}
            onChange={(event) => setOutpaintDirection(event.currentTarget.value)}
          >
            <For each={['left', 'right', 'top', 'bottom']}>
              {(side) => <option value={side}>{side}</option>}
            </For>
          </select>
          <input
            type="number"
            data-testid="outpaint-pixels"
            min="8"
            max="2048"
            step="8"
            value={outpaintPixels()}
            onInput={(event) => setOutpaintPixels(Number(event.currentTarget.value) || 128)}
          />
          <span>px</span>
        </div>
      </Show>
      <For
        each={fields().filter(
          (field) =>
            !props.hidden?.().includes(field.name) &&
            (SHOWN.includes(field.name) || (showSecond() && field.name.endsWith('_2'))),
        )}
      >
        {(field) => (
          <label class="field" title={field.description}>
            <span>{field.label ?? field.name}</span>
            <Show
              when={field.type === 'enum'}
              fallback={
                <Show
                  when={
                    field.type === 'integer' || field.type === 'number' || field.type === 'seed'
                  }
                  fallback={
                    <input
                      data-testid={`opt-${field.name}`}
                      value={String(value(field))}
                      onInput={(event) => set(field.name, event.currentTarget.value)}
                    />
                  }
                >
                  <div class="number-field">
                    <Show
                      when={
                        field.type !== 'seed' &&
                        field.min !== undefined &&
                        field.max !== undefined &&
                        (field.max as number) - (field.min as number) <= 1000
                      }
                    >
                      <input
                        type="range"
                        min={field.min}
                        max={field.max}
                        step={field.step ?? (field.type === 'integer' ? 1 : 0.1)}
                        value={Number(value(field))}
                        onInput={(event) => set(field.name, Number(event.currentTarget.value))}
                      />
                    </Show>
                    <input
                      type="number"
                      data-testid={`opt-${field.name}`}
                      min={field.min}
                      max={field.max}
                      step={field.step ?? (field.type === 'number' ? 0.1 : 1)}
                      value={String(value(field))}
                      // Empty means "not sent": the capability's own default applies.
                      placeholder="default"
                      onInput={(event) => set(field.name, event.currentTarget.value)}
                    />
                    <Show when={field.type === 'seed'}>
                      <button
                        type="button"
                        class="icon"
                        title="Randomise"
                        onClick={() => set('seed', Math.floor(Math.random() * 2 ** 31))}
                      >
                        random
                      </button>
                      <button
                        type="button"
                        class="icon"
                        data-testid="seed-lock"
                        title={seedLocked() ? 'Seed locked' : 'Seed changes each run'}
                        onClick={() => setSeedLocked(!seedLocked())}
                      >
                        {seedLocked() ? 'locked' : 'lock'}
                      </button>
                    </Show>
                  </div>
                </Show>
              }
            >
              <select
                data-testid={`opt-${field.name}`}
                value={String(value(field))}
                onChange={(event) => set(field.name, event.currentTarget.value)}
              >
                <For each={field.options ?? []}>
                  {(option) => <option value={String(option)}>{String(option)}</option>}
                </For>
              </select>
            </Show>
          </label>
        )}
      </For>
      <label class="field">
        <span>Batch (seed variations)</span>
        <input
          type="number"
          data-testid="batch"
          min="1"
          max="16"
          value={batch()}
          onInput={(event) =>
            setBatch(Math.max(1, Math.min(16, Number(event.currentTarget.value) || 1)))
          }
        />
      </label>
      <p
        class="cost"
        classList={{ warn: costLimit() !== undefined && cost() > (costLimit() as number) }}
        data-testid="cost"
      >
        Compute: {cost().toFixed(2)} MP·steps ({props.bbox().width}×{props.bbox().height}, {steps()}{' '}
        steps{batch() > 1 ? `, ×${batch()}` : ''})
      </p>
      <button
        type="button"
        class="primary"
        data-testid="generate"
        disabled={props.busy()}
        onClick={submit}
        title="Ctrl+Enter"
      >
        {props.busy() ? 'Working…' : batch() > 1 ? `Generate ${batch()} variations` : 'Generate'}
      </button>
    </section>
  );
}
