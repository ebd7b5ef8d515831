import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { RawImage } from '@viwo/core';
import sharp from 'sharp';
import {
  DEFAULT_POSE_CONFIDENCE,
  drawPoseSkeletons,
  type Keypoint,
  openPoseFromCoco,
} from './pose-skeleton.ts';

/** MoveNet Lightning's square input side. */
const INPUT_SIDE = 192;

const require = createRequire(import.meta.url);

/** What a pose run found, besides the drawn map. */
export interface PoseResult {
  image: RawImage;
  /** People drawn (0 or 1 with MoveNet Lightning, a single-person model). */
  people: number;
  /** COCO-17 keypoints in input pixels (empty when nobody was found). */
  keypoints: Keypoint[];
}

let backendReady: Promise<string> | undefined;

/**
 * Selects TF.js's WASM backend (SIMD; TF.js runs it on one thread under Node and Bun), falling
 * back to the pure-JS CPU backend where WASM cannot start. Process-wide, once.
 */
function readyBackend(): Promise<string> {
  backendReady ??= (async () => {
    const wasmDir = dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
    );
    setWasmPaths(`${pathToFileURL(wasmDir).href}/`);
    const wasm = await tf.setBackend('wasm').catch(() => false);
    if (!wasm) await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return backendReady;
}

/**
 * OpenPose-style pose maps from MoveNet Lightning — real weights shipped in the MIT-licensed
 * `@vladmandic/human` npm package as a TF.js graph model, run on TF.js (its graph ops are beyond
 * our Keras-layers ONNX converter). The input is letterboxed into the model's square, the 17
 * COCO keypoints are mapped back to image pixels and drawn as the 18-point OpenPose skeleton
 * (limb colours on black, the input's size) that pose ControlNets are trained on.
 */
export class PosePreprocessor {
  private constructor(
    private readonly model: GraphModel,
    /** The TF.js backend in use (`wasm`, or `cpu` as a fallback). */
    readonly backend: string,
  ) {}

  /** Loads the model files from the `@vladmandic/human` package. */
  static async load(): Promise<PosePreprocessor> {
    const backend = await readyBackend();
    // The package's exports map hides models/: resolve a file it exports, then go up to its root.
    const packageRoot = dirname(dirname(require.resolve('@vladmandic/human')));
    const modelJson = join(packageRoot, 'models', 'movenet-lightning.json');
    const json = JSON.parse(await readFile(modelJson, 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      signature?: object;
      format?: string;
    };
    const shards = await Promise.all(
      json.weightsManifest
        .flatMap((group) => group.paths)
        .map((path) => readFile(join(dirname(modelJson), path))),
    );
    const weightData = new Uint8Array(shards.reduce((sum, shard) => sum + shard.length, 0));
    let offset = 0;
    for (const shard of shards) {
      weightData.set(shard, offset);
      offset += shard.length;
    }
    const model = await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
        ...(json.signature ? { signature: json.signature } : {}),
        ...(json.format ? { format: json.format } : {}),
      }),
    );
    return new PosePreprocessor(model, backend);
  }

  /** Detects the person in `image` and draws their skeleton; nobody found gives a black map. */
  async run(image: RawImage, minConfidence = DEFAULT_POSE_CONFIDENCE): Promise<PoseResult> {
    const { width, height } = image;
    const scale = INPUT_SIDE / Math.max(width, height);
    const scaledWidth = Math.max(1, Math.round(width * scale));
    const scaledHeight = Math.max(1, Math.round(height * scale));
    const padLeft = Math.floor((INPUT_SIDE - scaledWidth) / 2);
    const padTop = Math.floor((INPUT_SIDE - scaledHeight) / 2);
    const square = await sharp(image.data, {
      raw: { width, height, channels: image.channels },
    })
      .removeAlpha()
      .resize(scaledWidth, scaledHeight, { fit: 'fill' })
      .extend({
        top: padTop,
        bottom: INPUT_SIDE - scaledHeight - padTop,
        left: padLeft,
        right: INPUT_SIDE - scaledWidth - padLeft,
        background: { r: 0, g: 0, b: 0 },
      })
      .raw()
      .toBuffer();
    const input = tf.tensor4d(Int32Array.from(square), [1, INPUT_SIDE, INPUT_SIDE, 3], 'int32');
    const output = this.model.execute(input) as tf.Tensor;
    const values = await output.data();
    input.dispose();
    output.dispose();
    // Output [1, 1, 17, 3]: (y, x, score) normalised to the square input.
    const keypoints: Keypoint[] = [];
    for (let index = 0; index < 17; index++) {
      const y = values[index * 3]! * INPUT_SIDE;
      const x = values[index * 3 + 1]! * INPUT_SIDE;
      keypoints.push({
        x: (x - padLeft) / scale,
        y: (y - padTop) / scale,
        score: values[index * 3 + 2]!,
      });
    }
    // A person needs a confident torso (both shoulders or both hips); otherwise nobody is drawn.
    const sure = (index: number) => keypoints[index]!.score >= minConfidence;
    const found = (sure(5) && sure(6)) || (sure(11) && sure(12));
    const people = found ? [openPoseFromCoco(keypoints)] : [];
    return {
      image: drawPoseSkeletons(width, height, people, minConfidence),
      people: people.length,
      keypoints: found ? keypoints : [],
    };
  }
}
