/**
 * The TensorFlow.js reference implementation of UpscalerJS's model execution, for fidelity
 * references and the benchmark (dev only: TF.js is never a runtime dependency of the plugin).
 *
 * It does what UpscalerJS 1.0 does for one whole-image pass: register the model definition's
 * custom layers (`setup(tf)`), load the layers model from the package files, scale pixels into the
 * definition's input range, predict, scale back from the output range and clip to 0–255.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { UpscaleModelEntry } from '../src/converter/model-catalog.ts';

let backendReady: Promise<void> | undefined;

/** Selects the WASM backend (SIMD; TF.js forces one thread under Node/Bun). */
export function useWasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const wasmDir = dirname(
      Bun.resolveSync(
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
        import.meta.dir,
      ),
    );
    setWasmPaths(`${pathToFileURL(wasmDir).href}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
    await tf.ready();
  })();
  return backendReady;
}

/** A loaded TF.js model plus the ranges its definition declares. */
export interface TfjsUpscaler {
  predict(rgb: Uint8Array, width: number, height: number): Float32Array;
  dispose(): void;
}

const registered = new Set<string>();

/** Loads a model the way UpscalerJS does (custom layers from the definition's `setup`). */
export async function loadTfjsUpscaler(entry: UpscaleModelEntry): Promise<TfjsUpscaler> {
  await useWasmBackend();
  const specifier =
    entry.id === 'default' ? entry.packageName : `${entry.packageName}/${entry.scale}x`;
  const definition = (
    (await import(specifier)) as { default: { setup?: (library: typeof tf) => void } }
  ).default;
  // PixelShuffle classes are named per scale, so each definition registers its own.
  if (definition.setup && !registered.has(specifier)) {
    definition.setup(tf);
    registered.add(specifier);
  }
  const json = JSON.parse(await readFile(entry.modelJsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const shards = await Promise.all(
    json.weightsManifest
      .flatMap((group) => group.paths)
      .map((path) => readFile(join(dirname(entry.modelJsonPath), path))),
  );
  const weightData = new Uint8Array(shards.reduce((sum, shard) => sum + shard.length, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.length;
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: weightData.buffer,
    }),
  );
  const [inLow, inHigh] = entry.inputRange;
  const [outLow, outHigh] = entry.outputRange;
  return {
    predict(rgb, width, height) {
      return tf.tidy(() => {
        const pixels = tf.tensor4d(Float32Array.from(rgb), [1, height, width, 3]);
        const input = tf.clipByValue(
          tf.add(tf.mul(pixels, (inHigh - inLow) / 255), inLow),
          inLow,
          inHigh,
        );
        const output = model.predict(input) as tf.Tensor;
        const scaled = tf.mul(tf.sub(output, outLow), 255 / (outHigh - outLow));
        return tf.clipByValue(scaled, 0, 255).dataSync() as Float32Array;
      });
    },
    dispose: () => model.dispose(),
  };
}
