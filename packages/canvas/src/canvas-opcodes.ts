import type { ImageValue, ScriptHost } from '@viwo/core';
import {
  type OpcodeContext,
  type OpcodeDefinition,
  type OpcodeMetadata,
  type OpcodeParam,
  ScriptError,
} from '@viwo/script';
import { CanvasState } from './canvas-state.ts';
import { inlineRaster, type RasterBackend } from './raster-backend.ts';
import type { Surface } from './rasterizer.ts';

/** Pixels of raster work per unit of gas: a 4096² full-canvas pass costs 262,144 gas. */
export const PIXELS_PER_GAS = 64;

/** Charges raster work before it is done (OutOfGas stops a script before the work starts). */
function chargePixels(context: OpcodeContext, pixels: number): void {
  context.charge(Math.ceil(pixels / PIXELS_PER_GAS));
}

const ATTACHMENT = 'canvas';

function host(value: unknown, opcode: string): ScriptHost {
  if (
    typeof value !== 'object' ||
    value === null ||
    !('attachments' in value) ||
    !('images' in value)
  ) {
    throw new Error(`${opcode} needs the viwo runtime (no script host in this evaluation)`);
  }
  return value as ScriptHost;
}

/**
 * The evaluation's canvas, created on first use (512×512 transparent unless `canvas.init` ran).
 * The first use also registers a finalizer returning the final composite, so a canvas script's
 * job result (and `viwo run --out`) always includes the whole canvas.
 */
function canvasOf(
  value: unknown,
  opcode: string,
  raster: RasterBackend,
): { state: CanvasState; scriptHost: ScriptHost } {
  const scriptHost = host(value, opcode);
  let state = scriptHost.attachments.get(ATTACHMENT) as CanvasState | undefined;
  if (!state) {
    const created = new CanvasState();
    state = created;
    scriptHost.attachments.set(ATTACHMENT, created);
    scriptHost.addFinalizer(async () =>
      storeSurface(scriptHost, await raster.composite(created.compositeRequest())),
    );
  }
  return { state, scriptHost };
}

function storeSurface(scriptHost: ScriptHost, surface: Surface): Promise<ImageValue> {
  return scriptHost.images.putRaw({
    data: new Uint8Array(surface.data.buffer, surface.data.byteOffset, surface.data.byteLength),
    width: surface.width,
    height: surface.height,
    channels: 4,
  });
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

function opt(name: string, type: string, defaultValue?: unknown): OpcodeParam {
  return defaultValue === undefined
    ? { name, type, optional: true }
    : { name, type, optional: true, default: defaultValue };
}

function number(value: unknown, name: string, opcode: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${opcode}: ${name} must be a number`);
  return value;
}

function text(value: unknown, name: string, opcode: string): string {
  if (typeof value !== 'string') throw new Error(`${opcode}: ${name} must be a string`);
  return value;
}

/** Canvas failures are bad arguments of a recorded call: report them as such, at the call's path. */
function withArgumentErrors(definition: OpcodeDefinition): OpcodeDefinition {
  const run = definition.eval.bind(definition);
  const wrap = (error: unknown, path: readonly (string | number)[]) =>
    error instanceof ScriptError
      ? error
      : new ScriptError('InvalidArgument', (error as Error).message, [...path]);
  return {
    metadata: definition.metadata,
    eval(args, context) {
      try {
        const result = run(args, context);
        return result instanceof Promise
          ? result.catch((error: unknown) => Promise.reject(wrap(error, context.path)))
          : result;
      } catch (error) {
        throw wrap(error, context.path);
      }
    },
  };
}

function definitions(raster: RasterBackend): OpcodeDefinition[] {
  const canvas = (value: unknown, opcode: string) => canvasOf(value, opcode, raster);
  return [
    {
      metadata: meta(
        'canvas.init',
        'Canvas',
        'Starts an empty canvas of the given size and optional background colour.',
        [
          { name: 'width', type: 'integer' },
          { name: 'height', type: 'integer' },
          opt('background', 'string'),
        ],
      ),
      eval(args, context) {
        const { state } = canvas(context.host, 'canvas.init');
        const width = number(args[0], 'width', 'canvas.init');
        const height = number(args[1], 'height', 'canvas.init');
        if (width > 0 && height > 0) chargePixels(context, Math.min(width * height, 1 << 26));
        state.init(
          number(args[0], 'width', 'canvas.init'),
          number(args[1], 'height', 'canvas.init'),
          args[2] === undefined || args[2] === null
            ? null
            : text(args[2], 'background', 'canvas.init'),
        );
        return null;
      },
    },
    {
      metadata: meta(
        'canvas.layer.create',
        'New layer',
        'Adds a layer on top: type raster, control or mask; options controlType, opacity, visible.',
        [
          { name: 'id', type: 'string' },
          { name: 'name', type: 'string' },
          { name: 'type', type: 'string' },
          opt('options', 'object'),
        ],
      ),
      eval(args, context) {
        const { state } = canvas(context.host, 'canvas.layer.create');
        chargePixels(context, state.width * state.height);
        state.createLayer(
          text(args[0], 'id', 'canvas.layer.create'),
          text(args[1], 'name', 'canvas.layer.create'),
          text(args[2], 'type', 'canvas.layer.create'),
          (args[3] ?? {}) as Record<string, unknown>,
        );
        return args[0];
      },
    },
    {
      metadata: meta(
        'canvas.layer.update',
        'Update layer',
        'Changes name, opacity, visible, locked or controlType of a layer.',
        [
          { name: 'id', type: 'string' },
          { name: 'changes', type: 'object' },
        ],
      ),
      eval(args, context) {
        canvas(context.host, 'canvas.layer.update').state.updateLayer(
          text(args[0], 'id', 'canvas.layer.update'),
          args[1] as Record<string, unknown>,
        );
        return null;
      },
    },
    {
      metadata: meta('canvas.layer.delete', 'Delete layer', 'Removes a layer.', [
        { name: 'id', type: 'string' },
      ]),
      eval(args, context) {
        canvas(context.host, 'canvas.layer.delete').state.deleteLayer(
          text(args[0], 'id', 'canvas.layer.delete'),
        );
        return null;
      },
    },
    {
      metadata: meta(
        'canvas.layer.move',
        'Move layer',
        'Moves a layer to a stack index (0 is the bottom).',
        [
          { name: 'id', type: 'string' },
          { name: 'index', type: 'integer' },
        ],
      ),
      eval(args, context) {
        canvas(context.host, 'canvas.layer.move').state.moveLayer(
          text(args[0], 'id', 'canvas.layer.move'),
          number(args[1], 'index', 'canvas.layer.move'),
        );
        return null;
      },
    },
    {
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
          opt('hardness', 'number', 1),
        ],
      ),
      eval(args, context) {
        const opcode = 'canvas.draw_stroke';
        const hardness = args[5] === undefined ? 1 : number(args[5], 'hardness', opcode);
        const stroke = canvas(context.host, opcode).state.strokeRequest(
          text(args[0], 'layerId', opcode),
          args[1],
          text(args[2], 'color', opcode),
          number(args[3], 'size', opcode),
          text(args[4], 'tool', opcode),
          hardness,
        );
        chargePixels(context, stroke.work);
        return raster.stroke(stroke).then(() => null);
      },
    },
    {
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
      async eval(args, context) {
        const opcode = 'canvas.layer.load_image';
        const { state, scriptHost } = canvas(context.host, opcode);
        const image = args[1] as ImageValue;
        if (typeof image !== 'object' || image === null || typeof image.$image !== 'string') {
          throw new Error(`${opcode}: image must be an image value {"$image": …}`);
        }
        const layer = state.layer(text(args[0], 'layerId', opcode), opcode);
        const x = number(args[2], 'x', opcode);
        const y = number(args[3], 'y', opcode);
        if (Number.isFinite(image.width) && Number.isFinite(image.height)) {
          chargePixels(context, Math.min(image.width * image.height, 1 << 26));
        }
        const raw = await scriptHost.images.getRaw(image, 4);
        const source: Surface = {
          width: raw.width,
          height: raw.height,
          data: new Uint8ClampedArray(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength),
        };
        await raster.draw(layer.surface, source, x, y);
        return null;
      },
    },
    {
      metadata: meta('canvas.bbox.set', 'Bounding box', 'Sets the generation region.', [
        { name: 'x', type: 'number' },
        { name: 'y', type: 'number' },
        { name: 'width', type: 'number' },
        { name: 'height', type: 'number' },
      ]),
      eval(args, context) {
        const opcode = 'canvas.bbox.set';
        canvas(context.host, opcode).state.setBbox(
          number(args[0], 'x', opcode),
          number(args[1], 'y', opcode),
          number(args[2], 'width', opcode),
          number(args[3], 'height', opcode),
        );
        return null;
      },
    },
    {
      metadata: meta(
        'canvas.composite',
        'Composite',
        'The visible raster layers flattened into one image (mask and control layers excluded).',
        [],
        'image',
      ),
      eval(_args, context) {
        const { state, scriptHost } = canvas(context.host, 'canvas.composite');
        const request = state.compositeRequest();
        chargePixels(context, request.width * request.height * (request.layers.length + 1));
        return raster.composite(request).then((surface) => storeSurface(scriptHost, surface));
      },
    },
  ];
}

/**
 * The canvas opcodes of ARCHITECTURE.md on a given rasteriser (the server plugin passes a worker
 * thread). Raster work is charged as gas before it is done.
 */
export function createCanvasOpcodes(raster: RasterBackend): OpcodeDefinition[] {
  return definitions(raster).map(withArgumentErrors);
}

/** The canvas opcodes computing on the calling thread. */
export const canvasOpcodes: OpcodeDefinition[] = createCanvasOpcodes(inlineRaster);
