import {
  type CompositeLayer,
  compositeSurfaces,
  copySurface,
  createSurface,
  drawSurface,
  parseColor,
  type Rgba,
  rasterizeStroke,
  type StrokeTool,
  type Surface,
  strokeWork,
} from './rasterizer.ts';

/**
 * Layer kinds: a `region` is a mask carrying its own prompt (regional prompting); `opaque` stands
 * for a recorded operation the canvas cannot show (kept verbatim).
 */
export type LayerType = 'raster' | 'control' | 'mask' | 'region' | 'opaque';

/** One layer of the canvas. */
export interface CanvasLayer {
  id: string;
  name: string;
  type: LayerType;
  controlType: string | null;
  /** A region layer's prompt and negative prompt (null on other layers). */
  prompt: string | null;
  negativePrompt: string | null;
  opacity: number;
  visible: boolean;
  locked: boolean;
  surface: Surface;
}

/** The generation region. */
export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Largest canvas side accepted; bigger requests are errors, not giant allocations. */
export const MAX_CANVAS_SIDE = 8192;

/** Largest canvas area: what the image store keeps (4096×4096), so a composite can be stored. */
export const MAX_CANVAS_PIXELS = 4096 * 4096;

/** Pixels all layers of one canvas may hold together (256 MiB of RGBA). */
export const MAX_LAYER_PIXELS = 64 * 1024 * 1024;

/** A validated stroke, ready for a rasteriser (inline or a worker). */
export interface StrokeRequest {
  surface: Surface;
  points: [number, number][];
  size: number;
  hardness: number;
  color: Rgba;
  tool: StrokeTool;
  /** Pixels the rasterisation touches (for charging). */
  work: number;
}

/** What a composite needs: the size, background and visible raster layers. */
export interface CompositeRequest {
  width: number;
  height: number;
  background: Rgba | null;
  layers: CompositeLayer[];
}

/** Refuses a canvas area the store cannot keep, or layers past the memory bound. */
function checkArea(opcode: string, width: number, height: number, layers: number): void {
  if (width * height > MAX_CANVAS_PIXELS) {
    throw new Error(
      `${opcode}: ${width}×${height} is over ${MAX_CANVAS_PIXELS} pixels (4096×4096), the largest image the store keeps`,
    );
  }
  if (layers * width * height > MAX_LAYER_PIXELS) {
    throw new Error(
      `${opcode}: ${layers} layers of ${width}×${height} are over ${MAX_LAYER_PIXELS} pixels in all`,
    );
  }
}

const LAYER_TYPES = new Set<LayerType>(['raster', 'control', 'mask', 'region', 'opaque']);

/**
 * The layered canvas every canvas opcode mutates. Pure and runtime-neutral: Layer Mode (browser)
 * and the server replay the same operations and get the same pixels.
 *
 * Invariant: layer ids are unique; `layers[0]` is the bottom of the stack.
 */
export class CanvasState {
  width = 512;
  height = 512;
  background: string | null = null;
  layers: CanvasLayer[] = [];
  bbox: BoundingBox = { x: 0, y: 0, width: 512, height: 512 };

  /** Resets to an empty canvas of the given size. */
  init(width: number, height: number, background: string | null = null): void {
    checkSide('canvas.init', 'width', width);
    checkSide('canvas.init', 'height', height);
    checkArea('canvas.init', width, height, 0);
    if (background !== null) parseColor(background);
    this.width = width;
    this.height = height;
    this.background = background;
    this.layers = [];
    this.bbox = { x: 0, y: 0, width, height };
  }

  layer(id: string, opcode: string): CanvasLayer {
    const found = this.layers.find((layer) => layer.id === id);
    if (!found) throw new Error(`${opcode}: no layer '${id}' (create it with canvas.layer.create)`);
    return found;
  }

  createLayer(
    id: string,
    name: string,
    type: string,
    options: Record<string, unknown> = {},
  ): CanvasLayer {
    if (typeof id !== 'string' || id === '')
      throw new Error('canvas.layer.create: id must be a non-empty string');
    if (this.layers.some((layer) => layer.id === id))
      throw new Error(`canvas.layer.create: layer '${id}' already exists`);
    if (!LAYER_TYPES.has(type as LayerType)) {
      throw new Error(
        `canvas.layer.create: type must be raster, control, mask, region or opaque, got '${type}'`,
      );
    }
    checkArea('canvas.layer.create', this.width, this.height, this.layers.length + 1);
    const layer: CanvasLayer = {
      id,
      name: String(name),
      type: type as LayerType,
      controlType: null,
      prompt: null,
      negativePrompt: null,
      opacity: 1,
      visible: true,
      locked: type === 'opaque',
      surface: createSurface(this.width, this.height),
    };
    this.applyChanges(layer, options, 'canvas.layer.create');
    this.layers.push(layer);
    return layer;
  }

  updateLayer(id: string, changes: Record<string, unknown>): void {
    this.applyChanges(this.layer(id, 'canvas.layer.update'), changes, 'canvas.layer.update');
  }

  deleteLayer(id: string): void {
    this.layer(id, 'canvas.layer.delete');
    this.layers = this.layers.filter((layer) => layer.id !== id);
  }

  moveLayer(id: string, index: number): void {
    const layer = this.layer(id, 'canvas.layer.move');
    if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
      throw new Error(
        `canvas.layer.move: index must be 0..${this.layers.length - 1}, got ${index}`,
      );
    }
    this.layers = this.layers.filter((candidate) => candidate !== layer);
    this.layers.splice(index, 0, layer);
  }

  drawStroke(
    layerId: string,
    points: unknown,
    color: string,
    size: number,
    tool: string,
    hardness = 1,
  ): void {
    const stroke = this.strokeRequest(layerId, points, color, size, tool, hardness);
    rasterizeStroke(
      stroke.surface,
      stroke.points,
      stroke.size,
      stroke.hardness,
      stroke.color,
      stroke.tool,
    );
  }

  /** Validates a stroke and says what rasterising it takes (the work happens elsewhere). */
  strokeRequest(
    layerId: string,
    points: unknown,
    color: string,
    size: number,
    tool: string,
    hardness = 1,
  ): StrokeRequest {
    const layer = this.layer(layerId, 'canvas.draw_stroke');
    if (tool !== 'brush' && tool !== 'eraser' && tool !== 'mask') {
      throw new Error(`canvas.draw_stroke: tool must be brush, eraser or mask, got '${tool}'`);
    }
    if (typeof size !== 'number' || !(size > 0) || size > 1024) {
      throw new Error(`canvas.draw_stroke: size must be a number in (0, 1024], got ${size}`);
    }
    const parsed = toPoints(points);
    return {
      surface: layer.surface,
      points: parsed,
      size,
      hardness,
      color: parseColor(color),
      tool: tool as StrokeTool,
      work: strokeWork(this.width, this.height, parsed, size),
    };
  }

  loadImage(layerId: string, image: Surface, x: number, y: number): void {
    const layer = this.layer(layerId, 'canvas.layer.load_image');
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new Error('canvas.layer.load_image: x and y must be numbers');
    drawSurface(layer.surface, image, x, y);
  }

  setBbox(x: number, y: number, width: number, height: number): void {
    if (![x, y, width, height].every(Number.isFinite) || width < 1 || height < 1) {
      throw new Error(
        'canvas.bbox.set: x, y, width and height must be numbers (width and height ≥ 1)',
      );
    }
    this.bbox = { x, y, width, height };
  }

  /**
   * Grows or crops the canvas to `width`×`height`. Every layer keeps its pixels; the anchor says
   * where the old canvas sits in the new one (0 = left/top edge, 0.5 = centred, 1 = right/bottom),
   * so outpainting to the right is `resize(w + n, h, 0, 0)`. The bounding box moves with the
   * content.
   */
  resize(width: number, height: number, anchorX = 0, anchorY = 0): void {
    checkSide('canvas.resize', 'width', width);
    checkSide('canvas.resize', 'height', height);
    checkArea('canvas.resize', width, height, this.layers.length);
    for (const [name, value] of [
      ['anchorX', anchorX],
      ['anchorY', anchorY],
    ] as const) {
      if (!Number.isFinite(value) || value < 0 || value > 1) {
        throw new Error(`canvas.resize: ${name} must be a number from 0 to 1, got ${value}`);
      }
    }
    const dx = Math.round((width - this.width) * anchorX);
    const dy = Math.round((height - this.height) * anchorY);
    for (const layer of this.layers) {
      const surface = createSurface(width, height);
      copySurface(surface, layer.surface, dx, dy);
      layer.surface = surface;
    }
    this.width = width;
    this.height = height;
    this.bbox = { ...this.bbox, x: this.bbox.x + dx, y: this.bbox.y + dy };
  }

  /** Visible raster layers over the background; mask, region, control and opaque layers excluded. */
  composite(): Surface {
    const request = this.compositeRequest();
    return compositeSurfaces(request.width, request.height, request.background, request.layers);
  }

  /** What {@link composite} combines, for a rasteriser that runs elsewhere. */
  compositeRequest(): CompositeRequest {
    return {
      width: this.width,
      height: this.height,
      background: this.background === null ? null : parseColor(this.background),
      layers: this.layers
        .filter((layer) => layer.type === 'raster' && layer.visible && layer.opacity > 0)
        .map((layer) => ({ surface: layer.surface, opacity: layer.opacity })),
    };
  }

  /** Checks every change first, then applies them all, so a refused update changes nothing. */
  private applyChanges(layer: CanvasLayer, changes: Record<string, unknown>, opcode: string): void {
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
      throw new Error(`${opcode}: changes must be an object`);
    }
    const next: Partial<CanvasLayer> = {};
    for (const [key, value] of Object.entries(changes)) {
      switch (key) {
        case 'name':
          next.name = String(value);
          break;
        case 'opacity':
          if (typeof value !== 'number' || value < 0 || value > 1)
            throw new Error(`${opcode}: opacity must be 0..1`);
          next.opacity = value;
          break;
        case 'visible':
        case 'locked':
          if (typeof value !== 'boolean') throw new Error(`${opcode}: ${key} must be a boolean`);
          next[key] = value;
          break;
        case 'controlType':
          next.controlType = value === null ? null : String(value);
          break;
        case 'prompt':
        case 'negative_prompt':
          if (layer.type !== 'region') {
            throw new Error(`${opcode}: ${key} applies to region layers only`);
          }
          if (value !== null && typeof value !== 'string') {
            throw new Error(`${opcode}: ${key} must be a string`);
          }
          next[key === 'prompt' ? 'prompt' : 'negativePrompt'] = value;
          break;
        default:
          throw new Error(
            `${opcode}: unknown layer property '${key}' (name, opacity, visible, locked, controlType, prompt, negative_prompt)`,
          );
      }
    }
    Object.assign(layer, next);
  }
}

function checkSide(opcode: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CANVAS_SIDE) {
    throw new Error(
      `${opcode}: ${name} must be an integer from 1 to ${MAX_CANVAS_SIDE}, got ${value}`,
    );
  }
}

function toPoints(points: unknown): [number, number][] {
  if (!Array.isArray(points))
    throw new Error('canvas.draw_stroke: points must be a list of [x, y] pairs');
  return points.map((point, index) => {
    if (
      !Array.isArray(point) ||
      point.length !== 2 ||
      !point.every((value) => typeof value === 'number' && Number.isFinite(value))
    ) {
      throw new Error(`canvas.draw_stroke: point ${index} must be [x, y] numbers`);
    }
    return [point[0] as number, point[1] as number];
  });
}
