import type { CanvasState } from '@viwo/canvas';
import { createEffect, createSignal, onCleanup, onMount } from 'solid-js';

/** Tools of the canvas. */
export type Tool = 'brush' | 'eraser' | 'mask' | 'bbox';

/** Props of {@link CanvasView}. */
export interface CanvasViewProps {
  state: () => CanvasState;
  /** Bumped whenever `state` changed in place. */
  revision: () => number;
  tool: () => Tool;
  brushSize: () => number;
  color: () => string;
  onStroke(points: [number, number][]): void;
  onBbox(x: number, y: number, width: number, height: number): void;
}

/** Region layers show green, apart from masks (red) and control layers. */
const REGION_TINT = [0, 200, 90];
const CONTROL_TINT = [0, 200, 255];

/**
 * The central canvas: renders layers (raster with opacity, control layers tinted, mask layers as
 * a red overlay, bbox dashed), turns pointer drags into strokes or a bbox, wheel zooms, and
 * space-drag pans. Pixels come from the shared CanvasState, so they equal the server's.
 */
export function CanvasView(props: CanvasViewProps) {
  let canvas!: HTMLCanvasElement;
  let overlay!: HTMLCanvasElement;
  const [zoom, setZoom] = createSignal(1);
  const [pan, setPan] = createSignal<[number, number]>([0, 0]);
  let spaceDown = false;
  let drag: {
    kind: 'draw' | 'bbox' | 'pan';
    points: [number, number][];
    start: [number, number];
  } | null = null;

  const render = () => {
    const state = props.state();
    canvas.width = state.width;
    canvas.height = state.height;
    overlay.width = state.width;
    overlay.height = state.height;
    const context = canvas.getContext('2d')!;
    const image = context.createImageData(state.width, state.height);
    const composite = state.composite();
    image.data.set(composite.data);
    for (const layer of state.layers) {
      if (
        !layer.visible ||
        (layer.type !== 'mask' && layer.type !== 'control' && layer.type !== 'region')
      )
        continue;
      const tint =
        layer.type === 'mask' ? [255, 0, 0] : layer.type === 'region' ? REGION_TINT : CONTROL_TINT;
      const strength = layer.type === 'control' ? 0.6 : 0.5;
      for (let offset = 0; offset < image.data.length; offset += 4) {
        const alpha = (layer.surface.data[offset + 3]! / 255) * strength * layer.opacity;
        if (alpha === 0) continue;
        for (let channel = 0; channel < 3; channel++) {
          image.data[offset + channel] =
            image.data[offset + channel]! * (1 - alpha) + tint[channel]! * alpha;
        }
        image.data[offset + 3] = Math.max(image.data[offset + 3]!, Math.round(alpha * 255));
      }
    }
    context.putImageData(image, 0, 0);
    drawOverlay();
  };

  const drawOverlay = (live?: [number, number][], box?: [number, number, number, number]) => {
    const context = overlay.getContext('2d')!;
    context.clearRect(0, 0, overlay.width, overlay.height);
    const bbox = props.state().bbox;
    context.setLineDash([6, 4]);
    context.strokeStyle = '#7dd3fc';
    context.lineWidth = 1.5;
    const [x, y, width, height] = box ?? [bbox.x, bbox.y, bbox.width, bbox.height];
    context.strokeRect(x + 0.5, y + 0.5, width - 1, height - 1);
    context.setLineDash([]);
    if (live && live.length > 0) {
      context.strokeStyle =
        props.tool() === 'mask'
          ? 'rgba(255,0,0,0.6)'
          : props.tool() === 'eraser'
            ? 'rgba(255,255,255,0.6)'
            : props.color();
      context.lineWidth = props.brushSize();
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.beginPath();
      context.moveTo(live[0]![0], live[0]![1]);
      for (const [px, py] of live.slice(1)) context.lineTo(px, py);
      if (live.length === 1) context.lineTo(live[0]![0] + 0.01, live[0]![1]);
      context.stroke();
    }
  };

  const toCanvas = (event: PointerEvent): [number, number] => {
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    return [(event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale];
  };

  const onPointerDown = (event: PointerEvent) => {
    overlay.setPointerCapture(event.pointerId);
    const point = toCanvas(event);
    if (spaceDown || event.button === 1)
      drag = {
        kind: 'pan',
        points: [],
        start: [event.clientX - pan()[0], event.clientY - pan()[1]],
      };
    else if (props.tool() === 'bbox') drag = { kind: 'bbox', points: [], start: point };
    else drag = { kind: 'draw', points: [point], start: point };
    if (drag.kind === 'draw') drawOverlay(drag.points);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!drag) return;
    if (drag.kind === 'pan') {
      setPan([event.clientX - drag.start[0], event.clientY - drag.start[1]]);
      return;
    }
    const point = toCanvas(event);
    if (drag.kind === 'draw') {
      drag.points.push(point);
      drawOverlay(drag.points);
    } else drawOverlay(undefined, normalisedBox(drag.start, point));
  };
  const onPointerUp = (event: PointerEvent) => {
    if (!drag) return;
    const finished = drag;
    drag = null;
    if (finished.kind === 'draw') props.onStroke(finished.points);
    else if (finished.kind === 'bbox') {
      const [x, y, width, height] = normalisedBox(finished.start, toCanvas(event));
      if (width >= 8 && height >= 8) props.onBbox(x, y, width, height);
      else drawOverlay();
    }
  };
  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    setZoom((current) =>
      Math.min(8, Math.max(0.125, current * (event.deltaY < 0 ? 1.1 : 1 / 1.1))),
    );
  };

  onMount(() => {
    const down = (event: KeyboardEvent) => {
      if (
        event.code === 'Space' &&
        !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)
      )
        spaceDown = true;
    };
    const up = (event: KeyboardEvent) => {
      if (event.code === 'Space') spaceDown = false;
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    onCleanup(() => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    });
  });
  createEffect(() => {
    props.revision();
    render();
  });

  return (
    <div class="canvas-viewport" onWheel={onWheel} data-testid="canvas-viewport">
      <div
        class="canvas-stack"
        style={{ transform: `translate(${pan()[0]}px, ${pan()[1]}px) scale(${zoom()})` }}
      >
        <canvas ref={canvas} class="canvas-pixels" data-testid="canvas" />
        <canvas
          ref={overlay}
          class="canvas-overlay"
          data-testid="canvas-overlay"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
        />
      </div>
      <div class="zoom-readout">{Math.round(zoom() * 100)}%</div>
    </div>
  );
}

function normalisedBox(
  start: [number, number],
  end: [number, number],
): [number, number, number, number] {
  const x = Math.round(Math.min(start[0], end[0]));
  const y = Math.round(Math.min(start[1], end[1]));
  return [x, y, Math.round(Math.abs(end[0] - start[0])), Math.round(Math.abs(end[1] - start[1]))];
}
