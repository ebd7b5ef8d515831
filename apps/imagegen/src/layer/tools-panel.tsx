import type { Accessor } from 'solid-js';
import { For } from 'solid-js';
import type { Tool } from './canvas-view.tsx';

/** Props of {@link ToolsPanel}: the brush settings Layer Mode owns, and its undo/redo. */
export interface ToolsPanelProps {
  tool: Accessor<Tool>;
  onTool(tool: Tool): void;
  brushSize: Accessor<number>;
  onBrushSize(size: number): void;
  hardness: Accessor<number>;
  onHardness(hardness: number): void;
  color: Accessor<string>;
  onColor(color: string): void;
  canUndo: Accessor<boolean>;
  canRedo: Accessor<boolean>;
  onUndo(): void;
  onRedo(): void;
}

/** Left-panel tools: brush / eraser / mask / bbox, brush size, hardness, colour, undo and redo. */
export function ToolsPanel(props: ToolsPanelProps) {
  return (
    <section class="panel" data-testid="tools">
      <header class="panel-header">
        <h2>Tools</h2>
      </header>
      <div class="tool-row">
        <For
          each={
            [
              ['brush', 'Brush (B)'],
              ['eraser', 'Eraser (E)'],
              ['mask', 'Mask (M)'],
              ['bbox', 'Box (V)'],
            ] as [Tool, string][]
          }
        >
          {([name, label]) => (
            <button
              type="button"
              data-testid={`tool-${name}`}
              classList={{ selected: props.tool() === name }}
              onClick={() => props.onTool(name)}
            >
              {label}
            </button>
          )}
        </For>
      </div>
      <label class="field">
        <span>Size {props.brushSize()}px</span>
        <input
          type="range"
          min="1"
          max="128"
          value={props.brushSize()}
          onInput={(event) => props.onBrushSize(Number(event.currentTarget.value))}
        />
      </label>
      <label class="field">
        <span>Hardness {props.hardness().toFixed(2)}</span>
        <input
          type="range"
          min="0"
          max="1"
          step="0.05"
          value={props.hardness()}
          onInput={(event) => props.onHardness(Number(event.currentTarget.value))}
        />
      </label>
      <label class="field">
        <span>Colour</span>
        <input
          type="color"
          value={props.color()}
          onInput={(event) => props.onColor(event.currentTarget.value)}
        />
      </label>
      <div class="button-row">
        <button
          type="button"
          data-testid="undo"
          disabled={!props.canUndo()}
          onClick={props.onUndo}
          title="Ctrl+Z"
        >
          Undo
        </button>
        <button
          type="button"
          data-testid="redo"
          disabled={!props.canRedo()}
          onClick={props.onRedo}
          title="Ctrl+Shift+Z"
        >
          Redo
        </button>
      </div>
    </section>
  );
}
