import { tinySdxlModelFiles } from './sdxl-tiny-model.ts';
import { tinyControlnetModelFiles } from './tiny-controlnet-model.ts';
import { TINY_INPAINT_MODEL_ID, tinyInpaintModelFiles } from './tiny-inpaint-model.ts';
import type { TinyModelBuilder } from './tiny-model-files.ts';
import { tinySdModelFiles } from './tiny-sd-model.ts';

/**
 * Every tiny test layout a fresh data dir installs, in install order. An explicit list (rather
 * than layouts registering themselves when their module happens to be imported), so what gets
 * installed never depends on import order; the default test model is `TINY_SD_MODEL_IDS[0]`.
 */
export const TINY_MODELS: readonly TinyModelBuilder[] = [
  { id: 'tiny-sd15', label: 'Tiny SD 1.x test model', build: () => tinySdModelFiles('sd15') },
  {
    id: 'tiny-sd2',
    label: 'Tiny SD 2.x v-prediction test model',
    build: () => tinySdModelFiles('sd2'),
  },
  {
    id: 'tiny-sd-turbo',
    label: 'Tiny SD-Turbo test model',
    build: () => tinySdModelFiles('sd-turbo'),
  },
  {
    id: 'tiny-sdxl-turbo',
    label: 'Tiny SDXL-Turbo test model',
    build: () => tinySdxlModelFiles(true),
  },
  {
    id: 'tiny-sd15-controlnet',
    label: 'Tiny SD 1.x + ControlNet test model',
    build: tinyControlnetModelFiles,
  },
  {
    id: TINY_INPAINT_MODEL_ID,
    label: 'Tiny SD 1.x inpainting test model',
    build: tinyInpaintModelFiles,
  },
];
