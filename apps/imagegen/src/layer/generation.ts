import type { CanvasState } from '@viwo/canvas';
import { cropSurface, hasContent, maskSurface, uploadSurface } from './canvas-uploads.ts';
import type { GenerateRequest } from './generate-panel.tsx';
import { regionOptions } from './region-options.ts';

/** A prepared generation: the script to run and, per result, the expression that recreates it. */
export interface GenerationPlan {
  kind: 'place' | 'show';
  script: unknown;
  /** One expression per expected result image (what gets recorded into the canvas script). */
  expressions: unknown[];
  x: number;
  y: number;
}

const capability = (type: string) => ['get_capability', type];

/**
 * Turns a request into scripts, choosing the method from what the canvas holds the way InvokeAI's
 * canvas does: a painted mask → inpaint; painted raster content in the bbox → image-to-image;
 * otherwise text-to-image. Inputs come from the browser's own composite (uploaded), so the
 * recorded expression is self-contained and reproducible headless.
 */
export async function planGeneration(
  request: GenerateRequest,
  state: CanvasState,
  available: (type: string) => boolean,
): Promise<GenerationPlan> {
  const box = state.bbox;
  const x = Math.round(box.x);
  const y = Math.round(box.y);
  const width = Math.max(64, Math.round(box.width));
  const height = Math.max(64, Math.round(box.height));
  const composite = state.composite();
  const region = cropSurface(composite, x, y, width, height);
  const mask = maskSurface(state, x, y, width, height);
  const maskPainted = mask.data.some((value, index) => index % 4 === 0 && value > 0);
  const rasterPainted = state.layers.some(
    (layer) =>
      layer.type === 'raster' &&
      layer.visible &&
      hasContent(cropSurface(layer.surface, x, y, width, height)),
  );
  const controls = state.layers.filter(
    (layer) =>
      layer.type === 'control' &&
      layer.visible &&
      hasContent(cropSurface(layer.surface, x, y, width, height)),
  );
  let mode = request.mode;
  if (mode === 'auto') {
    if (maskPainted && available('diffusers.inpaint')) mode = 'inpaint';
    else if (controls.length > 0 && available('controlnet.generate')) mode = 'controlnet';
    else mode = rasterPainted ? 'img2img' : 'txt2img';
  }
  const { width: _w, height: _h, ...sizeless } = request.options;
  if (mode === 'outpaint') {
    // The larger image cannot replace a fixed-size canvas: it is shown as a result to download.
    const image = await uploadSurface(composite);
    const { direction, pixels } = request.outpaint;
    const seed = Number(request.options.seed ?? 0);
    return {
      kind: 'show',
      script: [
        'std.call_method',
        capability('diffusers.inpaint'),
        'outpaint',
        image,
        direction,
        pixels,
        request.prompt,
        { ...sizeless, seed },
      ],
      expressions: [null],
      x: 0,
      y: 0,
    };
  }
  if (mode === 'upscale') {
    const image = await uploadSurface(composite);
    return {
      kind: 'show',
      script: ['std.call_method', capability('upscale'), 'upscale', image, { factor: 2 }],
      expressions: [null],
      x: 0,
      y: 0,
    };
  }
  // Region layers steer their painted parts with their own prompts (diffusers methods only).
  const regions = mode === 'controlnet' ? {} : await regionOptions(state, x, y, width, height);
  let single: (seed: unknown) => unknown;
  if (mode === 'txt2img') {
    single = (seed) => [
      'std.call_method',
      capability('diffusers.generate'),
      'textToImage',
      request.prompt,
      { ...sizeless, ...regions, width, height, seed },
    ];
  } else if (mode === 'img2img') {
    const image = await uploadSurface(region);
    single = (seed) => [
      'std.call_method',
      capability('diffusers.generate'),
      'imageToImage',
      image,
      request.prompt,
      { ...sizeless, ...regions, seed },
    ];
  } else if (mode === 'controlnet') {
    if (controls.length === 0)
      throw new Error('ControlNet needs a control layer with something drawn in the bounding box');
    // Each control layer is one control: its pixels, its control type, its opacity as strength.
    const uploads = await Promise.all(
      controls.map((layer) => uploadSurface(cropSurface(layer.surface, x, y, width, height))),
    );
    const [first, ...rest] = controls.map((layer, index) => ({
      image: uploads[index]!,
      type: layer.controlType ?? 'canny',
      strength: layer.opacity,
    }));
    single = (seed) => [
      'std.call_method',
      capability('controlnet.generate'),
      'apply',
      first!.image,
      request.prompt,
      first!.type,
      first!.strength,
      // Control layers already hold control images (drawn or preprocessed): no second pass.
      {
        ...sizeless,
        width,
        height,
        seed,
        preprocess: false,
        ...(rest.length > 0 ? { controls: rest } : {}),
      },
    ];
  } else {
    const [image, maskImage] = await Promise.all([uploadSurface(region), uploadSurface(mask)]);
    single = (seed) => [
      'std.call_method',
      capability('diffusers.inpaint'),
      'inpaint',
      image,
      maskImage,
      request.prompt,
      { ...sizeless, ...regions, seed },
    ];
  }
  const baseSeed = Number(request.options.seed ?? 0);
  const seeds = Array.from({ length: request.batch }, (_, index) => baseSeed + index);
  const expressions = seeds.map((seed) => single(seed));
  const script = request.batch === 1 ? expressions[0] : ['list.new', ...expressions];
  return { kind: 'place', script, expressions, x, y };
}
