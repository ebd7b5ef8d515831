import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapabilityHandle } from '../src/capabilities/handle-table.ts';
import type { GrantPolicy } from '../src/principal.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createTestPlugin } from '../src/testing/test-plugin.ts';

let dir: string;
let runtime: Runtime;

/** Local users get everything; `guest` gets render only, bounded; `nobody` gets nothing. */
const policy: GrantPolicy = (principal) => {
  if (principal.local) return true;
  if (principal.id === 'guest') return { methods: ['render'], bounds: { width: { max: 64 } } };
  return false;
};

async function rejection(
  promise: Promise<unknown> | (() => unknown),
): Promise<{ code: string; message: string }> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-authority-'));
  runtime = await createRuntime({ dataDir: dir, plugins: [createTestPlugin()], policy });
});
afterAll(async () => {
  await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('object capabilities', () => {
  test('handles are unguessable and valid only in their session', async () => {
    const alice = runtime.openSession('alice');
    const bob = runtime.openSession('bob');
    const handle = alice.getCapability('test');
    expect(handle.type).toBe('test');
    expect(handle.$cap).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(alice.getCapability('test')).toEqual(handle);
    const stolen = await rejection(bob.callMethod(handle, 'echo', ['hi']));
    expect(stolen.code).toBe('CapabilityDenied');
    const forged = await rejection(
      alice.callMethod({ $cap: 'x'.repeat(22), type: 'test' }, 'echo', ['hi']),
    );
    expect(forged.code).toBe('CapabilityDenied');
    expect(await alice.callMethod(handle, 'echo', ['hi', { repeat: 2 }])).toBe('hihi');
  });

  test('the grant policy decides; denial and unknown types are clear errors', async () => {
    const nobody = runtime.openSession({ id: 'nobody' });
    expect((await rejection(() => nobody.getCapability('test'))).code).toBe('CapabilityDenied');
    expect((await rejection(nobody.executeScript(['get_capability', 'test']))).code).toBe(
      'CapabilityDenied',
    );
    const unknown = await rejection(() => nobody.getCapability('nope'));
    expect(unknown.message).toContain('available: test');
    const guest = runtime.openSession({ id: 'guest' });
    const handle = guest.getCapability('test');
    expect((await rejection(guest.callMethod(handle, 'echo', ['x']))).message).toContain(
      'only allows render',
    );
    const wide = await rejection(guest.callMethod(handle, 'render', ['p', { width: 65 }]));
    expect(wide).toMatchObject({ code: 'CapabilityDenied' });
    expect(wide.message).toContain('max 64');
    expect(
      await guest.callMethod(handle, 'render', ['p', { width: 64, height: 1, steps: 1 }]),
    ).toMatchObject({ width: 64 });
  });

  test('delegate only narrows; mint attenuates methods, bounds and compute', async () => {
    const alice = runtime.openSession('alice');
    const root = alice.getCapability('test');
    const narrow = alice.delegate(root, { methods: ['render'], max_steps: 2 });
    expect((await rejection(alice.callMethod(narrow, 'echo', ['x']))).code).toBe(
      'CapabilityDenied',
    );
    expect(
      (await rejection(alice.callMethod(narrow, 'render', ['p', { steps: 3 }]))).message,
    ).toContain('max 2');
    // Defaults count: render's default of 4 steps is above this handle's bound.
    expect((await rejection(alice.callMethod(narrow, 'render', ['p']))).message).toContain(
      'options.steps 4',
    );
    const wider = await rejection(() => alice.delegate(narrow, { methods: ['render', 'echo'] }));
    expect(wider.message).toContain('cannot widen methods: echo');
    expect((await rejection(() => alice.delegate(narrow, { max_steps: 3 }))).message).toContain(
      'cannot widen steps max',
    );
    expect((await rejection(() => alice.delegate(narrow, { colour: 1 }))).message).toContain(
      'unknown restriction "colour"',
    );

    const minted = alice.mint(narrow, 'test', { methods: ['render', 'echo'], maxCompute: 0.001 });
    expect((await rejection(alice.callMethod(minted, 'echo', ['x']))).code).toBe(
      'CapabilityDenied',
    );
    await alice.callMethod(minted, 'render', ['p', { steps: 2 }]);
    const over = await rejection(
      alice.callMethod(minted, 'render', ['p', { steps: 2, width: 32, height: 32 }]),
    );
    expect(over.code).toBe('BudgetExceeded');
    expect(over.message).toContain(
      `would cost 0.002048 megapixel-steps, but the capability has 0.000488 of 0.001 left`,
    );
    expect((await rejection(() => alice.mint(narrow, 'other', {}))).message).toContain(
      'cannot mint other',
    );
    const perCall = await rejection(
      alice.callMethod(root, 'render', ['p', { steps: 10, max_compute: 0.001 }]),
    );
    expect(perCall).toMatchObject({ code: 'BudgetExceeded' });
    expect(perCall.message).toContain('over max_compute 0.001');
  });

  test('revoke stops the handle and everything derived from it, aborting calls in flight', async () => {
    const alice = runtime.openSession('alice');
    const root = alice.getCapability('test');
    const parent = alice.delegate(root, {});
    const child = alice.delegate(parent, { methods: ['render', 'echo'] });
    const inflight = rejection(
      alice.callMethod(child, 'render', ['p', { steps: 1000, delay_ms: 5 }]),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alice.revoke(parent)).toBe(2);
    expect((await inflight).code).toBe('Revoked');
    expect((await rejection(alice.callMethod(child, 'echo', ['x']))).code).toBe('Revoked');
    expect(await alice.callMethod(root, 'echo', ['still'])).toBe('still');
  });

  test('give_capability and has_capability across sessions; revoking the original revokes the gift', async () => {
    const alice = runtime.openSession('alice');
    const nobody = runtime.openSession({ id: 'nobody' });
    expect(alice.hasCapability(nobody.id, 'test')).toBe(false);
    const handle = alice.delegate(alice.getCapability('test'), { methods: ['echo'] });
    expect(alice.giveCapability(handle, 'nobody')).toBe(true);
    expect(alice.hasCapability(nobody.id, 'test', { methods: ['echo'] })).toBe(true);
    expect(alice.hasCapability(nobody.id, 'test', { methods: ['render'] })).toBe(false);
    const gift = nobody.getCapability('test') as CapabilityHandle;
    expect(gift.$cap).not.toBe(handle.$cap);
    expect(await nobody.callMethod(gift, 'echo', ['thanks'])).toBe('thanks');
    alice.revoke(handle);
    expect((await rejection(nobody.callMethod(gift, 'echo', ['x']))).code).toBe('Revoked');
    expect(alice.hasCapability(nobody.id, 'test')).toBe(false);
    expect(
      (await rejection(() => alice.giveCapability(alice.getCapability('test'), 'ghost'))).message,
    ).toContain('no open session or principal');
  });

  test('kernel opcodes drive the same authority from scripts', async () => {
    const alice = runtime.openSession('alice');
    const script = [
      'std.seq',
      ['std.let', 'cap', ['get_capability', 'test']],
      ['std.let', 'small', ['delegate', ['std.var', 'cap'], { methods: ['echo'] }]],
      ['std.let', 'said', ['std.call_method', ['std.var', 'small'], 'echo', 'hey', { repeat: 3 }]],
      ['std.let', 'has', ['has_capability', null, 'test', { methods: ['echo'] }]],
      ['std.let', 'count', ['revoke', ['std.var', 'small']]],
      [
        'std.let',
        'after',
        [
          'std.try',
          ['std.call_method', ['std.var', 'small'], 'echo', 'x'],
          'e',
          ['obj.get', ['std.var', 'e'], 'code'],
        ],
      ],
      [
        'list.new',
        ['std.var', 'said'],
        ['std.var', 'has'],
        ['std.var', 'count'],
        ['std.var', 'after'],
      ],
    ];
    expect((await alice.executeScript(script)).result).toEqual(['heyheyhey', true, 1, 'Revoked']);
    const denied = await rejection(
      alice.executeScript([
        'std.call_method',
        ['mint', ['get_capability', 'test'], 'test', { methods: ['echo'] }],
        'render',
        'p',
      ]),
    );
    expect(denied).toMatchObject({
      code: 'CapabilityDenied',
      message: 'test.render: this handle only allows echo',
    });
  });
});
