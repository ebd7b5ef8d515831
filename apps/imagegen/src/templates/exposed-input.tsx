/** An input for one exposed template parameter, typed by the param's metadata type. */
import { Show } from 'solid-js';
import type { ExposedParam } from './template-file.ts';

/** Number, text or checkbox input for an exposed value. */
export function ExposedInput(props: {
  param: ExposedParam;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const numeric = () => ['number', 'integer', 'seed'].includes(props.param.type);
  return (
    <label class="viwo-exposed">
      {props.param.label}
      <Show
        when={props.param.type !== 'boolean'}
        fallback={
          <input
            type="checkbox"
            checked={props.value === true}
            onChange={(event) => props.onChange(event.currentTarget.checked)}
          />
        }
      >
        <input
          type={numeric() ? 'number' : 'text'}
          value={String(props.value ?? '')}
          step={props.param.type === 'number' ? 'any' : '1'}
          onChange={(event) => {
            const raw = event.currentTarget.value;
            props.onChange(numeric() ? Number(raw) : raw);
          }}
        />
      </Show>
    </label>
  );
}
