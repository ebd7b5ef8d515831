import type { OpcodeDefinition } from '@viwo/script';
import { coreError } from '../errors.ts';
import { kernelOf } from '../jobs/job-host.ts';

const CATEGORY = 'capability';

function requireString(value: unknown, opcode: string, name: string): string {
  if (typeof value !== 'string') {
    throw coreError('InvalidArgument', `${opcode}: ${name} must be a string`);
  }
  return value;
}

/**
 * The kernel opcodes: the only way a script reaches authority. Each acts for the session running
 * the job (found through the job's host), so a script can use nothing its session was not granted.
 */
export const kernelOpcodes: readonly OpcodeDefinition[] = [
  {
    metadata: {
      opcode: 'get_capability',
      label: 'Get capability',
      category: CATEGORY,
      description:
        'A handle to a capability type this session was granted; the optional filter narrows it (methods, bounds, maxCompute).',
      params: [
        { name: 'type', type: 'string' },
        { name: 'filter', type: 'object', optional: true },
      ],
      returns: 'capability',
    },
    eval([type, filter], context) {
      const { session } = kernelOf(context.host);
      return session.getCapability(
        requireString(type, 'get_capability', 'type'),
        filter ?? undefined,
      );
    },
  },
  {
    metadata: {
      opcode: 'mint',
      label: 'Mint capability',
      category: CATEGORY,
      description:
        'A new handle of a type from an authority handle of that type, attenuated by params (methods, bounds or max_<param>, maxCompute in megapixel-steps).',
      params: [
        { name: 'authority', type: 'capability' },
        { name: 'type', type: 'string' },
        { name: 'params', type: 'object', optional: true },
      ],
      returns: 'capability',
    },
    eval([authority, type, params], context) {
      const { session } = kernelOf(context.host);
      return session.mint(authority, requireString(type, 'mint', 'type'), params ?? {});
    },
  },
  {
    metadata: {
      opcode: 'delegate',
      label: 'Delegate capability',
      category: CATEGORY,
      description:
        'A narrower handle derived from one you hold; asking for more than the original allows is an error.',
      params: [
        { name: 'cap', type: 'capability' },
        { name: 'restrictions', type: 'object' },
      ],
      returns: 'capability',
    },
    eval([handle, restrictions], context) {
      return kernelOf(context.host).session.delegate(handle, restrictions);
    },
  },
  {
    metadata: {
      opcode: 'give_capability',
      label: 'Give capability',
      category: CATEGORY,
      description:
        'Gives another session (by session id or principal id) a handle derived from this one; revoking yours revokes theirs.',
      params: [
        { name: 'cap', type: 'capability' },
        { name: 'target', type: 'string' },
      ],
      returns: 'boolean',
    },
    eval([handle, target], context) {
      return kernelOf(context.host).session.giveCapability(handle, target);
    },
  },
  {
    metadata: {
      opcode: 'has_capability',
      label: 'Has capability',
      category: CATEGORY,
      description:
        "Whether a session (by id, or principal id; null for this session) holds a live handle of a type allowing the filter's methods.",
      params: [
        { name: 'target', type: 'any' },
        { name: 'type', type: 'string' },
        { name: 'filter', type: 'object', optional: true },
      ],
      returns: 'boolean',
    },
    eval([target, type, filter], context) {
      return kernelOf(context.host).session.hasCapability(
        target,
        requireString(type, 'has_capability', 'type'),
        filter ?? undefined,
      );
    },
  },
  {
    metadata: {
      opcode: 'revoke',
      label: 'Revoke capability',
      category: CATEGORY,
      description:
        'Revokes a handle and every handle delegated or given from it; calls in flight through them are aborted. Returns how many handles were revoked.',
      params: [{ name: 'cap', type: 'capability' }],
      returns: 'integer',
    },
    eval([handle], context) {
      return kernelOf(context.host).session.revoke(handle);
    },
  },
  {
    metadata: {
      opcode: 'std.call_method',
      label: 'Call method',
      category: CATEGORY,
      description: 'Calls a method of a capability handle with arguments (options object last).',
      params: [
        { name: 'object', type: 'capability' },
        { name: 'method', type: 'string' },
        { name: 'args', type: 'any' },
      ],
      returns: 'any',
      variadic: true,
    },
    eval([handle, method, ...args], context) {
      const { session, scope } = kernelOf(context.host);
      return session.callInScope(
        handle,
        requireString(method, 'std.call_method', 'method'),
        args,
        scope,
      );
    },
  },
];
