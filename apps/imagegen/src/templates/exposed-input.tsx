/** An input for one exposed template parameter, typed by the param's metadata type. */
import { imagePath } from '@viwo/protocol';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { authedFetch } from '../auth/auth-token.ts';
import { authedSrc } from '../auth/authed-image.ts';
import type { ExposedParam } from './template-file.ts';

interface ImageValue {
  $image: string;
  width: number;
  height: number;
}

/** Uploads a picked image file to the server's store (`POST /images`). */
async function uploadImage(file: File): Promise<ImageValue> {
  const response = await authedFetch('/images', { method: 'POST', body: file });
  const body = (await response.json()) as ImageValue & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `upload failed (${response.status})`);
  return body;
}

/** An image parameter: the current image as a thumbnail, and a file picker to replace it. */
function ImagePicker(props: {
  param: ExposedParam;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const [error, setError] = createSignal<string>();
  const current = () =>
    typeof props.value === 'object' && props.value !== null && '$image' in props.value
      ? (props.value as ImageValue)
      : undefined;
  return (
    <span class="viwo-image-picker">
      <Show when={current()}>
        {(image) => (
          <img
            src={authedSrc(imagePath(image().$image))}
            alt={`${props.param.label} (${image().width}×${image().height})`}
            width={48}
            height={48}
          />
        )}
      </Show>
      <input
        type="file"
        accept="image/png,image/jpeg,image/webp"
        data-testid="exposed-image-file"
        onChange={async (event) => {
          const file = event.currentTarget.files?.[0];
          if (!file) return;
          try {
            setError(undefined);
            props.onChange(await uploadImage(file));
          } catch (failure) {
            setError((failure as Error).message);
          }
        }}
      />
      <Show when={error()}>
        <span class="viwo-error">{error()}</span>
      </Show>
    </span>
  );
}

/** Number, text, checkbox or image input for an exposed value. */
export function ExposedInput(props: {
  param: ExposedParam;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const numeric = () => ['number', 'integer', 'seed'].includes(props.param.type);
  return (
    <label class="viwo-exposed">
      {props.param.label}
      <Switch
        fallback={
          <input
            type={numeric() ? 'number' : 'text'}
            value={String(props.value ?? '')}
            step={props.param.type === 'number' ? 'any' : '1'}
            onChange={(event) => {
              const raw = event.currentTarget.value;
              props.onChange(numeric() ? Number(raw) : raw);
            }}
          />
        }
      >
        <Match when={props.param.type === 'boolean'}>
          <input
            type="checkbox"
            checked={props.value === true}
            onChange={(event) => props.onChange(event.currentTarget.checked)}
          />
        </Match>
        <Match when={props.param.type === 'image'}>
          <ImagePicker param={props.param} value={props.value} onChange={props.onChange} />
        </Match>
      </Switch>
    </label>
  );
}
