/**
 * Templates shipped with the app (`apps/imagegen/templates/*.viwo-template.json`). They are shown
 * in the list next to the stored ones and marked built-in; loading one never touches the server's
 * store, and saving it stores an ordinary copy.
 */

import type { TemplateExport } from '@viwo/protocol';

/** A shipped `.viwo-template.json` file: an export whose thumbnail is optional (as the schema). */
type ShippedTemplate = Omit<TemplateExport, 'thumbnail'> &
  Partial<Pick<TemplateExport, 'thumbnail'>>;

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
import type { TemplateRecord } from '../rpc/templates-api.ts';

/** A shipped export file as a list entry (never stored server-side, so no times). */
function builtin(id: string, file: ShippedTemplate): TemplateRecord {
  return {
    id: `builtin:${id}`,
    name: file.name,
    description: file.description,
    tags: file.tags,
    script: file.script,
    exposed: file.exposed,
    thumbnail: file.thumbnail ?? null,
    version: file.version,
    created: 0,
    updated: 0,
    builtin: true,
  };
}

/** The built-in templates, in the order the list shows them. */
export const BUILTIN_TEMPLATES: readonly TemplateRecord[] = [
  builtin('upscale-x4', upscaleX4 as ShippedTemplate),
  builtin('txt2img-upscale', txt2imgUpscale as ShippedTemplate),
  builtin('inpaint-upscale', inpaintUpscale as ShippedTemplate),
  builtin('seed-variations', seedVariations as ShippedTemplate),
];
