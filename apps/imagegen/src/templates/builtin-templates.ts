/**
 * Templates shipped with the app (`apps/imagegen/templates/*.viwo-template.json`). They are shown
 * in the list next to the stored ones and marked built-in; loading one never touches the server's
 * store, and saving it stores an ordinary copy.
 */
import inpaintUpscale from '../../templates/inpaint-upscale.viwo-template.json' with {
  type: 'json',
};
import seedVariations from '../../templates/seed-variations.viwo-template.json' with {
  type: 'json',
};
import txt2imgUpscale from '../../templates/txt2img-upscale.viwo-template.json' with {
  type: 'json',
};
import upscaleX4 from '../../templates/upscale-x4.viwo-template.json' with { type: 'json' };
import type { ExposedParam, TemplateRecord } from './template-file.ts';

interface TemplateExport {
  version: number;
  name: string;
  description: string;
  tags: string[];
  script: unknown;
  exposed: ExposedParam[];
}

function builtin(id: string, file: TemplateExport): TemplateRecord {
  return {
    id: `builtin:${id}`,
    name: file.name,
    description: file.description,
    tags: file.tags,
    script: file.script,
    exposed: file.exposed,
    version: file.version,
    builtin: true,
  };
}

/** The built-in templates, in the order the list shows them. */
export const BUILTIN_TEMPLATES: readonly TemplateRecord[] = [
  builtin('upscale-x4', upscaleX4 as TemplateExport),
  builtin('txt2img-upscale', txt2imgUpscale as TemplateExport),
  builtin('inpaint-upscale', inpaintUpscale as TemplateExport),
  builtin('seed-variations', seedVariations as TemplateExport),
];
