import { afterAll, beforeAll, expect, test } from 'bun:test';
import sharp from 'sharp';
import { createDiffusersPlugin } from '../../plugins/diffusers/src/diffusers-plugin.ts';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/**
 * Inpaint, outpaint and ControlNet end to end: a real server with the diffusers plugin (tiny test
 * models installed on start), scripts sent as `execute_script` over the JSON-RPC WebSocket, and the
 * produced PNGs fetched over HTTP and decoded with sharp.
 */
interface WireImage {
  $image: string;
  width: number;
  height: number;
}

let server: TestServer;
let client: TestRpcClient;

beforeAll(async () => {
  server = await startTestServer({ plugins: [createDiffusersPlugin()] });
  client = await TestRpcClient.connect(server.wsUrl);
});
afterAll(async () => {
  client.close();
  await server.stop();
});

async function run(script: unknown): Promise<unknown> {
  const reply = await client.call<{ result: unknown }>('execute_script', { script });
  return reply.result;
}

async function pixels(image: WireImage): Promise<Buffer> {
  const response = await fetch(
    `${server.wsUrl.replace('ws://', 'http://').replace('/rpc', '')}/images/${image.$image}.png`,
  );
  expect(response.status).toBe(200);
  return sharp(Buffer.from(await response.arrayBuffer()))
    .removeAlpha()
    .raw()
    .toBuffer();
}

const generate = ['get_capability', 'diffusers.generate'];
const inpaint = ['get_capability', 'diffusers.inpaint'];
const controlnet = ['get_capability', 'controlnet.generate'];

test('outpaint grows the image and keeps the original pixels exactly, over the wire', async () => {
  const base = (await run([
    'std.call_method',
    generate,
    'textToImage',
    'a lighthouse',
    { seed: 4, steps: 2, width: 64, height: 64 },
  ])) as WireImage;
  const wider = (await run([
    'std.call_method',
    inpaint,
    'outpaint',
    base,
    'right',
    32,
    'more coast',
    { seed: 5, steps: 2 },
  ])) as WireImage;
  expect([wider.width, wider.height]).toEqual([96, 64]);
  const before = await pixels(base);
  const after = await pixels(wider);
  // The original occupies the left 64 columns of the outpainted image, unchanged.
  for (let row = 0; row < 64; row += 7) {
    const original = before.subarray(row * 64 * 3, (row + 1) * 64 * 3);
    const kept = after.subarray(row * 96 * 3, row * 96 * 3 + 64 * 3);
    expect(Buffer.compare(original, kept)).toBe(0);
  }
  const bad = await client.request('execute_script', {
    script: ['std.call_method', inpaint, 'outpaint', base, 'sideways', 32, 'x', {}],
  });
  expect(JSON.stringify(bad.error)).toMatch(/left|right|top|bottom/);
});

test('canny preprocess feeds ControlNet apply in one script', async () => {
  const result = (await run([
    'std.seq',
    [
      'std.let',
      'source',
      [
        'std.call_method',
        generate,
        'textToImage',
        'a barn',
        { seed: 6, steps: 2, width: 64, height: 64 },
      ],
    ],
    [
      'std.let',
      'edges',
      ['std.call_method', controlnet, 'preprocess', ['std.var', 'source'], 'canny', {}],
    ],
    [
      'list.new',
      ['std.var', 'edges'],
      [
        'std.call_method',
        controlnet,
        'apply',
        ['std.var', 'edges'],
        'a red barn',
        'canny',
        1,
        { seed: 6, steps: 2, model_id: 'tiny-sd15-controlnet' },
      ],
    ],
  ])) as WireImage[];
  const [edges, controlled] = result;
  expect(edges).toMatchObject({ width: 64, height: 64 });
  expect(controlled).toMatchObject({ width: 64, height: 64 });
  const edgeBytes = await pixels(edges!);
  expect(edgeBytes.every((value) => value === 0 || value === 255)).toBe(true);
});

test('SDXL-Turbo generates through diffusers.generate and can be outpainted', async () => {
  const options = { model_id: 'tiny-sdxl-turbo', seed: 9, width: 64, height: 64 };
  const first = (await run([
    'std.call_method',
    generate,
    'textToImage',
    'a mountain lake',
    options,
  ])) as WireImage;
  const second = (await run([
    'std.call_method',
    generate,
    'textToImage',
    'a mountain lake',
    options,
  ])) as WireImage;
  expect(first).toMatchObject({ width: 64, height: 64 });
  expect(second.$image).toBe(first.$image);
  const taller = (await run([
    'std.call_method',
    inpaint,
    'outpaint',
    first,
    'bottom',
    16,
    'a shore',
    { model_id: 'tiny-sdxl-turbo', seed: 9 },
  ])) as WireImage;
  expect([taller.width, taller.height]).toEqual([64, 80]);
});
