import { describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import type { ImageStore, ImageValue, RawImage, ScriptHost } from '@viwo/core';
import { evaluate, ScriptError } from '@viwo/script';
import fc from 'fast-check';
import {
  type CanvasOperation,
  canvasOpcodes,
  canvasScript,
  record,
  type Surface,
  scriptToLayers,
} from '../src/index.ts';

/**
 * An in-memory image store with the store's content addressing (sha256 of the bytes), so the
 * opcodes are exercised without a runtime; raw pixels are kept instead of PNG bytes.
 */
class MemoryImageStore implements ImageStore {
  readonly images = new Map<string, RawImage>();
  async putRaw(image: RawImage): Promise<ImageValue> {
    const hash = createHash('sha256')
      .update(`${image.width}x${image.height}x${image.channels}`)
      .update(image.data)
      .digest('hex');
    this.images.set(hash, { ...image, data: new Uint8Array(image.data) });
    return { $image: hash, width: image.width, height: image.height };
  }
  async putEncoded(): Promise<ImageValue> {
    throw new Error('MemoryImageStore keeps raw pixels only');
  }
  async getPng(): Promise<Uint8Array> {
    throw new Error('MemoryImageStore keeps raw pixels only');
  }
  async getRaw(image: ImageValue): Promise<RawImage> {
    const stored = this.images.get(image.$image);
    if (!stored) throw new Error(`unknown image ${image.$image}`);
    return stored;
  }
  async getText(): Promise<Record<string, string>> {
    return {};
  }
  async has(hash: string): Promise<boolean> {
    return this.images.has(hash);
  }
}

function createHost(): { host: ScriptHost; finalize: () => Promise<ImageValue[]> } {
  const finalizers: Array<() => Promise<ImageValue | undefined>> = [];
  const host: ScriptHost = {
    jobId: 'test-job',
    images: new MemoryImageStore(),
    attachments: new Map(),
    addFinalizer: (finalizer) => finalizers.push(finalizer),
  };
  const finalize = async () => {
    const results: ImageValue[] = [];
    for (const finalizer of finalizers) {
      const image = await finalizer();
      if (image) results.push(image);
    }
    return results;
  };
  return { host, finalize };
}

const opcodes = canvasOpcodes;

describe('canvas opcodes', () => {
  test('every opcode of the contract is present with canvas metadata', () => {
    expect(opcodes.map((definition) => definition.metadata.opcode).sort()).toEqual([
      'canvas.bbox.set',
      'canvas.composite',
      'canvas.draw_stroke',
      'canvas.init',
      'canvas.layer.create',
      'canvas.layer.delete',
      'canvas.layer.load_image',
      'canvas.layer.move',
      'canvas.layer.update',
      'canvas.resize',
    ]);
    for (const definition of opcodes) expect(definition.metadata.category).toBe('canvas');
  });

  test('a recorded script evaluates to the same composite the client replay draws', async () => {
    const script = canvasScript([
      record.init(24, 16, '#ffffff'),
      record.createLayer('a', 'Paint', 'raster', { opacity: 0.5 }),
      record.stroke(
        'a',
        [
          [2, 2],
          [20, 12],
        ],
        '#0044ff',
        5,
        'brush',
      ),
      record.createLayer('m', 'Mask', 'mask'),
      record.stroke('m', [[8, 8]], '#ffffff', 6, 'mask'),
      record.bbox(0, 0, 16, 16),
    ]);
    const { host, finalize } = createHost();
    await evaluate([...script, ['canvas.composite']], { opcodes, host });
    const [composite] = await finalize();
    expect(composite).toMatchObject({ width: 24, height: 16 });
    const raw = await host.images.getRaw(composite as ImageValue);
    const expected = scriptToLayers(script).state.composite();
    expect(Buffer.from(raw.data).equals(Buffer.from(expected.data))).toBe(true);
  });

  test('load_image draws a stored image value onto a layer', async () => {
    const { host } = createHost();
    const red = await host.images.putRaw({
      width: 2,
      height: 2,
      channels: 4,
      data: new Uint8Array([255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255]),
    });
    const { value } = await evaluate(
      canvasScript([
        record.init(4, 4),
        record.createLayer('a', 'A', 'raster'),
        record.loadImage('a', red, 2, 2),
        ['canvas.composite'],
      ]),
      { opcodes, host },
    );
    const raw = await host.images.getRaw(value as ImageValue);
    expect(Array.from(raw.data.slice((3 * 4 + 3) * 4, (3 * 4 + 3) * 4 + 4))).toEqual([
      255, 0, 0, 255,
    ]);
    expect(Array.from(raw.data.slice(0, 4))).toEqual([0, 0, 0, 0]);
  });

  test('bad arguments fail as a script error naming the opcode, not a crash', async () => {
    const { host } = createHost();
    const failure = await evaluate(
      canvasScript([record.init(8, 8), record.stroke('missing', [[1, 1]], '#000000', 2, 'brush')]),
      { opcodes, host },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScriptError);
    expect((failure as ScriptError).message).toContain('missing');
  });

  test('without a script host the opcodes say they need the runtime', async () => {
    const failure = await evaluate(['canvas.init', 8, 8], { opcodes }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ScriptError);
    expect((failure as ScriptError).message).toContain('needs the viwo runtime');
  });
});

/** A small random image value (stored in `host`) with its pixels, for load_image. */
const pixelsArbitrary = fc
  .record({ width: fc.integer({ min: 1, max: 6 }), height: fc.integer({ min: 1, max: 6 }) })
  .chain(({ width, height }) =>
    fc
      .uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 })
      .map((data) => ({ width, height, data })),
  );

const layerId = fc.constantFrom('a', 'b', 'c');
const coordinate = fc.integer({ min: -6, max: 30 });
const operationArbitrary = (images: { width: number; height: number; data: Uint8Array }[]) => {
  const loads = fc
    .tuple(
      layerId,
      fc.nat({ max: Math.max(0, images.length - 1) }),
      fc.integer({ min: -3, max: 12 }),
      fc.integer({ min: -3, max: 12 }),
    )
    .map(([id, index, x, y]) => ['load', id, index, x, y] as CanvasOperation);
  return fc.oneof(
    fc
      .tuple(layerId, fc.constantFrom('raster', 'mask', 'control', 'region' as const), fc.boolean())
      .map(([id, type, faded]) =>
        record.createLayer(id, `Layer ${id}`, type, faded ? { opacity: 0.5 } : {}),
      ),
    fc
      .tuple(
        layerId,
        fc.array(fc.tuple(coordinate, coordinate), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('#ff0000', '#00ff0080', 'rgba(10, 20, 30, 0.7)', '#fff'),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('brush', 'eraser', 'mask' as const),
        fc.constantFrom(1, 0.5, 0),
      )
      .map(([id, points, color, size, tool, hardness]) =>
        record.stroke(id, points, color, size, tool, hardness),
      ),
    fc
      .tuple(
        layerId,
        fc.constantFrom(
          { opacity: 0.25 },
          { visible: false },
          { name: 'renamed' },
          { prompt: 'a red door', opacity: 0.5 },
        ),
      )
      .map(([id, changes]) => record.updateLayer(id, changes)),
    layerId.map((id) => record.deleteLayer(id)),
    fc
      .tuple(layerId, fc.integer({ min: 0, max: 2 }))
      .map(([id, index]) => record.moveLayer(id, index)),
    fc
      .tuple(
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 28 }),
        fc.constantFrom(0, 0.5, 1, 0.3),
        fc.constantFrom(0, 0.5, 1),
      )
      .map(([width, height, anchorX, anchorY]) => record.resize(width, height, anchorX, anchorY)),
    fc
      .tuple(
        coordinate,
        coordinate,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
      )
      .map(([x, y, width, height]) => record.bbox(x, y, width, height)),
    ...(images.length > 0 ? [loads, loads] : []),
  );
};

describe('one operation table for server and client', () => {
  test('for random operation sequences the client replay and the server composite are byte-identical', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pixelsArbitrary, { minLength: 1, maxLength: 2 }).chain((images) =>
          fc.record({
            images: fc.constant(images),
            size: fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 })),
            background: fc.constantFrom(undefined, '#ffffff', '#10203040'),
            operations: fc.array(operationArbitrary(images), { maxLength: 12 }),
          }),
        ),
        async ({ images, size, background, operations }) => {
          const { host } = createHost();
          const values: ImageValue[] = [];
          const surfaces = new Map<string, Surface>();
          for (const image of images) {
            const value = await host.images.putRaw({ ...image, channels: 4 });
            values.push(value);
            surfaces.set(value.$image, { ...image, data: new Uint8ClampedArray(image.data) });
          }
          const candidate = [
            record.init(size[0], size[1], background),
            record.createLayer('a', 'Base', 'raster'),
            ...operations.map((operation) =>
              operation[0] === 'load'
                ? record.loadImage(
                    operation[1] as string,
                    values[operation[2] as number],
                    operation[3] as number,
                    operation[4] as number,
                  )
                : operation,
            ),
          ];
          const resolve = (image: unknown) =>
            surfaces.get((image as ImageValue | undefined)?.$image ?? '');
          // Keep the operations that apply (a failed one changes nothing): the server must then
          // run the same script without error and draw the same pixels.
          const { problems } = scriptToLayers(canvasScript(candidate), resolve);
          const failed = new Set(problems.map((problem) => problem.index));
          const script = canvasScript(candidate.filter((_, index) => !failed.has(index)));
          const replay = scriptToLayers(script, resolve);
          expect(replay.problems).toEqual([]);
          const { value } = await evaluate([...script, record.composite()], { opcodes, host });
          const served = await host.images.getRaw(value as ImageValue);
          const drawn = replay.state.composite();
          expect([served.width, served.height]).toEqual([drawn.width, drawn.height]);
          expect(Buffer.from(served.data).equals(Buffer.from(drawn.data))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('canvas.resize grows and crops every layer around the anchor, recorded and replayed', async () => {
    const script = canvasScript([
      record.init(4, 2),
      record.createLayer('a', 'A', 'raster'),
      record.stroke('a', [[0.5, 0.5]], '#ff0000', 1, 'brush'),
      record.resize(8, 4, 1, 0.5),
    ]);
    expect(script.at(-1)).toEqual(['canvas.resize', 8, 4, 1, 0.5]);
    const { state, problems } = scriptToLayers(script);
    expect(problems).toEqual([]);
    expect([state.width, state.height]).toEqual([8, 4]);
    // The old canvas sits at the right edge, vertically centred: (0, 0) moved to (4, 1).
    const pixel = (x: number, y: number) =>
      Array.from(state.layer('a', 'test').surface.data.slice((y * 8 + x) * 4, (y * 8 + x) * 4 + 4));
    expect(pixel(4, 1)).toEqual(
      pixel(4, 1).map((_, i) => (i === 1 || i === 2 ? 0 : pixel(4, 1)[i]!)),
    );
    expect(pixel(4, 1)[0]).toBeGreaterThan(0);
    expect(pixel(0, 0)).toEqual([0, 0, 0, 0]);
    expect(state.bbox).toEqual({ x: 4, y: 1, width: 4, height: 2 });
    const cropped = scriptToLayers(
      canvasScript([...(script.slice(1) as CanvasOperation[]), record.resize(2, 2)]),
    );
    expect([cropped.state.width, cropped.state.height]).toEqual([2, 2]);
    expect(scriptToLayers(canvasScript([record.resize(0, 5)])).problems[0]?.message).toContain(
      'canvas.resize: width must be an integer from 1',
    );
    const { host, finalize } = createHost();
    await evaluate(script, { opcodes, host });
    const [composite] = await finalize();
    expect(composite).toMatchObject({ width: 8, height: 4 });
  });
});

test('region layers carry their prompts, take mask strokes and stay out of the composite', () => {
  const script = canvasScript([
    record.init(8, 8, '#000000'),
    record.createLayer('r', 'Door', 'region', { prompt: 'a red door', negative_prompt: 'blur' }),
    record.stroke('r', [[4, 4]], '#ffffff', 4, 'mask'),
    record.updateLayer('r', { prompt: 'a blue door' }),
    record.createLayer('p', 'Paint', 'raster'),
    // Refused as a whole: a prompt belongs to region layers, and nothing of the update applies.
    record.updateLayer('p', { opacity: 0.5, prompt: 'no' }),
  ]);
  const { state, problems } = scriptToLayers(script);
  expect(problems).toEqual([
    { index: 5, message: 'canvas.layer.update: prompt applies to region layers only' },
  ]);
  const region = state.layer('r', 'test');
  expect([region.type, region.prompt, region.negativePrompt]).toEqual([
    'region',
    'a blue door',
    'blur',
  ]);
  expect(region.surface.data[(4 * 8 + 4) * 4 + 3]).toBeGreaterThan(0);
  expect(state.layer('p', 'test').opacity).toBe(1);
  expect(Array.from(state.composite().data.slice(0, 4))).toEqual([0, 0, 0, 255]);
  expect(Array.from(state.composite().data.slice((4 * 8 + 4) * 4, (4 * 8 + 4) * 4 + 4))).toEqual([
    0, 0, 0, 255,
  ]);
});
