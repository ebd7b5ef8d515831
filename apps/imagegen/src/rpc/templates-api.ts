import {
  type ImageValue,
  TEMPLATE_FORMAT_VERSION,
  TEMPLATE_KIND,
  type Template,
  type TemplateExport,
  type TemplateInput,
} from '@viwo/protocol';
import type { RpcLike } from './rpc-client.ts';

/** A template as the panel lists it: a stored one, or one shipped with the app (`builtin`). */
export type TemplateRecord = Template & { builtin?: true };

/** The `templates.*` methods, typed from the protocol. */
export interface TemplatesApi {
  list(query?: string): Promise<Template[]>;
  get(id: string): Promise<Template>;
  /** Creates a template, or overwrites the one named by `input.id`. */
  save(input: TemplateInput): Promise<Template>;
  /** Whether a template was deleted. */
  remove(id: string): Promise<boolean>;
  /** The `.viwo-template.json` object of a stored template. */
  exportFile(id: string): Promise<TemplateExport>;
  /** Stores an exported object (any known format version) under a new id. */
  importFile(document: unknown): Promise<Template>;
}

/** The templates API over a connection. */
export function templatesApi(rpc: RpcLike): TemplatesApi {
  return {
    list: (query) => rpc.call('templates.list', query ? { query } : {}),
    get: (id) => rpc.call('templates.get', { id }),
    save: (input) => rpc.call('templates.save', input),
    remove: async (id) => (await rpc.call('templates.delete', { id })).ok,
    exportFile: (id) => rpc.call('templates.export', { id }),
    importFile: (document) => rpc.call('templates.import', { template: document }),
  };
}

/** A template's portable export object, built locally (for built-in templates). */
export function templateExportOf(template: TemplateRecord): TemplateExport {
  return {
    version: TEMPLATE_FORMAT_VERSION,
    kind: TEMPLATE_KIND,
    name: template.name,
    description: template.description,
    tags: template.tags,
    script: template.script,
    exposed: template.exposed,
    thumbnail: template.thumbnail,
  };
}

/** What `templates.save` needs to overwrite `template` with a new name (thumbnail kept). */
export function renamedTemplate(template: Template, name: string): TemplateInput {
  const thumbnail: ImageValue | null = template.thumbnail;
  return {
    id: template.id,
    name,
    description: template.description,
    tags: template.tags,
    script: template.script,
    exposed: template.exposed,
    thumbnail,
  };
}
