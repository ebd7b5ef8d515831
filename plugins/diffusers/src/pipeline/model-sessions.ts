import type { InferenceSession } from 'onnxruntime-node';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import type { SessionCache } from '../models/session-cache.ts';
import { describeInputs, type InputSpec, requireInput } from './onnx-tensors.ts';

/** The text encoder with its detected I/O. */
export interface TextEncoderPart {
  session: InferenceSession;
  ids: InputSpec;
  hiddenOutput: string;
}

/** The UNet with its detected I/O; `extra` lists inputs beyond the three standard ones. */
export interface UnetPart {
  session: InferenceSession;
  sample: InputSpec;
  timestep: InputSpec;
  context: InputSpec;
  output: string;
  /** Channels `sample` expects (4; 9 for inpainting UNets). */
  inChannels: number;
  extra: InputSpec[];
}

/** A VAE half with its detected I/O. */
export interface VaePart {
  session: InferenceSession;
  input: InputSpec;
  output: string;
}

/**
 * Sessions of one model for the duration of a generation, with I/O names and dtypes detected from
 * the sessions themselves (exports differ). Acquired from the shared cache; `release` lets the
 * cache unload them again.
 */
export class ModelSessions {
  private readonly releases: (() => void)[] = [];
  private encoderPart: VaePart | undefined;

  private constructor(
    readonly info: DiffusersModelInfo,
    private readonly cache: SessionCache,
    readonly textEncoder: TextEncoderPart,
    readonly unet: UnetPart,
    readonly vaeDecoder: VaePart,
  ) {}

  /** Opens text encoder, UNet and VAE decoder of `info`. */
  static async open(info: DiffusersModelInfo, cache: SessionCache): Promise<ModelSessions> {
    const releases: (() => void)[] = [];
    const acquire = async (component: string) => {
      const handle = await cache.acquire(`${info.directory}/${component}/model.onnx`);
      releases.push(handle.release);
      return handle.session;
    };
    try {
      const textSession = await acquire('text_encoder');
      const textInputs = describeInputs(textSession);
      const textEncoder: TextEncoderPart = {
        session: textSession,
        ids: requireInput(textInputs, ['input_ids'], `model '${info.id}' text_encoder`),
        hiddenOutput: pickOutput(
          textSession,
          ['last_hidden_state'],
          `model '${info.id}' text_encoder`,
        ),
      };
      const unetSession = await acquire('unet');
      const unetInputs = describeInputs(unetSession);
      const what = `model '${info.id}' unet`;
      const sample = requireInput(unetInputs, ['sample'], what);
      const timestep = requireInput(unetInputs, ['timestep', 'timesteps'], what);
      const context = requireInput(unetInputs, ['encoder_hidden_states'], what);
      const channels = sample.shape[1];
      const unet: UnetPart = {
        session: unetSession,
        sample,
        timestep,
        context,
        output: pickOutput(unetSession, ['out_sample'], what),
        inChannels: typeof channels === 'number' ? channels : 4,
        extra: [...unetInputs.values()].filter(
          (spec) => ![sample.name, timestep.name, context.name].includes(spec.name),
        ),
      };
      const decoderSession = await acquire('vae_decoder');
      const vaeDecoder: VaePart = {
        session: decoderSession,
        input: requireInput(
          describeInputs(decoderSession),
          ['latent_sample'],
          `model '${info.id}' vae_decoder`,
        ),
        output: pickOutput(decoderSession, ['sample'], `model '${info.id}' vae_decoder`),
      };
      const sessions = new ModelSessions(info, cache, textEncoder, unet, vaeDecoder);
      sessions.releases.push(...releases);
      return sessions;
    } catch (error) {
      for (const release of releases) release();
      throw error;
    }
  }

  /** The VAE encoder (img2img, inpaint), opened on first use. */
  async vaeEncoder(): Promise<VaePart> {
    if (this.encoderPart) return this.encoderPart;
    if (!this.info.components.includes('vae_encoder')) {
      throw new Error(
        `model '${this.info.id}' has no vae_encoder/model.onnx, so it cannot take an input image`,
      );
    }
    const handle = await this.cache.acquire(`${this.info.directory}/vae_encoder/model.onnx`);
    this.releases.push(handle.release);
    const what = `model '${this.info.id}' vae_encoder`;
    this.encoderPart = {
      session: handle.session,
      input: requireInput(describeInputs(handle.session), ['sample'], what),
      output: pickOutput(
        handle.session,
        ['latent_sample', 'latent_parameters', 'latent_dist'],
        what,
      ),
    };
    return this.encoderPart;
  }

  /** Lets the cache unload these sessions again. */
  release(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

function pickOutput(session: InferenceSession, preferred: string[], what: string): string {
  for (const name of preferred) if (session.outputNames.includes(name)) return name;
  const first = session.outputNames[0];
  if (!first) throw new Error(`${what} has no outputs`);
  return first;
}
