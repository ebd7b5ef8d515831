import { afterAll, beforeAll, expect, test } from 'bun:test';
import {
  type CapabilityCallContext,
  defineCapability,
  type ImageValue,
  type Plugin,
} from '@viwo/core';
import { createRefinePlugin } from '../../plugins/refine/src/refine-plugin.ts';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/**
 * A conversation with `capability: "runware"` calls whatever plugin registers that type, through
 * the capability (never an import): here a recording plugin with the same method shapes as the
 * Runware backend, so the test needs neither the cloud nor the runware plugin's branch.
 */
const calls: { method: string; args: unknown[] }[] = [];

function recordingRunware(): Plugin {
  const options = {
    name: 'options',
    type: 'object' as const,
    label: 'Options',
    description: 'Generation options',
    optional: true,
    fields: ['seed', 'strength', 'steps'].map((name) => ({
      name,
      type: 'number' as const,
      optional: true,
    })),
  };
  const solid = async (context: CapabilityCallContext, shade: number): Promise<ImageValue> =>
    context.images.putRaw({
      data: new Uint8Array(32 * 32 * 3).fill(shade),
      width: 32,
      height: 32,
      channels: 3,
    });
  const capability = defineCapability({
    type: 'runware',
    label: 'Recording runware',
    description: 'Records calls; answers solid images',
    methods: {
      textToImage: {
        label: 'Text to image',
        description: 'Records the call',
        params: [{ name: 'prompt', type: 'text', label: 'Prompt' }, options],
        returns: 'image',
        async run(context, ...args) {
          calls.push({ method: 'textToImage', args });
          return solid(context, 10);
        },
      },
      imageToImage: {
        label: 'Image to image',
        description: 'Records the call',
        params: [
          { name: 'image', type: 'image', label: 'Image' },
          { name: 'prompt', type: 'text', label: 'Prompt' },
          options,
        ],
        returns: 'image',
        async run(context, ...args) {
          calls.push({ method: 'imageToImage', args });
          return solid(context, 20 + calls.length);
        },
      },
    },
  });
  return {
    name: 'runware',
    version: '0.0.0',
    async init() {},
    capabilities: () => [capability],
    async dispose() {},
  };
}

let server: TestServer;
let client: TestRpcClient;
beforeAll(async () => {
  server = await startTestServer({
    plugins: [recordingRunware(), createRefinePlugin({ ollama: null })],
  });
  client = await TestRpcClient.connect(server.wsUrl);
});
afterAll(async () => {
  client.close();
  await server.stop();
});

test('capability "runware" routes both turns through the runware capability', async () => {
  const conversation = await client.call<{ id: string }>('conversations.create', {
    options: { capability: 'runware', seed: 11, steps: 4 },
  });
  const first = await client.call<{ turn: { image: ImageValue; script: unknown[] } }>(
    'conversations.send',
    { id: conversation.id, message: 'a lighthouse at sunset' },
  );
  expect(first.turn.script[1]).toEqual(['get_capability', 'runware']);
  const second = await client.call<{ turn: { prompt: string; strength: number } }>(
    'conversations.send',
    { id: conversation.id, message: 'make it night' },
  );
  expect(second.turn.prompt).toBe('a lighthouse, at night');
  expect(calls).toEqual([
    { method: 'textToImage', args: ['a lighthouse at sunset', { seed: 11, steps: 4 }] },
    {
      method: 'imageToImage',
      args: [first.turn.image, 'a lighthouse, at night', { seed: 11, steps: 4, strength: 0.65 }],
    },
  ]);
});
