import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionProblems } from '../capabilities/define-capability.ts';
import { validateArguments } from '../capabilities/validate-arguments.ts';
import type { CapabilityMetadata, CapabilityParam } from '../capability-definition.ts';
import type { ImageValue } from '../image-value.ts';
import type { Plugin } from '../plugin.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import type { Session } from '../session.ts';

/** A real call the suite may start and then cancel. */
export interface ConformanceSampleCall {
  type: string;
  method: string;
  /** Arguments; a function receives a stored 64×64 RGB test image to build them from. */
  args: unknown[] | ((image: ImageValue) => unknown[]);
}

/** Options of `runPluginConformance`. */
export interface ConformanceOptions {
  /** Data dir to use (default: a fresh temp dir, removed afterwards). */
  dataDir?: string;
  /** A call long enough to cancel (several steps/tiles); without it the cancel test is skipped. */
  cancellableCall?: ConformanceSampleCall;
  /** bun:test timeout per case (default 120 s). */
  timeoutMs?: number;
}

/**
 * Registers bun:test cases every plugin must pass: metadata complete, arguments validated against
 * metadata (wrong types rejected naming the param), cancellation honoured, errors clean
 * (ScriptError with a code, no stack). Call it at the top level of a plugin's test file.
 */
export function runPluginConformance(
  createPlugin: () => Plugin | Promise<Plugin>,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeoutMs ?? 120_000;
  let runtime: Runtime;
  let session: Session;
  let plugin: Plugin;
  let image: ImageValue;
  let ownDir: string | undefined;

  describe('plugin conformance', () => {
    beforeAll(async () => {
      plugin = await createPlugin();
      ownDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'viwo-conformance-'));
      runtime = await createRuntime({ dataDir: options.dataDir ?? ownDir!, plugins: [plugin] });
      session = runtime.openSession({ id: 'conformance', local: true });
      const data = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 37) % 256);
      image = await runtime.images.putRaw({ data, width: 64, height: 64, channels: 3 });
    }, timeout);

    afterAll(async () => {
      await runtime?.dispose();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    });

    test('plugin loads and declares complete metadata', () => {
      const health = runtime.health().plugins.find((p) => p.name === plugin.name);
      expect(health?.error).toBeUndefined();
      expect(health?.status).toBe('ok');
      expect(typeof plugin.version).toBe('string');
      const definitions = plugin.capabilities();
      expect(definitions.length).toBeGreaterThan(0);
      for (const definition of definitions) expect(definitionProblems(definition)).toEqual([]);
      const metadata = runtime.capabilityMetadata();
      for (const capability of metadata) {
        for (const method of capability.methods) {
          for (const param of method.params) {
            expect(paramDocProblems(param, `${capability.type}.${method.name}`)).toEqual([]);
          }
        }
      }
    });

    test(
      'arguments are validated against metadata (wrong types name the param)',
      async () => {
        for (const capability of runtime.capabilityMetadata()) {
          const handle = session.getCapability(capability.type);
          for (const method of capability.methods) {
            const valid = method.params.map((param) => validValue(param, image));
            for (const [index, param] of method.params.entries()) {
              const args = [...valid];
              args[index] = wrongValue(param);
              const error = await rejection(session.callMethod(handle, method.name, args));
              expect(error.code, `${capability.type}.${method.name} ${param.name}`).toBe(
                'InvalidArgument',
              );
              expect(error.message).toContain(param.name);
              if (param.type === 'object' && param.fields) {
                const withUnknown = [...valid];
                withUnknown[index] = { ...(valid[index] as object), no_such_option_xyz: 1 };
                const unknownKey = await rejection(
                  session.callMethod(handle, method.name, withUnknown),
                );
                expect(unknownKey.code).toBe('InvalidArgument');
                expect(unknownKey.message).toContain('no_such_option_xyz');
                for (const field of param.fields) {
                  const wrongField = [...valid];
                  wrongField[index] = {
                    ...(valid[index] as object),
                    [field.name]: wrongValue(field),
                  };
                  const fieldError = await rejection(
                    session.callMethod(handle, method.name, wrongField),
                  );
                  expect(fieldError.code).toBe('InvalidArgument');
                  expect(fieldError.message).toContain(`${param.name}.${field.name}`);
                }
              }
            }
          }
        }
      },
      timeout,
    );

    test(
      'the schema holds at every JSON path: defaults accepted, bounds and enums enforced',
      async () => {
        for (const capability of runtime.capabilityMetadata()) {
          const handle = session.getCapability(capability.type);
          for (const method of capability.methods) {
            const where = `${capability.type}.${method.name}`;
            const withDefaults = method.params.map((param) => defaultValue(param, image));
            // Every default metadata shows (filled or implicit) is a value the method accepts.
            await validateArguments(method.params, withDefaults, { where, images: runtime.images });
            for (const [index, param] of method.params.entries()) {
              for (const probe of schemaProbes(param, [index], param.name)) {
                const args = withValueAt(withDefaults, method.params, probe.at, probe.value, image);
                const error = await rejection(session.callMethod(handle, method.name, args));
                expect(error.code, `${where} ${probe.path}`).toBe('InvalidArgument');
                expect(error.message).toContain(`${probe.path} ${probe.says}`);
              }
            }
          }
        }
      },
      timeout,
    );

    test(
      'errors are clean: a ScriptError with a code and no stack trace',
      async () => {
        const capability = runtime.capabilityMetadata()[0] as CapabilityMetadata;
        const handle = session.getCapability(capability.type);
        const errors = [
          await rejection(session.callMethod(handle, 'no_such_method_xyz', [])),
          await rejection(session.callMethod(handle, 'constructor', [])),
          await rejection(
            session.callMethod(handle, capability.methods[0]!.name, [Symbol.for('x')]),
          ),
        ];
        for (const error of errors) {
          expect(typeof error.code).toBe('string');
          expect(error.message).not.toMatch(/\n\s+at /);
          const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
          expect(json.stack).toBeUndefined();
          expect(json.code).toBe(error.code);
        }
      },
      timeout,
    );

    test.skipIf(!options.cancellableCall)(
      'cancellation is honoured between steps',
      async () => {
        const sample = options.cancellableCall!;
        const args = typeof sample.args === 'function' ? sample.args(image) : sample.args;
        let jobId: string | undefined;
        let cancelled = false;
        const cancel = () => {
          if (jobId && !cancelled) {
            cancelled = true;
            session.cancelJob(jobId);
          }
        };
        session.setNotifier((method, params) => {
          if (method === 'job.progress') {
            jobId = params.job_id as string;
            cancel();
          }
        });
        const script = [
          'std.call_method',
          ['get_capability', sample.type],
          sample.method,
          ...args.map(quote),
        ];
        const running = session.executeScript(script);
        // Plugins that report no progress before their first step are cancelled after it starts.
        const fallback = setInterval(() => {
          const job = session.listJobs().find((j) => j.status === 'running');
          if (job) {
            jobId = job.job_id;
            cancel();
          }
        }, 50);
        const error = await rejection(running).finally(() => clearInterval(fallback));
        session.setNotifier(null);
        expect(error.code).toBe('Cancelled');
        expect(session.getJob(jobId!).status).toBe('cancelled');
      },
      timeout,
    );
  });
}

/** Literal arguments inside a script: lists must be quoted so they are not read as calls. */
function quote(value: unknown): unknown {
  return Array.isArray(value) ? ['std.quote', value] : value;
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the call to be rejected, but it succeeded');
}

function paramDocProblems(param: CapabilityParam, where: string): string[] {
  const problems: string[] = [];
  const at = `${where} ${param.name}`;
  if (!param.label && !param.description) problems.push(`${at}: needs a label or description`);
  if (param.type === 'enum' && !param.options?.length) problems.push(`${at}: enum without options`);
  if (param.type === 'object' && !param.fields) problems.push(`${at}: object without fields`);
  for (const field of param.fields ?? []) problems.push(...paramDocProblems(field, at));
  return problems;
}

/** A value metadata accepts for `param` (defaults first, then the low end of ranges). */
function validValue(param: CapabilityParam, image: ImageValue): unknown {
  if (param.default !== undefined) return param.default;
  switch (param.type) {
    case 'string':
    case 'text':
      return 'conformance';
    case 'number':
    case 'integer':
      return param.min ?? 1;
    case 'seed':
      return param.min ?? 1;
    case 'boolean':
      return false;
    case 'enum':
      return param.options?.[0];
    case 'image':
    case 'mask':
      return image;
    case 'list':
      return param.items && (param.min ?? 0) > 0 ? [validValue(param.items, image)] : [];
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const field of param.fields ?? []) {
        if (!field.optional && field.default === undefined)
          value[field.name] = validValue(field, image);
      }
      return value;
    }
  }
}

/** A value of the wrong type for `param`. */
function wrongValue(param: CapabilityParam): unknown {
  switch (param.type) {
    case 'string':
    case 'text':
    case 'enum':
      return param.type === 'enum' ? '__not_an_option__' : 12345;
    case 'boolean':
      return 'yes';
    case 'image':
    case 'mask':
      return { $image: 'not-a-hash', width: 1, height: 1 };
    case 'list':
      return 'not a list';
    case 'object':
      return 'not an object';
    default:
      return 'not a number';
  }
}

/** A value the schema must refuse, placed at `at` (param index, then field names / list indexes). */
interface SchemaProbe {
  at: (string | number)[];
  path: string;
  value: unknown;
  says: string;
}

/** Out-of-range numbers and unknown enum values for `param` and everything nested in it. */
function schemaProbes(
  param: CapabilityParam,
  at: (string | number)[],
  path: string,
): SchemaProbe[] {
  const probes: SchemaProbe[] = [];
  if (param.type === 'number' || param.type === 'integer' || param.type === 'seed') {
    if (param.min !== undefined)
      probes.push({ at, path, value: param.min - 1, says: 'must be at least' });
    if (param.max !== undefined)
      probes.push({ at, path, value: param.max + 1, says: 'must be at most' });
  }
  if (param.type === 'enum') {
    probes.push({ at, path, value: '__not_an_option__', says: 'must be one of' });
  }
  for (const field of param.type === 'object' ? (param.fields ?? []) : []) {
    probes.push(...schemaProbes(field, [...at, field.name], `${path}.${field.name}`));
  }
  if (param.type === 'list' && param.items) {
    probes.push(...schemaProbes(param.items, [...at, 0], `${path}[0]`));
  }
  return probes;
}

/** A copy of `args` with `value` at `at`, building valid parents (a one-item list) on the way. */
function withValueAt(
  args: unknown[],
  params: readonly CapabilityParam[],
  at: (string | number)[],
  value: unknown,
  image: ImageValue,
): unknown[] {
  const place = (current: unknown, param: CapabilityParam, rest: (string | number)[]): unknown => {
    if (rest.length === 0) return value;
    const [key, ...tail] = rest;
    if (param.type === 'list' && param.items) {
      const list = Array.isArray(current) && current.length > 0 ? [...current] : [];
      if (list.length === 0) list.push(defaultValue(param.items, image));
      list[0] = place(list[0], param.items, tail);
      return list;
    }
    const field = (param.fields ?? []).find((candidate) => candidate.name === key);
    if (!field) throw new Error(`probe path names no field ${String(key)} of ${param.name}`);
    const record = { ...(current as Record<string, unknown>) };
    record[String(key)] = place(record[String(key)], field, tail);
    return record;
  };
  const [index, ...rest] = at as [number, ...(string | number)[]];
  const copy = [...args];
  copy[index] = place(copy[index], params[index]!, rest);
  return copy;
}

/** A valid value that uses every default metadata shows, for the param and its fields. */
function defaultValue(param: CapabilityParam, image: ImageValue): unknown {
  if (param.type === 'object' && param.fields) {
    return Object.fromEntries(
      param.fields.flatMap((field) => {
        const value = defaultValue(field, image);
        return value === undefined ? [] : [[field.name, value]];
      }),
    );
  }
  if (param.default !== undefined) return param.default;
  if (param.optional) return undefined;
  return validValue(param, image);
}
