import { describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import type { ImageStore, ImageValue, RawImage, ScriptHost } from '@viwo/core';
import { evaluate, ScriptError } from '@viwo/script';
import { canvasOpcodes, canvasScript, record, scriptToLayers } from '../src/index.ts';

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
