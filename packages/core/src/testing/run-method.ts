import { validateArguments } from '../capabilities/validate-arguments.ts';
import type { CapabilityCallContext, CapabilityDefinition } from '../capability-definition.ts';

/**
 * Calls a capability method outside a runtime the way core does: the arguments are validated
 * against the method's declared params first (defaults filled in, bad values named by JSON path),
 * then `run` gets the validated ones. For plugin unit tests with a hand-built call context.
 */
export async function runMethod(
  definition: CapabilityDefinition,
  methodName: string,
  context: CapabilityCallContext,
  args: readonly unknown[],
): Promise<unknown> {
  const method = definition.methods[methodName];
  if (!method) throw new Error(`${definition.type} has no method ${methodName}`);
  await method.prepare?.(args);
  const validated = await validateArguments(method.params, args, {
    where: `${definition.type}.${methodName}`,
    images: context.images,
    bounds: context.restrictions.bounds,
  });
  return method.run(context, ...validated);
}

/** The compute cost core would charge for a call (arguments validated first, as core does). */
export async function methodCost(
  definition: CapabilityDefinition,
  methodName: string,
  context: Pick<CapabilityCallContext, 'images'>,
  args: readonly unknown[],
): Promise<number> {
  const method = definition.methods[methodName];
  if (!method) throw new Error(`${definition.type} has no method ${methodName}`);
  const validated = await validateArguments(method.params, args, {
    where: `${definition.type}.${methodName}`,
    images: context.images,
  });
  return method.cost ? method.cost(validated) : 0;
}
