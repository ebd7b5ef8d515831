import { expect, test } from 'bun:test';
import { evaluate, ScriptError } from '@viwo/script';
import fc from 'fast-check';
import { createCanvasOpcodes } from '../src/canvas-opcodes.ts';
import {
  applyStroke,
  CanvasState,
  createSurface,
  drawSurface,
  parseColor,
  type StrokeTool,
  strokeCoverage,
} from '../src/index.ts';
import { rasterizeStroke } from '../src/rasterizer.ts';
import { createWorkerRaster } from '../src/worker-raster.ts';

const WORKER_URL = new URL('../src/raster-worker.ts', import.meta.url).href;
const opcodes = createCanvasOpcodes(createWorkerRaster(WORKER_URL));

/** A host with attachments and a store that only counts (the limits fail before storing). */
const host = () => ({
  jobId: 'limits',
  attachments: new Map(),
  addFinalizer: () => {},
  images: {
    putRaw: async () => ({ $image: '0'.repeat(64), width: 1, height: 1 }),
  },
});

test('canvas sizes the image store cannot keep are refused (over 4096² pixels)', () => {
  const state = new CanvasState();
  expect(() => state.init(8192, 8192)).toThrow(/over 16777216 pixels/);
  expect(() => state.init(4096, 4097)).toThrow(/the largest image the store keeps/);
  state.init(4096, 4096);
  state.createLayer('a', 'A', 'raster');
  state.createLayer('b', 'B', 'raster');
  state.createLayer('c', 'C', 'raster');
  state.createLayer('d', 'D', 'raster');
  expect(() => state.createLayer('e', 'E', 'raster')).toThrow(/layers of 4096×4096/);
  // Growing (outpainting) is bounded the same way.
  const small = new CanvasState();
  small.init(4096, 2048);
  expect(() => small.resize(4096, 4608, 0, 0)).toThrow(/canvas.resize: 4096×4608 is over/);
});

test('raster work is charged as gas before it is done', async () => {
  // The attack: a 4096² canvas and one 1024-px stroke, at a small gas budget.
  const script = [
    'std.seq',
    ['canvas.init', 4096, 4096],
    ['canvas.layer.create', 'a', 'A', 'raster'],
    [
      'canvas.draw_stroke',
      'a',
      [
        'std.quote',
        [
          [0, 0],
          [4095, 4095],
        ],
      ],
      '#ff0000',
      1024,
      'brush',
    ],
  ];
  const failure = await evaluate(script, { opcodes, host: host(), gas: 500_000 }).catch(
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(ScriptError);
  expect((failure as ScriptError).code).toBe('OutOfGas');
});

test('the worker rasteriser leaves the event loop free while it draws', async () => {
  const raster = createWorkerRaster(WORKER_URL);
  try {
    const state = new CanvasState();
    state.init(2048, 2048);
    state.createLayer('a', 'A', 'raster');
    const points: [number, number][] = Array.from({ length: 10 }, (_, index) => [
      (index * 97) % 2048,
      (index * 53) % 2048,
    ]);
    const stroke = state.strokeRequest('a', points, '#00ff00', 256, 'brush');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let finished = false;
    const drawing = raster.stroke(stroke).then(() => {
      finished = true;
    });
    // Timers keep firing while the stroke is drawn elsewhere (inline, none could fire).
    while (!finished && ticks < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    const ticksWhileDrawing = finished ? -1 : ticks;
    await drawing;
    clearInterval(timer);
    expect(ticksWhileDrawing).toBeGreaterThanOrEqual(3);
    // Same pixels as drawing inline.
    const inline = new CanvasState();
    inline.init(2048, 2048);
    inline.createLayer('a', 'A', 'raster');
    inline.drawStroke('a', points, '#00ff00', 256, 'brush');
    expect(
      Buffer.from(stroke.surface.data).equals(Buffer.from(inline.layers[0]!.surface.data)),
    ).toBe(true);
  } finally {
    raster.dispose();
  }
});

test('property: the bounding-box rasteriser draws exactly what the whole-canvas one does', () => {
  const point = fc.tuple(
    fc.double({ min: -20, max: 60, noNaN: true }),
    fc.double({ min: -20, max: 60, noNaN: true }),
  );
  fc.assert(
    fc.property(
      fc.array(point, { minLength: 1, maxLength: 5 }),
      fc.double({ min: 0.5, max: 30, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom<StrokeTool>('brush', 'eraser', 'mask'),
      (points, size, hardness, tool) => {
        const color = parseColor('#3366cc80');
        const whole = createSurface(40, 30);
        const boxed = createSurface(40, 30);
        whole.data.fill(90);
        boxed.data.fill(90);
        applyStroke(whole, strokeCoverage(40, 30, points, size, hardness), color, tool);
        rasterizeStroke(boxed, points, size, hardness, color, tool);
        return Buffer.from(whole.data).equals(Buffer.from(boxed.data));
      },
    ),
    { numRuns: 200 },
  );
});

test('the worker rasteriser places decoder buffers (not transferable) like the inline one', async () => {
  const { default: sharp } = await import('sharp');
  const decoded = await sharp({
    create: { width: 6, height: 5, channels: 4, background: { r: 200, g: 10, b: 30, alpha: 0.5 } },
  })
    .raw()
    .toBuffer();
  const source = () => ({
    width: 6,
    height: 5,
    data: new Uint8ClampedArray(decoded.buffer, decoded.byteOffset, decoded.byteLength),
  });
  const raster = createWorkerRaster(WORKER_URL);
  try {
    const viaWorker = createSurface(10, 10);
    await raster.draw(viaWorker, source(), 3, 2);
    const inline = createSurface(10, 10);
    drawSurface(inline, source(), 3, 2);
    expect(Buffer.from(viaWorker.data).equals(Buffer.from(inline.data))).toBe(true);
    // The decoder's buffer is untouched (not detached).
    expect(decoded.byteLength).toBe(6 * 5 * 4);
  } finally {
    raster.dispose();
  }
});
