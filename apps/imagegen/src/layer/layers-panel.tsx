import type { CanvasLayer } from '@viwo/canvas';
import { For, Show } from 'solid-js';
import { RegionFields } from './region-fields.tsx';

/** Props of {@link LayersPanel}. */
export interface LayersPanelProps {
  layers: () => CanvasLayer[];
  activeId: () => string | undefined;
  onSelect(id: string): void;
  onAdd(type: 'raster' | 'control' | 'mask' | 'region'): void;
  onDelete(id: string): void;
  onUpdate(id: string, changes: Record<string, unknown>): void;
  onMove(id: string, index: number): void;
  /** Control types the server can preprocess into; empty hides the preprocess controls. */
  controlTypes: () => string[];
  /** Fills a control layer with the preprocessed composite of the canvas. */
  onPreprocess(id: string): void;
}

/** The right-hand layer stack, top layer first; drag a row onto another to reorder. */
export function LayersPanel(props: LayersPanelProps) {
  let dragged: string | undefined;
  const top = () => [...props.layers()].reverse();
  return (
    <section class="panel" data-testid="layers-panel">
      <header class="panel-header">
        <h2>Layers</h2>
        <div class="button-row">
          <button
            type="button"
            data-testid="add-raster"
            onClick={() => props.onAdd('raster')}
            title="New raster layer"
          >
            + Raster
          </button>
          <button
            type="button"
            data-testid="add-mask"
            onClick={() => props.onAdd('mask')}
            title="New mask layer"
          >
            + Mask
          </button>
          <button
            type="button"
            data-testid="add-control"
            onClick={() => props.onAdd('control')}
            title="New control layer"
          >
            + Control
          </button>
          <button
            type="button"
            data-testid="add-region"
            onClick={() => props.onAdd('region')}
            title="New region layer: paint it with the mask tool, give it its own prompt"
          >
            + Region
          </button>
        </div>
      </header>
      <ul class="layer-list">
        <For each={top()}>
          {(layer) => (
            <li
              class="layer-row"
              classList={{ active: layer.id === props.activeId(), [`layer-${layer.type}`]: true }}
              data-testid={`layer-${layer.id}`}
              data-layer-type={layer.type}
              draggable={!layer.locked}
              onDragStart={() => {
                dragged = layer.id;
              }}
              onDragOver={(event) => event.preventDefault()}
              onDrop={() => {
                if (dragged && dragged !== layer.id)
                  props.onMove(
                    dragged,
                    props.layers().findIndex((candidate) => candidate.id === layer.id),
                  );
                dragged = undefined;
              }}
              onClick={() => props.onSelect(layer.id)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') props.onSelect(layer.id);
              }}
            >
              <button
                type="button"
                class="icon"
                title={layer.visible ? 'Hide' : 'Show'}
                disabled={layer.type === 'opaque'}
                onClick={(event) => {
                  event.stopPropagation();
                  props.onUpdate(layer.id, { visible: !layer.visible });
                }}
              >
                {layer.visible ? '◉' : '○'}
              </button>
              <input
                class="layer-name"
                value={layer.name}
                disabled={layer.locked}
                onChange={(event) => props.onUpdate(layer.id, { name: event.currentTarget.value })}
              />
              <span class="layer-type">
                {layer.type === 'control' && layer.controlType
                  ? `control · ${layer.controlType}`
                  : layer.type}
              </span>
              <Show when={layer.type === 'control' && props.controlTypes().length > 0}>
                <select
                  data-testid={`control-type-${layer.id}`}
                  value={layer.controlType ?? props.controlTypes()[0]}
                  onChange={(event) =>
                    props.onUpdate(layer.id, { controlType: event.currentTarget.value })
                  }
                >
                  <For each={props.controlTypes()}>
                    {(type) => <option value={type}>{type}</option>}
                  </For>
                </select>
                <button
                  type="button"
                  data-testid={`preprocess-${layer.id}`}
                  title="Fill this layer with the preprocessed canvas"
                  onClick={(event) => {
                    event.stopPropagation();
                    props.onPreprocess(layer.id);
                  }}
                >
                  Preprocess
                </button>
              </Show>
              <Show when={layer.type === 'region'}>
                <RegionFields
                  layer={layer}
                  onUpdate={(changes) => props.onUpdate(layer.id, changes)}
                />
              </Show>
              <Show when={layer.type !== 'opaque'}>
                <input
                  type="range"
                  min="0"
                  max="1"
                  step="0.05"
                  value={layer.opacity}
                  title="Opacity"
                  onChange={(event) =>
                    props.onUpdate(layer.id, { opacity: Number(event.currentTarget.value) })
                  }
                />
                <button
                  type="button"
                  class="icon"
                  title={layer.locked ? 'Unlock' : 'Lock'}
                  onClick={(event) => {
                    event.stopPropagation();
                    props.onUpdate(layer.id, { locked: !layer.locked });
                  }}
                >
                  {layer.locked ? 'locked' : 'lock'}
                </button>
                <button
                  type="button"
                  class="icon danger"
                  title="Delete layer"
                  data-testid={`delete-${layer.id}`}
                  disabled={layer.locked}
                  onClick={(event) => {
                    event.stopPropagation();
                    props.onDelete(layer.id);
                  }}
                >
                  ✕
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
