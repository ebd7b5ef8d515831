import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'viwo-tiny-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function inputs(session: ort.InferenceSession) {
  return Object.fromEntries(
    (session.inputMetadata as unknown as { name: string; type: string; shape: unknown[] }[]).map(
      (entry) => [entry.name, `${entry.type}[${entry.shape.join(',')}]`],
    ),
  );
}

describe('tiny model generator', () => {
  test('files are deterministic and tiny', () => {
    const first = tinySdModelFiles('sd15');
    const second = tinySdModelFiles('sd15');
    expect(Object.keys(first).sort()).toEqual(Object.keys(second).sort());
    for (const [path, content] of Object.entries(first)) expect(second[path]).toEqual(content);
    const total = Object.values(first).reduce((sum, content) => sum + content.length, 0);
    expect(total).toBeLessThan(400_000);
    expect(tinySdModelFiles('sd15', { seed: 99 })['unet/model.onnx']).not.toEqual(
      first['unet/model.onnx'],
    );
  });

  test('SD 1.x layout loads in onnxruntime with the Optimum I/O contract', async () => {
    const directory = join(root, 'sd15');
    await writeModelFolder(directory, tinySdModelFiles('sd15'));
    const text = await ort.InferenceSession.create(join(directory, 'text_encoder/model.onnx'));
    expect(inputs(text)).toEqual({ input_ids: 'int32[batch,sequence]' });
    expect(text.outputNames).toEqual(['last_hidden_state', 'pooler_output']);
    const unet = await ort.InferenceSession.create(join(directory, 'unet/model.onnx'));
    expect(inputs(unet)).toEqual({
      sample: 'float32[batch,4,height,width]',
      timestep: 'int64[1]',
      encoder_hidden_states: 'float32[batch,sequence,32]',
    });
    expect(unet.outputNames).toEqual(['out_sample']);
    const decoder = await ort.InferenceSession.create(join(directory, 'vae_decoder/model.onnx'));
    const latents = new ort.Tensor('float32', new Float32Array(4 * 5 * 7).fill(0.5), [1, 4, 5, 7]);
    const decoded = await decoder.run({ latent_sample: latents });
    expect(decoded.sample!.dims).toEqual([1, 3, 40, 56]);
    const encoder = await ort.InferenceSession.create(join(directory, 'vae_encoder/model.onnx'));
    expect(encoder.outputNames).toEqual(['latent_sample']);
    const tokenizer = await ClipTokenizer.fromDirectory(join(directory, 'tokenizer'));
    expect(tokenizer.padId).toBe(49407);
    expect(tokenizer.encode('a photo of a cat').slice(0, 7)).toEqual([
      49406,
      tokenizer.tokenIds('a')[0]!,
      tokenizer.tokenIds('photo')[0]!,
      tokenizer.tokenIds('of')[0]!,
      tokenizer.tokenIds('a')[0]!,
      tokenizer.tokenIds('cat')[0]!,
      49407,
    ]);
    expect(tokenizer.tokenize('photo')).toEqual(['photo</w>']);
    for (const session of [text, unet, decoder, encoder]) await session.release();
  });

  test('SD 2.x / Turbo layouts: int64 ids, float scalar timestep, latent_parameters, pad 0', async () => {
    for (const variant of ['sd2', 'sd-turbo'] as const) {
      const directory = join(root, variant);
      await writeModelFolder(directory, tinySdModelFiles(variant));
      const text = await ort.InferenceSession.create(join(directory, 'text_encoder/model.onnx'));
      expect(inputs(text)).toEqual({ input_ids: 'int64[batch,sequence]' });
      const unet = await ort.InferenceSession.create(join(directory, 'unet/model.onnx'));
      expect(inputs(unet).timestep).toBe('float32[]');
      const encoder = await ort.InferenceSession.create(join(directory, 'vae_encoder/model.onnx'));
      expect(encoder.outputNames).toEqual(['latent_parameters']);
      const tokenizer = await ClipTokenizer.fromDirectory(join(directory, 'tokenizer'));
      expect(tokenizer.padId).toBe(0);
      for (const session of [text, unet, encoder]) await session.release();
    }
  });

  test('text encoder output depends on the prompt and is unit-scaled', async () => {
    const directory = join(root, 'sd15');
    const text = await ort.InferenceSession.create(join(directory, 'text_encoder/model.onnx'));
    const tokenizer = await ClipTokenizer.fromDirectory(join(directory, 'tokenizer'));
    const encode = async (prompt: string) => {
      const ids = new ort.Tensor('int32', Int32Array.from(tokenizer.encode(prompt)), [1, 77]);
      return (await text.run({ input_ids: ids })).last_hidden_state!.data as Float32Array;
    };
    const cat = await encode('a cat');
    const dog = await encode('a dog');
    let difference = 0;
    let energy = 0;
    for (let index = 0; index < cat.length; index++) {
      difference += Math.abs(cat[index]! - dog[index]!);
      energy += cat[index]! ** 2;
    }
    expect(difference / cat.length).toBeGreaterThan(0.05);
    expect(Math.sqrt(energy / cat.length)).toBeGreaterThan(0.5);
    expect(Math.sqrt(energy / cat.length)).toBeLessThan(2);
    await text.release();
  });
});
