import { expect, test } from 'bun:test';
import { RPC_METHOD_NAMES } from '@viwo/protocol';
import { createRpcMethods } from '../src/rpc/rpc-methods.ts';

test('core answers every protocol method except those the server adds (conversations, models, settings)', () => {
  const served = Object.keys(createRpcMethods()).sort();
  const expected = RPC_METHOD_NAMES.filter(
    (name) =>
      !name.startsWith('conversations.') &&
      !name.startsWith('models.') &&
      !name.startsWith('settings.'),
  ).sort();
  expect(served).toEqual(expected);
});
