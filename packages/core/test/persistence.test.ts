import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBunSqlite } from '../src/persistence/bun-sqlite.ts';
import { HistoryStore } from '../src/persistence/history-store.ts';
import { type JsonSchema, validateJsonSchema } from '../src/persistence/json-schema.ts';
import { coreMigrations, runMigrations } from '../src/persistence/migrations.ts';
import type { SqlDatabase } from '../src/persistence/sql-database.ts';
import { TemplateStore } from '../src/persistence/template-store.ts';

let dir: string;
let db: SqlDatabase;
const image = (n: number) => ({
  $image: String(n)
    .repeat(64)
    .slice(0, 64)
    .replace(/[^0-9a-f]/g, 'a'),
  width: 8,
  height: 8,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-db-'));
  db = openBunSqlite(join(dir, 'viwo.db'));
  runMigrations(db);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  test('run once, in order, recording schema_version', () => {
    const newest = coreMigrations[coreMigrations.length - 1]!.version;
    expect(runMigrations(db)).toBe(newest);
    const versions = db.all<{ version: number }>(
      'SELECT version FROM schema_version ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(coreMigrations.map((m) => m.version));
  });

  test('a failing migration rolls back and a newer database is refused', async () => {
    const other = openBunSqlite(join(dir, 'other.db'));
    const broken = [
      ...coreMigrations,
      {
        version: 99,
        description: 'broken',
        up: (d: SqlDatabase) => d.exec('CREATE TABLE x (a); SELEC nonsense'),
      },
    ];
    expect(() => runMigrations(other, broken)).toThrow();
    const newest = coreMigrations[coreMigrations.length - 1]!.version;
    expect(other.get<{ v: number }>('SELECT MAX(version) AS v FROM schema_version')?.v).toBe(
      newest,
    );
    expect(other.get('SELECT name FROM sqlite_master WHERE name = ?', ['x'])).toBeUndefined();
    other.run('INSERT INTO schema_version (version) VALUES (?)', [newest + 1]);
    expect(() => runMigrations(other)).toThrow(/newer than this program/);
    other.close();
  });
});

describe('HistoryStore', () => {
  test('begin → finish, list with query/type/paging, favorite, delete', () => {
    const history = new HistoryStore(db);
    history.begin({
      jobId: 'job_a',
      sessionId: 's',
      script: ['std.call_method', 'x', 'render', 'a red fox'],
    });
    history.finish('job_a', {
      status: 'done',
      params: [{ type: 'test', method: 'render', args: ['a red fox', { steps: 4 }] }],
      seeds: [42],
      images: [image(1)],
      result: image(1),
      logs: [{ level: 'info', message: 'hi' }],
      duration_ms: 12.6,
    });
    history.begin({ jobId: 'job_b', sessionId: 's', script: ['+', 1, 2], parentId: 'job_a' });
    history.finish('job_b', {
      status: 'error',
      params: [],
      seeds: [],
      images: [],
      logs: [],
      duration_ms: 1,
      error: { code: 'TypeError', message: 'bad' },
    });

    const a = history.get('job_a');
    expect(a).toMatchObject({
      job_id: 'job_a',
      status: 'done',
      seeds: [42],
      duration_ms: 13,
      favorite: false,
    });
    expect(a.images).toEqual([image(1)]);
    expect(history.get(a.id).job_id).toBe('job_a');
    expect(history.list().map((e) => e.job_id)).toEqual(['job_b', 'job_a']);
    expect(history.list({ query: 'red fox' }).map((e) => e.job_id)).toEqual(['job_a']);
    expect(history.list({ query: '100%_' })).toEqual([]);
    expect(history.list({ type: 'test' }).map((e) => e.job_id)).toEqual(['job_a']);
    expect(history.list({ type: 'tes' })).toEqual([]);
    expect(history.list({ limit: 1, offset: 1 }).map((e) => e.job_id)).toEqual(['job_a']);
    expect(() => history.list({ limit: -1 })).toThrow(/limit must be between/);
    expect(history.get('job_b')).toMatchObject({
      parent_id: 'job_a',
      error: { code: 'TypeError' },
    });
    expect(history.favorite('job_a', true).favorite).toBe(true);
    expect(history.list({ favorite: true }).map((e) => e.job_id)).toEqual(['job_a']);
    expect(history.referencedImages().has(image(1).$image)).toBe(true);
    expect(history.delete('job_b')).toBe(true);
    expect(history.delete('job_b')).toBe(false);
    expect(() => history.get('job_b')).toThrow(/does not exist/);
    expect(() => history.favorite('nope', true)).toThrow(/does not exist/);
    expect(() => history.favorite('job_a', 'yes' as unknown as boolean)).toThrow(
      /must be true or false/,
    );
  });

  test('jobs left queued or running are marked interrupted', () => {
    const history = new HistoryStore(db);
    history.begin({ jobId: 'job_c', sessionId: 's', script: 1 });
    history.begin({ jobId: 'job_d', sessionId: 's', script: 1 });
    history.setStatus('job_d', 'running');
    expect(history.markInterrupted()).toHaveLength(2);
    expect(history.get('job_c').status).toBe('interrupted');
    expect(history.get('job_d').status).toBe('interrupted');
  });

  test('markInterrupted returns what to run again: script, owner and who started it', () => {
    const history = new HistoryStore(db);
    history.begin({ jobId: 'job_direct', sessionId: 's', script: ['std.seq', 1], owner: 'u1' });
    history.begin({ jobId: 'job_queued', sessionId: 's', script: 2, source: 'queue' });
    expect(history.markInterrupted()).toEqual([
      {
        id: expect.any(String),
        jobId: 'job_direct',
        script: ['std.seq', 1],
        owner: 'u1',
        source: null,
      },
      { id: expect.any(String), jobId: 'job_queued', script: 2, owner: null, source: 'queue' },
    ]);
    // Marked once: a second look finds nothing left to run again.
    expect(history.markInterrupted()).toEqual([]);
  });

  test('an interrupted row gets params, seeds and types read from its script', () => {
    const history = new HistoryStore(db);
    const script = [
      'std.seq',
      ['std.let', 'gen', ['get_capability', 'diffusers.generate']],
      [
        'std.call_method',
        ['std.var', 'gen'],
        'textToImage',
        'an interrupted heron',
        { seed: 41, batch_size: 2 },
      ],
    ];
    history.begin({ jobId: 'job_heron', sessionId: 's', script, status: 'running' });
    history.begin({ jobId: 'job_done', sessionId: 's', script: ['std.seq', script] });
    history.finish('job_done', {
      status: 'done',
      params: [],
      seeds: [],
      images: [],
      logs: [],
      duration_ms: 1,
    });
    expect(history.markInterrupted()).toHaveLength(1);
    expect(history.get('job_heron')).toMatchObject({
      status: 'interrupted',
      params: [
        {
          type: 'diffusers.generate',
          method: 'textToImage',
          args: ['an interrupted heron', { seed: 41, batch_size: 2 }],
        },
      ],
      seeds: [41, 42],
    });
    // A finished row keeps what its job recorded, even when that was nothing.
    expect(history.get('job_done')).toMatchObject({ status: 'done', params: [], seeds: [] });
    expect(history.list({ type: 'diffusers.generate' }).map((e) => e.job_id)).toEqual([
      'job_heron',
    ]);
  });
});

describe('TemplateStore', () => {
  test('save, overwrite (version bump), list with query, get, delete', () => {
    const templates = new TemplateStore(db);
    const saved = templates.save({ name: 'Upscale 4x', tags: ['upscale'], script: ['+', 1, 2] });
    expect(saved).toMatchObject({
      name: 'Upscale 4x',
      description: '',
      version: 1,
      exposed: [],
      thumbnail: null,
    });
    const updated = templates.save({
      id: saved.id,
      name: 'Upscale 4x!',
      script: ['+', 1, 3],
      description: 'fast',
    });
    expect(updated).toMatchObject({
      id: saved.id,
      version: 2,
      description: 'fast',
      created: saved.created,
    });
    templates.save({ name: 'Portrait', tags: ['people'], script: 1 });
    expect(templates.list({ query: 'people' }).map((t) => t.name)).toEqual(['Portrait']);
    expect(templates.list().length).toBeGreaterThanOrEqual(2);
    expect(() => templates.save({ id: 'missing', name: 'x', script: 1 })).toThrow(/does not exist/);
    expect(templates.delete(saved.id)).toBe(true);
    expect(() => templates.get(saved.id)).toThrow(/does not exist/);
  });

  test('invalid saves and imports are rejected and leave the store unchanged', () => {
    const templates = new TemplateStore(db);
    const before = templates.list().length;
    expect(() => templates.save({ name: '', script: 1 })).toThrow(/\/name must have at least 1/);
    expect(() => templates.save({ name: 'x', script: 1, tags: [3 as unknown as string] })).toThrow(
      /\/tags\/0 must be string/,
    );
    expect(() => templates.import({ version: 2, kind: 'viwo-template', name: 'x' })).toThrow(
      /missing required "script"/,
    );
    expect(() =>
      templates.import({ version: 2, kind: 'viwo-template', name: 'x', script: 1, extra: 1 }),
    ).toThrow(/unknown property "extra"/);
    expect(() => templates.import({ version: 9, name: 'x', script: 1 })).toThrow(
      /version 9 is not supported/,
    );
    expect(() => templates.import('nope')).toThrow(/must be a .viwo-template.json object/);
    expect(templates.list().length).toBe(before);
  });

  test('export → import round-trips with a new id; version 1 files are migrated', () => {
    const templates = new TemplateStore(db);
    const original = templates.save({
      name: 'Fox',
      description: 'd',
      tags: ['a', 'b'],
      script: ['std.seq', 1],
      exposed: [{ name: 'prompt', path: [1] }],
      thumbnail: image(2),
    });
    const exported = templates.export(original.id);
    expect(exported).toMatchObject({
      version: 2,
      kind: 'viwo-template',
      name: 'Fox',
      tags: ['a', 'b'],
    });
    const copy = templates.import(JSON.parse(JSON.stringify(exported)));
    expect(copy.id).not.toBe(original.id);
    expect({ ...copy, id: 0, created: 0, updated: 0 }).toEqual({
      ...original,
      id: 0,
      created: 0,
      updated: 0,
    });
    const migrated = templates.import({
      version: 1,
      name: 'Old',
      tags: 'x, y ,',
      script: 5,
      inputs: [{ name: 'n' }],
    });
    expect(migrated).toMatchObject({
      name: 'Old',
      tags: ['x', 'y'],
      exposed: [{ name: 'n' }],
      script: 5,
    });
    expect(templates.referencedImages().has(image(2).$image)).toBe(true);
  });

  test('the shipped JSON Schema file validates an export', async () => {
    const schema = JSON.parse(
      await readFile(join(import.meta.dir, '..', 'schemas', 'viwo-template.schema.json'), 'utf8'),
    ) as JsonSchema;
    const good = {
      version: 2,
      kind: 'viwo-template',
      name: 'n',
      script: ['+', 1, 2],
      thumbnail: null,
    };
    expect(validateJsonSchema(schema, good)).toEqual([]);
    expect(
      validateJsonSchema(schema, { ...good, thumbnail: { $image: 'x', width: 1, height: 1 } }),
    ).toEqual([{ path: '/thumbnail', message: 'does not match any allowed shape' }]);
  });
});
