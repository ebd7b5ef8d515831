import { type ImageValue, isImageValue } from '@viwo/protocol';
import { type OpcodeDefinition, ScriptError } from '@viwo/script';
import type { CanvasHost } from './canvas-host.ts';
import { CANVAS_OPERATIONS, type CanvasOperationEntry } from './canvas-operations.ts';
import { CanvasState } from './canvas-state.ts';
import type { Surface } from './rasterizer.ts';

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
function canvasOf(value: unknown, opcode: string): { state: CanvasState; scriptHost: CanvasHost } {
  const scriptHost = host(value, opcode);
  let state = scriptHost.attachments.get(ATTACHMENT) as CanvasState | undefined;
  if (!state) {
    const created = new CanvasState();
    state = created;
    scriptHost.attachments.set(ATTACHMENT, created);
    scriptHost.addFinalizer(() => storeSurface(scriptHost, created.composite()));
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

/** The server opcode of one table entry: decode, apply to the evaluation's canvas, answer. */
function opcodeOf(entry: CanvasOperationEntry): OpcodeDefinition {
  const opcode = entry.metadata.opcode;
  return {
    metadata: entry.metadata,
    eval(args, context) {
      const { state, scriptHost } = canvasOf(context.host, opcode);
      if (opcode === 'canvas.composite') return storeSurface(scriptHost, state.composite());
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

/** The canvas opcodes of ARCHITECTURE.md, executed server-side on the shared rasteriser. */
export const canvasOpcodes: OpcodeDefinition[] = [...CANVAS_OPERATIONS.values()].map((entry) =>
  withArgumentErrors(opcodeOf(entry)),
);
