import { randomUUID } from 'node:crypto';
import {
  TEMPLATE_FORMAT_VERSION,
  TEMPLATE_KIND,
  type Template,
  type TemplateExport,
  type TemplateInput,
} from '@viwo/protocol';
import templateSchema from '../../schemas/viwo-template.schema.json' with { type: 'json' };
import { coreError } from '../errors.ts';
import { collectImageHashes } from '../images/collect-image-hashes.ts';
import { type AccessScope, EVERYONE, ownerCondition } from './access-scope.ts';
import { clampInteger, escapeLike } from './history-store.ts';
import { type JsonSchema, validateJsonSchema } from './json-schema.ts';
import type { SqlDatabase, SqlValue } from './sql-database.ts';

export {
  TEMPLATE_FORMAT_VERSION,
  type Template,
  type TemplateExport,
  type TemplateInput,
} from '@viwo/protocol';

interface TemplateRow {
  id: string;
  name: string;
  description: string;
  tags: string;
  script: string;
  exposed: string;
  thumbnail: string | null;
  version: number;
  created: number;
  updated: number;
}

const schema = templateSchema as JsonSchema;

/** Largest template stored: script plus exposed inputs, as JSON (a script's own limit is 1 MiB). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024 + 64 * 1024;

/** Most template bytes one `templates.list` answer carries; the page ends early past it. */
export const TEMPLATE_LIST_BUDGET_BYTES = 8 * 1024 * 1024;

/** SQL size of a row as listed (what its JSON costs in a reply, near enough). */
const ROW_BYTES =
  'length(script) + length(exposed) + length(description) + length(tags) + length(name)';

/**
 * Templates in SQLite. Every write validates against the export schema first, so a rejected save
 * or import leaves the store exactly as it was.
 */
export class TemplateStore {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Creates a template owned by `scope`'s owner, or overwrites the one named by `input.id`
   * (bumping its version) if it is visible in `scope`.
   */
  save(input: TemplateInput, scope: AccessScope = EVERYONE): Template {
    if (typeof input !== 'object' || input === null) {
      throw coreError('InvalidArgument', 'template must be an object');
    }
    const exported = this.toExportShape(input);
    assertValid(exported, 'template');
    const bytes =
      (JSON.stringify(exported.script)?.length ?? 0) + JSON.stringify(exported.exposed).length;
    if (bytes > MAX_TEMPLATE_BYTES) {
      throw coreError(
        'InvalidArgument',
        `template is ${bytes} bytes of script and inputs; the limit is ${MAX_TEMPLATE_BYTES}`,
      );
    }
    const now = Date.now();
    const owned = ownerCondition(scope);
    return this.db.transaction(() => {
      const existing =
        input.id === undefined
          ? undefined
          : this.db.get<TemplateRow>(`SELECT * FROM templates WHERE id = ? AND ${owned.sql}`, [
              input.id,
              ...owned.params,
            ]);
      if (input.id !== undefined && !existing) {
        throw coreError('NotFound', `template ${input.id} does not exist (omit id to create one)`);
      }
      const id = existing?.id ?? randomUUID();
      const values: SqlValue[] = [
        exported.name,
        exported.description,
        JSON.stringify(exported.tags),
        JSON.stringify(exported.script),
        JSON.stringify(exported.exposed),
        exported.thumbnail ? JSON.stringify(exported.thumbnail) : null,
      ];
      if (existing) {
        this.db.run(
          `UPDATE templates SET name = ?, description = ?, tags = ?, script = ?, exposed = ?,
             thumbnail = ?, version = version + 1, updated = ? WHERE id = ?`,
          [...values, Math.max(now, existing.updated), id],
        );
      } else {
        this.db.run(
          `INSERT INTO templates (name, description, tags, script, exposed, thumbnail, id, version,
             created, updated, owner) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
          [...values, id, now, now, scope.owner],
        );
      }
      return this.get(id);
    });
  }

  /**
   * Templates visible in `scope` whose name, description or tags contain `query`, most recently
   * updated first. Sizes
   * are read before rows: a page ends early once {@link TEMPLATE_LIST_BUDGET_BYTES} is spent, and
   * a stored template over {@link MAX_TEMPLATE_BYTES} (saved before the limit existed) is listed
   * with its script replaced by an `$omitted` marker — so a few huge rows can never make the list
   * (which the client asks for whenever the Templates drawer opens) too large to answer.
   */
  list(
    query: { query?: string; limit?: number; offset?: number } = {},
    scope: AccessScope = EVERYONE,
  ): Template[] {
    const limit = clampInteger(query.limit, 200, 1, 10000, 'limit');
    const offset = clampInteger(query.offset, 0, 0, Number.MAX_SAFE_INTEGER, 'offset');
    const owned = ownerCondition(scope);
    const where = query.query
      ? `WHERE (name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\') AND ${owned.sql}`
      : `WHERE ${owned.sql}`;
    const pattern = query.query ? `%${escapeLike(query.query)}%` : '';
    const filter: SqlValue[] = query.query
      ? [pattern, pattern, pattern, ...owned.params]
      : [...owned.params];
    const sizes = this.db.all<{ id: string; bytes: number }>(
      `SELECT id, ${ROW_BYTES} AS bytes FROM templates ${where}
         ORDER BY updated DESC, rowid DESC LIMIT ? OFFSET ?`,
      [...filter, limit, offset],
    );
    return listWithinBudget(sizes, (id, oversized) => this.listedRow(id, oversized));
  }

  private listedRow(id: string, oversized: boolean): Template | undefined {
    if (!oversized) {
      const row = this.db.get<TemplateRow>('SELECT * FROM templates WHERE id = ?', [id]);
      return row && toTemplate(row);
    }
    const row = this.db.get<Omit<TemplateRow, 'script' | 'exposed'> & { bytes: number }>(
      `SELECT id, name, description, tags, thumbnail, version, created, updated,
         ${ROW_BYTES} AS bytes FROM templates WHERE id = ?`,
      [id],
    );
    if (!row) return undefined;
    return toTemplate({
      ...row,
      script: JSON.stringify({
        $omitted: `this template is ${row.bytes} bytes, over the ${MAX_TEMPLATE_BYTES}-byte limit; delete it or save a smaller one`,
        bytes: row.bytes,
      }),
      exposed: '[]',
    });
  }

  /** One template visible in `scope`; the same NotFound error otherwise. */
  get(id: string, scope: AccessScope = EVERYONE): Template {
    const owned = ownerCondition(scope);
    const row = this.db.get<TemplateRow>(`SELECT * FROM templates WHERE id = ? AND ${owned.sql}`, [
      String(id),
      ...owned.params,
    ]);
    if (!row) throw coreError('NotFound', `template ${id} does not exist`);
    return toTemplate(row);
  }

  /** Deletes a template visible in `scope`; returns whether it existed there. */
  delete(id: string, scope: AccessScope = EVERYONE): boolean {
    const owned = ownerCondition(scope);
    return (
      this.db.run(`DELETE FROM templates WHERE id = ? AND ${owned.sql}`, [
        String(id),
        ...owned.params,
      ]).changes > 0
    );
  }

  /** The portable `.viwo-template.json` object of a stored template visible in `scope`. */
  export(id: string, scope: AccessScope = EVERYONE): TemplateExport {
    return this.toExportShape(this.get(id, scope));
  }

  /**
   * Stores an exported template under a new id. Older format versions are migrated first; anything
   * that still fails the schema is rejected with every violation listed, and nothing is stored.
   */
  import(document: unknown, scope: AccessScope = EVERYONE): Template {
    const migrated = migrateTemplateExport(document);
    assertValid(migrated, 'imported template');
    const { name, description, tags, script, exposed, thumbnail } = migrated as TemplateExport;
    return this.save({ name, description, tags, script, exposed, thumbnail }, scope);
  }

  /** Every image hash a template references (thumbnails and images inside scripts). */
  referencedImages(): Set<string> {
    const hashes = new Set<string>();
    for (const row of this.db.all<{ script: string; thumbnail: string | null }>(
      'SELECT script, thumbnail FROM templates',
    )) {
      collectImageHashes(JSON.parse(row.script), hashes);
      if (row.thumbnail) collectImageHashes(JSON.parse(row.thumbnail), hashes);
    }
    return hashes;
  }

  private toExportShape(input: TemplateInput | Template): TemplateExport {
    return {
      version: TEMPLATE_FORMAT_VERSION,
      kind: TEMPLATE_KIND,
      name: input.name,
      description: input.description ?? '',
      tags: input.tags ?? [],
      script: input.script,
      exposed: input.exposed ?? [],
      thumbnail: input.thumbnail ?? null,
    };
  }
}

/**
 * Brings an exported template of any known format version to the current one.
 * Version 1 (the first client release) had `inputs` instead of `exposed`, tags as one
 * comma-separated string, and no `kind`.
 */
export function migrateTemplateExport(document: unknown): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw coreError('InvalidArgument', 'template import must be a .viwo-template.json object');
  }
  const record = document as Record<string, unknown>;
  if (record.version === 1) {
    const { inputs, tags, version: _version, ...rest } = record;
    return {
      ...rest,
      version: 2,
      kind: 'viwo-template',
      tags:
        typeof tags === 'string'
          ? tags
              .split(',')
              .map((tag) => tag.trim())
              .filter((tag) => tag.length > 0)
          : tags,
      ...(inputs === undefined ? {} : { exposed: inputs }),
    };
  }
  if (record.version !== TEMPLATE_FORMAT_VERSION) {
    throw coreError(
      'InvalidArgument',
      `template format version ${JSON.stringify(record.version)} is not supported (known: 1, ${TEMPLATE_FORMAT_VERSION})`,
    );
  }
  return record;
}

function assertValid(value: unknown, what: string): void {
  const violations = validateJsonSchema(schema, value);
  if (violations.length > 0) {
    const detail = violations.map((v) => `${v.path} ${v.message}`).join('; ');
    throw coreError('InvalidArgument', `${what} is invalid: ${detail}`);
  }
}

/** Rows in order until the list budget is spent; oversized rows cost only their marker. */
function listWithinBudget(
  sizes: { id: string; bytes: number }[],
  load: (id: string, oversized: boolean) => Template | undefined,
): Template[] {
  const listed: Template[] = [];
  let spent = 0;
  for (const { id, bytes } of sizes) {
    const oversized = bytes > MAX_TEMPLATE_BYTES;
    const cost = oversized ? 1024 : bytes;
    if (listed.length > 0 && spent + cost > TEMPLATE_LIST_BUDGET_BYTES) break;
    const template = load(id, oversized);
    if (!template) continue;
    spent += cost;
    listed.push(template);
  }
  return listed;
}

function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags),
    script: JSON.parse(row.script),
    exposed: JSON.parse(row.exposed),
    thumbnail: row.thumbnail ? JSON.parse(row.thumbnail) : null,
    version: row.version,
    created: row.created,
    updated: row.updated,
  };
}
