import { afterAll, beforeAll, expect, test } from 'bun:test';
import sharp from 'sharp';
import { createDiffusersPlugin } from '../../plugins/diffusers/src/diffusers-plugin.ts';
import { createUpscalePlugin } from '../../plugins/upscale/src/plugin.ts';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/**
 * The upscale plugin's `upscaleHybrid` composes `diffusers.generate.imageToImage` through
 * capabilities (never an import). With both plugins installed on a real server — diffusers first,
 * so `diffusers.generate` exists when the upscale plugin decides whether to offer the hybrid
 * method — a script upscales a tiny-model image and the refinement runs on the tiny SD model.
 */
interface WireImage {
  $image: string;
  width: number;
  height: number;
}

interface WireCapability {
  type: string;
  methods: { name: string }[];
}

let server: TestServer;
let client: TestRpcClient;

beforeAll(async () => {
  server = await startTestServer({
    plugins: [createDiffusersPlugin(), createUpscalePlugin({ models: [] })],
  });
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

async function imageBytes(image: WireImage): Promise<Buffer> {
  const base = server.wsUrl.replace('ws://', 'http://').replace('/rpc', '');
  const response = await fetch(`${base}/images/${image.$image}.png`);
  expect(response.status).toBe(200);
  return sharp(Buffer.from(await response.arrayBuffer()))
    .removeAlpha()
    .raw()
    .toBuffer();
}

const upscale = ['get_capability', 'upscale'];

test('upscaleHybrid is offered and refines through diffusers.generate on the tiny model', async () => {
  const metadata = await client.call<WireCapability[]>('get_capability_metadata', {});
  const upscaleMethods = metadata.find((entry) => entry.type === 'upscale')?.methods ?? [];
  expect(upscaleMethods.map((method) => method.name)).toContain('upscaleHybrid');

  const source = (await run([
    'std.call_method',
    ['get_capability', 'diffusers.generate'],
    'textToImage',
    'a harbour',
    { seed: 3, steps: 2, width: 64, height: 64 },
  ])) as WireImage;
  const hybridScript = [
    'std.call_method',
    upscale,
    'upscaleHybrid',
    source,
    'a harbour, detailed',
    { factor: 2, denoise_strength: 0.3, steps: 4, seed: 11 },
  ];
  const refined = (await run(hybridScript)) as WireImage;
  expect(refined).toMatchObject({ width: 128, height: 128 });

  // Deterministic per seed, and the refinement really ran: it differs from the plain resample.
  const again = (await run(hybridScript)) as WireImage;
  expect(again.$image).toBe(refined.$image);
  const plain = (await run([
    'std.call_method',
    upscale,
    'upscaleTraditional',
    source,
    { method: 'lanczos', factor: 2 },
  ])) as WireImage;
  expect(plain).toMatchObject({ width: 128, height: 128 });
  expect(Buffer.compare(await imageBytes(plain), await imageBytes(refined))).not.toBe(0);

  const bad = await client.request('execute_script', {
    script: ['std.call_method', upscale, 'upscaleHybrid', source, 'x', { denoise_strength: 0.9 }],
  });
  expect(JSON.stringify(bad.error)).toMatch(/denoise_strength/);
});
