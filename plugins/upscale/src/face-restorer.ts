import { basename } from 'node:path';
import { CapabilityError, fileSha256 } from '@viwo/core';
import { createSession } from '@viwo/onnx';
import * as ort from 'onnxruntime-node';
import { type PixelImage, resampleClassical } from './classical.ts';
import { messageOf } from './errors.ts';

/**
 * Face restoration with a configured ONNX model of the GFPGAN/CodeFormer export shape: one
 * float32 input `[1, 3, S, S]` and one output of the same shape, both RGB in −1…1, working on an
 * aligned face crop. Only constructed when such a model is configured; otherwise the capability
 * has no face method at all.
 */
export class FaceRestorer {
  readonly modelName: string;
  private modelHash: Promise<string> | undefined;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly size: number,
    private readonly modelPath: string,
  ) {
    this.modelName = basename(modelPath);
  }

  /**
   * sha256 of the model file, for the result cache. Computed once per loaded model (restoration
   * models run to hundreds of MB): the session never rereads the file, so neither does this.
   */
  modelSha256(): Promise<string> {
    this.modelHash ??= fileSha256(this.modelPath);
    return this.modelHash;
  }

  /** Opens the model and checks it has the expected single square RGB input. */
  static async load(modelPath: string, log?: (message: string) => void): Promise<FaceRestorer> {
    let session: ort.InferenceSession;
    try {
      ({ session } = await createSession(modelPath, log ? { onWarning: log } : {}));
    } catch (error) {
      throw new CapabilityError(
        'NotFound',
        `face-restoration model ${modelPath} could not be loaded: ${messageOf(error)}`,
      );
    }
    const metadata = session.inputMetadata[0];
    const shape = metadata && 'shape' in metadata ? metadata.shape : [];
    const side = Number(shape[2]);
    if (
      session.inputNames.length !== 1 ||
      shape.length !== 4 ||
      Number(shape[1]) !== 3 ||
      !(side > 0) ||
      side !== Number(shape[3])
    ) {
      await session.release();
      throw new CapabilityError(
        'InvalidArgument',
        `face-restoration model ${modelPath} must take one [1, 3, S, S] input, got ${JSON.stringify(shape)}`,
      );
    }
    return new FaceRestorer(session, side, modelPath);
  }

  /** Restores a face crop: resized to the model size, run, resized back; alpha kept as is. */
  async restore(image: PixelImage): Promise<PixelImage> {
    const side = this.size;
    const square = await resampleClassical(image, side, side, 'lanczos');
    const plane = side * side;
    const input = new Float32Array(plane * 3);
    for (let pixel = 0; pixel < plane; pixel++) {
      for (let channel = 0; channel < 3; channel++) {
        const sourceChannel = square.channels >= 3 ? channel : 0;
        input[channel * plane + pixel] =
          square.data[pixel * square.channels + sourceChannel]! / 127.5 - 1;
      }
    }
    const results = await this.session.run({
      [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, side, side]),
    });
    const output = results[this.session.outputNames[0]!];
    if (!output || output.data.length !== plane * 3) {
      throw new CapabilityError(
        'InvalidArgument',
        `face-restoration model ${this.modelName} returned an unexpected output`,
      );
    }
    const values = output.data as Float32Array;
    const restored = new Uint8Array(plane * square.channels);
    for (let pixel = 0; pixel < plane; pixel++) {
      for (let channel = 0; channel < square.channels; channel++) {
        const index = pixel * square.channels + channel;
        if (channel >= 3 || (square.channels <= 2 && channel === 1)) {
          restored[index] = square.data[index]!;
          continue;
        }
        const value = (values[Math.min(channel, 2) * plane + pixel]! + 1) * 127.5;
        restored[index] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
    return resampleClassical({ ...square, data: restored }, image.width, image.height, 'lanczos');
  }

  /** Releases the session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
