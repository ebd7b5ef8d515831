import { fileSha256, type RawImage } from '@viwo/core';
import { createSession } from '@viwo/onnx';
import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { describeInputs } from '../pipeline/onnx-tensors.ts';

/** Input side used when the model's spatial dimensions are symbolic (DPT/MiDaS default). */
const DEFAULT_SIDE = 384;
/** ImageNet normalisation, which DPT / MiDaS / Depth-Anything exports expect. */
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/**
 * A monocular depth preprocessor backed by a configured ONNX model (DPT, MiDaS, Depth-Anything
 * exports: one float input `[1, 3, H, W]`, one output whose last two dimensions are the depth
 * map). Offered only when such a model is configured — depth is never faked.
 *
 * The map is min–max normalised to 0–255 (near = white, as ControlNet depth models expect for
 * inverse-depth outputs) and resized back to the input image's size.
 */
export class DepthPreprocessor {
  private modelHash: Promise<string> | undefined;

  private constructor(
    private readonly session: InferenceSession,
    private readonly inputName: string,
    private readonly side: { width: number; height: number },
    private readonly modelPath: string,
  ) {}

  /**
   * sha256 of the model file, for the result cache. Computed once per loaded model (depth models
   * run to hundreds of MB): the session never rereads the file, so neither does this.
   */
  modelSha256(): Promise<string> {
    this.modelHash ??= fileSha256(this.modelPath);
    return this.modelHash;
  }

  /** Opens the model at `path`; fails naming the path when it is missing or not a depth model. */
  static async load(
    path: string,
    onWarning?: (message: string) => void,
  ): Promise<DepthPreprocessor> {
    let session: InferenceSession;
    try {
      ({ session } = await createSession(path, onWarning ? { onWarning } : {}));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`depth preprocessor model '${path}' could not be loaded: ${reason}`);
    }
    const inputs = [...describeInputs(session).values()];
    const input = inputs[0];
    if (inputs.length !== 1 || !input || input.shape.length !== 4 || input.type !== 'float32') {
      await session.release();
      throw new Error(
        `depth preprocessor model '${path}' must take one float32 [1, 3, H, W] input, has ${inputs
          .map((spec) => `${spec.name} ${spec.type} [${spec.shape.join(', ')}]`)
          .join('; ')}`,
      );
    }
    const fixed = (value: number | string | undefined) =>
      typeof value === 'number' && value > 0 ? value : DEFAULT_SIDE;
    return new DepthPreprocessor(
      session,
      input.name,
      { height: fixed(input.shape[2]), width: fixed(input.shape[3]) },
      path,
    );
  }

  /** Depth map of `image` as a 3-channel raw image of the same size. */
  async run(image: RawImage): Promise<RawImage> {
    const { width, height } = this.side;
    const resized = await sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: image.channels },
    })
      .removeAlpha()
      .resize(width, height, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer();
    const plane = width * height;
    const input = new Float32Array(3 * plane);
    for (let pixel = 0; pixel < plane; pixel++) {
      for (let channel = 0; channel < 3; channel++) {
        input[channel * plane + pixel] =
          (resized[pixel * 3 + channel]! / 255 - MEAN[channel]!) / STD[channel]!;
      }
    }
    const outputs = await this.session.run({
      [this.inputName]: new Tensor('float32', input, [1, 3, height, width]),
    });
    const output = outputs[this.session.outputNames[0]!];
    const dims = output?.dims ?? [];
    if (output?.type !== 'float32' || dims.length < 2) {
      throw new Error('depth preprocessor model returned no float32 map');
    }
    const mapHeight = Number(dims[dims.length - 2]);
    const mapWidth = Number(dims[dims.length - 1]);
    const values = output.data as Float32Array;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < mapWidth * mapHeight; index++) {
      const value = values[index]!;
      if (value < low) low = value;
      if (value > high) high = value;
    }
    // A constant map (flat scene) becomes black rather than dividing by zero.
    const range = high - low > 1e-12 ? high - low : Number.POSITIVE_INFINITY;
    const grey = new Uint8Array(mapWidth * mapHeight);
    for (let index = 0; index < grey.length; index++) {
      grey[index] = Math.round(((values[index]! - low) / range) * 255);
    }
    const data = await sharp(grey, { raw: { width: mapWidth, height: mapHeight, channels: 1 } })
      .resize(image.width, image.height, { fit: 'fill', kernel: 'cubic' })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    return { data: new Uint8Array(data), width: image.width, height: image.height, channels: 3 };
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
