import type { ImageValue } from './wire-values.ts';

/** The export format version `templates.export` writes (and `templates.import` migrates to). */
export const TEMPLATE_FORMAT_VERSION = 2;

/** Value of `kind` in every `.viwo-template.json` file. */
export const TEMPLATE_KIND = 'viwo-template';

/**
 * One script value a template exposes as an input. The template editor owns the shape; the
 * server stores it verbatim (objects only).
 */
export type ExposedParam = Record<string, unknown>;

/** A stored template. `version` counts saves: 1 when created, +1 on each overwrite. */
export interface Template {
  id: string;
  name: string;
  description: string;
  tags: string[];
  script: unknown;
  exposed: ExposedParam[];
  thumbnail: ImageValue | null;
  version: number;
  /** Milliseconds since the epoch. */
  created: number;
  /** Milliseconds since the epoch. */
  updated: number;
}

/** What `templates.save` accepts; with `id`, an existing template is overwritten. */
export interface TemplateInput {
  id?: string;
  name: string;
  description?: string;
  tags?: string[];
  script: unknown;
  exposed?: ExposedParam[];
  thumbnail?: ImageValue | null;
}

/** The `.viwo-template.json` object (core's `schemas/viwo-template.schema.json` describes it). */
export interface TemplateExport {
  version: typeof TEMPLATE_FORMAT_VERSION;
  kind: typeof TEMPLATE_KIND;
  name: string;
  description: string;
  tags: string[];
  script: unknown;
  exposed: ExposedParam[];
  thumbnail: ImageValue | null;
}
