import { expect, test } from 'bun:test';
import { HandleTable } from '../src/capabilities/handle-table.ts';
import { narrowRestrictions, parseRestrictions } from '../src/capabilities/restrictions.ts';

test('dropSession forgets roots with children too (no record left per closed connection)', () => {
  const table = new HandleTable();
  for (let connection = 0; connection < 50; connection++) {
    const session = `s${connection}`;
    const root = table.issue(session, 'test', {});
    const child = table.issue(session, 'test', { maxCompute: 1 }, root);
    table.issue(session, 'test', { maxCompute: 0.5 }, child);
    table.dropSession(session);
  }
  expect(table.size).toBe(0);
});

test('a handle given to another session is revoked with its giver and goes when that one drops', () => {
  const table = new HandleTable();
  const root = table.issue('giver', 'test', {});
  const given = table.issue('receiver', 'test', {}, root);
  table.dropSession('giver');
  expect(given.revoked).toBe(true);
  table.dropSession('receiver');
  expect(table.size).toBe(0);
});

test('restriction objects have no prototype and refuse prototype keys', () => {
  for (const filter of [
    { max___proto__: 1 },
    { min_constructor: 1 },
    JSON.parse('{"bounds":{"__proto__":{"max":1}}}'),
    { bounds: { prototype: { max: 1 } } },
  ]) {
    expect(() => parseRestrictions(filter, 'test')).toThrow(/not allowed as a name/);
  }
  expect(({} as Record<string, unknown>).max).toBeUndefined();
  const parsed = parseRestrictions({ max_width: 64, bounds: { height: { min: 1 } } }, 'test');
  expect(Object.getPrototypeOf(parsed.bounds)).toBeNull();
  const narrowed = narrowRestrictions(parsed, { bounds: { width: { max: 32 } } }, true, 'test');
  expect(Object.getPrototypeOf(narrowed.bounds)).toBeNull();
  expect(narrowed.bounds?.width).toEqual({ max: 32 });
});
