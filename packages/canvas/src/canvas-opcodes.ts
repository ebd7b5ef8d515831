import { type ImageValue, isImageValue } from '@viwo/protocol';
import { type OpcodeContext, type OpcodeDefinition, ScriptError } from '@viwo/script';
import type { CanvasHost } from './canvas-host.ts';
import {
  CANVAS_OPERATIONS,
  type CanvasOperationEntry,
  canvasOperationTable,
} from './canvas-operations.ts';
import { CanvasState } from './canvas-state.ts';
import { inlineRaster, type RasterBackend } from './raster-backend.ts';
import type { Surface } from './rasterizer.ts';

/** Pixels of raster work per unit of gas: a 4096² full-canvas pass costs 262,144 gas. */
export const PIXELS_PER_GAS = 64;

/** Charges raster work before it is done (OutOfGas stops a script before the work starts). */
function chargePixels(context: OpcodeContext, pixels: number): void {
  if (Number.isFinite(pixels) && pixels > 0) context.charge(Math.ceil(pixels / PIXELS_PER_GAS));
}

const ATTACHMENT = 'canvas';

function host(value: unknown, opcode: string): CanvasHost {
  if (
    typeof value !== 'object' ||
    value === null ||
    !('attachments' in value) ||
    !('images' in value)
  ) {
    throw new Error(`${opcode} needs the viwo runtime (no script host in this evaluation)`);
  }
  return value as CanvasHost;
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
): { state: CanvasState; scriptHost: CanvasHost } {
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

function storeSurface(scriptHost: CanvasHost, surface: Surface): Promise<ImageValue> {
  return scriptHost.images.putRaw({
    data: new Uint8Array(surface.data.buffer, surface.data.byteOffset, surface.data.byteLength),
    width: surface.width,
    height: surface.height,
    channels: 4,
  });
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

/** Pixels of an evaluated image argument, fetched from the store. */
async function imagePixels(
  scriptHost: CanvasHost,
  value: unknown,
  opcode: string,
): Promise<Surface> {
  if (!isImageValue(value)) {
    throw new Error(`${opcode}: image must be an image value {"$image": …}`);
  }
  const raw = await scriptHost.images.getRaw(value, 4);
  return {
    width: raw.width,
    height: raw.height,
    data: new Uint8ClampedArray(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength),
  };
}

/**
 * The server opcode of one table entry: decode, charge the raster work as gas, apply to the
 * evaluation's canvas (strokes, placed images and composites on `raster`), answer.
 */
function opcodeOf(entry: CanvasOperationEntry, raster: RasterBackend): OpcodeDefinition {
  const opcode = entry.metadata.opcode;
  return {
    metadata: entry.metadata,
    eval(args, context) {
      const { state, scriptHost } = canvasOf(context.host, opcode, raster);
      switch (opcode) {
        case 'canvas.composite': {
          const request = state.compositeRequest();
          chargePixels(context, request.width * request.height * (request.layers.length + 1));
          return raster.composite(request).then((surface) => storeSurface(scriptHost, surface));
        }
        case 'canvas.draw_stroke': {
          const op = canvasOperationTable.stroke.decode(args);
          const stroke = state.strokeRequest(
            op.layerId,
            op.points,
            op.color,
            op.size,
            op.tool,
            op.hardness,
          );
          chargePixels(context, stroke.work);
          return raster.stroke(stroke).then(() => null);
        }
        case 'canvas.layer.load_image': {
          const op = canvasOperationTable.loadImage.decode(args);
          const layer = state.layer(op.layerId, opcode);
          if (!Number.isFinite(op.x) || !Number.isFinite(op.y))
            throw new Error(`${opcode}: x and y must be numbers`);
          return imagePixels(scriptHost, op.image, opcode).then(async (image) => {
            chargePixels(context, image.width * image.height);
            await raster.draw(layer.surface, image, op.x, op.y);
            return null;
          });
        }
        case 'canvas.init':
        case 'canvas.resize': {
          const width = Number(args[0]);
          const height = Number(args[1]);
          const layers = opcode === 'canvas.resize' ? state.layers.length + 1 : 1;
          chargePixels(context, Math.min(width * height, 1 << 26) * layers);
          break;
        }
        case 'canvas.layer.create':
          chargePixels(context, state.width * state.height);
          break;
      }
      const answer = () => (opcode === 'canvas.layer.create' ? args[0] : null);
      if (entry.imageArgument === undefined) {
        entry.applyArgs(state, args);
        return answer();
      }
      return imagePixels(scriptHost, args[entry.imageArgument], opcode).then((image) => {
        entry.applyArgs(state, args, image);
        return answer();
      });
    },
  };
}

/**
 * The canvas opcodes of ARCHITECTURE.md on a given rasteriser (the server's canvas plugin passes a
 * worker thread, so rasterising never blocks its event loop). Raster work is charged as gas
 * before it is done.
 */
export function createCanvasOpcodes(raster: RasterBackend): OpcodeDefinition[] {
  return [...CANVAS_OPERATIONS.values()].map((entry) =>
    withArgumentErrors(opcodeOf(entry, raster)),
  );
}

/** The canvas opcodes computing on the calling thread. */
export const canvasOpcodes: OpcodeDefinition[] = createCanvasOpcodes(inlineRaster);
