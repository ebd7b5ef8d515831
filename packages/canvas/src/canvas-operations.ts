import type { OpcodeMetadata, OpcodeParam } from '@viwo/script';
import type { CanvasOperation } from './canvas-operation.ts';
import type { CanvasState } from './canvas-state.ts';
import type { Surface } from './rasterizer.ts';

/*
 * The one table of canvas operations: per opcode its metadata, the checked decoding of its
 * arguments, its encoding as a recorded call, and how it changes a CanvasState. The server's
 * opcodes (canvas-opcodes.ts), the client's replay (script-to-layers.ts) and the recorder
 * (canvas-recorder.ts) are all derived from it, so the three cannot drift apart.
 */

/** One canvas operation, typed by its decoded arguments `Op`. */
export interface CanvasOperationSpec<Op> {
  readonly metadata: OpcodeMetadata;
  /** Checks the call's arguments; a bad one throws naming the opcode and the argument. */
  decode(args: readonly unknown[]): Op;
  /** The recorded call for decoded arguments (`decode(encode(op)[1..])` gives `op` back). */
  encode(op: Op): CanvasOperation;
  /** Applies the operation; `image` is the resolved pixels of an image argument. */
  apply(state: CanvasState, op: Op, image?: Surface): void;
  /** Index of the argument that is an image (resolved by the caller before `apply`). */
  readonly imageArgument?: number;
}

/** A table entry with its argument type erased, for code that dispatches on the opcode name. */
export interface CanvasOperationEntry {
  readonly metadata: OpcodeMetadata;
  readonly imageArgument?: number;
  /** Decodes `args` and applies them (throws on bad arguments, changing nothing). */
  applyArgs(state: CanvasState, args: readonly unknown[], image?: Surface): void;
}

function operation<Op>(spec: CanvasOperationSpec<Op>): CanvasOperationSpec<Op> {
  return spec;
}

function meta(
  opcode: string,
  label: string,
  description: string,
  params: OpcodeParam[],
  returns = 'null',
): OpcodeMetadata {
  return { opcode, label, category: 'canvas', description, params, returns };
}

function optional(name: string, type: string, defaultValue?: unknown): OpcodeParam {
  return defaultValue === undefined
    ? { name, type, optional: true }
    : { name, type, optional: true, default: defaultValue };
}

/** Reads positional arguments with errors that name the opcode and the argument. */
class ArgumentReader {
  constructor(
    private readonly opcode: string,
    private readonly args: readonly unknown[],
  ) {}

  number(index: number, name: string): number {
    const value = this.args[index];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`${this.opcode}: ${name} must be a number`);
    return value;
  }

  optionalNumber(index: number, name: string, fallback: number): number {
    return this.args[index] === undefined || this.args[index] === null
      ? fallback
      : this.number(index, name);
  }

  string(index: number, name: string): string {
    const value = this.args[index];
    if (typeof value !== 'string') throw new Error(`${this.opcode}: ${name} must be a string`);
    return value;
  }

  object(index: number, name: string, fallback?: Record<string, unknown>) {
    const value = this.args[index] ?? fallback;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error(`${this.opcode}: ${name} must be an object`);
    return { ...(value as Record<string, unknown>) };
  }

  points(index: number): [number, number][] {
    const value = this.args[index];
    if (!Array.isArray(value))
      throw new Error(`${this.opcode}: points must be a list of [x, y] pairs`);
    return value.map((point, at) => {
      if (
        !Array.isArray(point) ||
        point.length !== 2 ||
        !point.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate))
      ) {
        throw new Error(`${this.opcode}: point ${at} must be [x, y] numbers`);
      }
      return [point[0] as number, point[1] as number];
    });
  }
}

const reader = (opcode: string, args: readonly unknown[]) => new ArgumentReader(opcode, args);

/** Every canvas operation of ARCHITECTURE.md, by short name. */
export const canvasOperationTable = {
  init: operation<{ width: number; height: number; background: string | null }>({
    metadata: meta(
      'canvas.init',
      'Canvas',
      'Starts an empty canvas of the given size and optional background colour.',
      [
        { name: 'width', type: 'integer' },
        { name: 'height', type: 'integer' },
        optional('background', 'string'),
      ],
    ),
    decode(args) {
      const read = reader('canvas.init', args);
      return {
        width: read.number(0, 'width'),
        height: read.number(1, 'height'),
        background: args[2] === undefined || args[2] === null ? null : read.string(2, 'background'),
      };
    },
    encode: ({ width, height, background }) =>
      background === null
        ? ['canvas.init', width, height]
        : ['canvas.init', width, height, background],
    apply: (state, op) => state.init(op.width, op.height, op.background),
  }),
  createLayer: operation<{
    id: string;
    name: string;
    type: string;
    options: Record<string, unknown>;
  }>({
    metadata: meta(
      'canvas.layer.create',
      'New layer',
      'Adds a layer on top: type raster, control, mask or region; options controlType, opacity, visible (a region also prompt, negative_prompt).',
      [
        { name: 'id', type: 'string' },
        { name: 'name', type: 'string' },
        { name: 'type', type: 'string' },
        optional('options', 'object'),
      ],
    ),
    decode(args) {
      const read = reader('canvas.layer.create', args);
      return {
        id: read.string(0, 'id'),
        name: read.string(1, 'name'),
        type: read.string(2, 'type'),
        options: read.object(3, 'options', {}),
      };
    },
    encode: ({ id, name, type, options }) =>
      Object.keys(options).length > 0
        ? ['canvas.layer.create', id, name, type, options]
        : ['canvas.layer.create', id, name, type],
    apply: (state, op) => {
      state.createLayer(op.id, op.name, op.type, op.options);
    },
  }),
  updateLayer: operation<{ id: string; changes: Record<string, unknown> }>({
    metadata: meta(
      'canvas.layer.update',
      'Update layer',
      'Changes name, opacity, visible, locked, controlType (or a region’s prompt, negative_prompt) of a layer.',
      [
        { name: 'id', type: 'string' },
        { name: 'changes', type: 'object' },
      ],
    ),
    decode(args) {
      const read = reader('canvas.layer.update', args);
      return { id: read.string(0, 'id'), changes: read.object(1, 'changes') };
    },
    encode: ({ id, changes }) => ['canvas.layer.update', id, changes],
    apply: (state, op) => state.updateLayer(op.id, op.changes),
  }),
  deleteLayer: operation<{ id: string }>({
    metadata: meta('canvas.layer.delete', 'Delete layer', 'Removes a layer.', [
      { name: 'id', type: 'string' },
    ]),
    decode: (args) => ({ id: reader('canvas.layer.delete', args).string(0, 'id') }),
    encode: ({ id }) => ['canvas.layer.delete', id],
    apply: (state, op) => state.deleteLayer(op.id),
  }),
  moveLayer: operation<{ id: string; index: number }>({
    metadata: meta(
      'canvas.layer.move',
      'Move layer',
      'Moves a layer to a stack index (0 is the bottom).',
      [
        { name: 'id', type: 'string' },
        { name: 'index', type: 'integer' },
      ],
    ),
    decode(args) {
      const read = reader('canvas.layer.move', args);
      return { id: read.string(0, 'id'), index: read.number(1, 'index') };
    },
    encode: ({ id, index }) => ['canvas.layer.move', id, index],
    apply: (state, op) => state.moveLayer(op.id, op.index),
  }),
  stroke: operation<{
    layerId: string;
    points: [number, number][];
    color: string;
    size: number;
    tool: string;
    hardness: number;
  }>({
    metadata: meta(
      'canvas.draw_stroke',
      'Stroke',
      'Draws a stroke through [[x, y], …] with a colour, size and tool (brush, eraser, mask); optional hardness 0–1.',
      [
        { name: 'layerId', type: 'string' },
        { name: 'points', type: 'list' },
        { name: 'color', type: 'string' },
        { name: 'size', type: 'number' },
        { name: 'tool', type: 'string' },
        optional('hardness', 'number', 1),
      ],
    ),
    decode(args) {
      const read = reader('canvas.draw_stroke', args);
      return {
        layerId: read.string(0, 'layerId'),
        points: read.points(1),
        color: read.string(2, 'color'),
        size: read.number(3, 'size'),
        tool: read.string(4, 'tool'),
        hardness: read.optionalNumber(5, 'hardness', 1),
      };
    },
    encode({ layerId, points, color, size, tool, hardness }) {
      const call: CanvasOperation = [
        'canvas.draw_stroke',
        layerId,
        ['std.quote', points],
        color,
        size,
        tool,
      ];
      return hardness === 1 ? call : [...call, hardness];
    },
    apply: (state, op) =>
      state.drawStroke(op.layerId, op.points, op.color, op.size, op.tool, op.hardness),
  }),
  loadImage: operation<{ layerId: string; image: unknown; x: number; y: number }>({
    metadata: meta(
      'canvas.layer.load_image',
      'Place image',
      'Draws an image value onto a layer at (x, y).',
      [
        { name: 'layerId', type: 'string' },
        { name: 'image', type: 'image' },
        { name: 'x', type: 'number' },
        { name: 'y', type: 'number' },
      ],
    ),
    imageArgument: 1,
    decode(args) {
      const read = reader('canvas.layer.load_image', args);
      return {
        layerId: read.string(0, 'layerId'),
        image: args[1],
        x: read.number(2, 'x'),
        y: read.number(3, 'y'),
      };
    },
    encode: ({ layerId, image, x, y }) => ['canvas.layer.load_image', layerId, image, x, y],
    apply(state, op, image) {
      // Without pixels (not fetched yet) the layer must still exist; the image is drawn later.
      if (image) state.loadImage(op.layerId, image, op.x, op.y);
      else state.layer(op.layerId, 'canvas.layer.load_image');
    },
  }),
  bbox: operation<{ x: number; y: number; width: number; height: number }>({
    metadata: meta('canvas.bbox.set', 'Bounding box', 'Sets the generation region.', [
      { name: 'x', type: 'number' },
      { name: 'y', type: 'number' },
      { name: 'width', type: 'number' },
      { name: 'height', type: 'number' },
    ]),
    decode(args) {
      const read = reader('canvas.bbox.set', args);
      return {
        x: read.number(0, 'x'),
        y: read.number(1, 'y'),
        width: read.number(2, 'width'),
        height: read.number(3, 'height'),
      };
    },
    encode: ({ x, y, width, height }) => ['canvas.bbox.set', x, y, width, height],
    apply: (state, op) => state.setBbox(op.x, op.y, op.width, op.height),
  }),
  resize: operation<{ width: number; height: number; anchorX: number; anchorY: number }>({
    metadata: meta(
      'canvas.resize',
      'Resize canvas',
      'Grows or crops every layer to width×height; anchorX/anchorY (0–1, default 0) place the old canvas in the new one.',
      [
        { name: 'width', type: 'integer' },
        { name: 'height', type: 'integer' },
        optional('anchorX', 'number', 0),
        optional('anchorY', 'number', 0),
      ],
    ),
    decode(args) {
      const read = reader('canvas.resize', args);
      return {
        width: read.number(0, 'width'),
        height: read.number(1, 'height'),
        anchorX: read.optionalNumber(2, 'anchorX', 0),
        anchorY: read.optionalNumber(3, 'anchorY', 0),
      };
    },
    encode: ({ width, height, anchorX, anchorY }) =>
      anchorX === 0 && anchorY === 0
        ? ['canvas.resize', width, height]
        : ['canvas.resize', width, height, anchorX, anchorY],
    apply: (state, op) => state.resize(op.width, op.height, op.anchorX, op.anchorY),
  }),
  composite: operation<Record<string, never>>({
    metadata: meta(
      'canvas.composite',
      'Composite',
      'The visible raster layers flattened into one image (mask and control layers excluded).',
      [],
      'image',
    ),
    decode: () => ({}),
    encode: () => ['canvas.composite'],
    // The composite is a result, not a change: callers read `state.composite()`.
    apply: () => {},
  }),
};

function erase<Op>(spec: CanvasOperationSpec<Op>): CanvasOperationEntry {
  return {
    metadata: spec.metadata,
    ...(spec.imageArgument === undefined ? {} : { imageArgument: spec.imageArgument }),
    applyArgs: (state, args, image) => spec.apply(state, spec.decode(args), image),
  };
}

/** The table by opcode name (`canvas.draw_stroke` → its entry). */
export const CANVAS_OPERATIONS: ReadonlyMap<string, CanvasOperationEntry> = new Map(
  Object.values(canvasOperationTable).map((spec) => [
    spec.metadata.opcode,
    erase(spec as CanvasOperationSpec<never>),
  ]),
);
