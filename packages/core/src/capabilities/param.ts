import type { CapabilityParam, CapabilityParamType } from '../capability-definition.ts';
import type { ImageValue } from '../image-value.ts';

/*
 * Schema-first capability params: a method declares each param once with these builders, and
 * the metadata served by `get_capability_metadata`, the argument validation (validate-arguments)
 * and the TypeScript types of the arguments `run` receives all come from that declaration.
 *
 * A built param is plain wire-shaped data (a `CapabilityParam`) plus a type-only marker carrying
 * the value type, so the old hand-written object form and the builders mix freely.
 */

/** Type-only key of the value-type marker (never present at run time). */
declare const VALUE: unique symbol;

/**
 * Whether a caller must give a param and what `run` then sees: `required` (must be given),
 * `defaulted` (may be left out; validation fills the default in), `optional` (may be left out;
 * `run` sees `undefined`).
 */
export type Presence = 'required' | 'defaulted' | 'optional';

/**
 * A declared param: a `CapabilityParam` whose value type and presence are known to TypeScript.
 */
export interface Param<Value = unknown, Kind extends Presence = Presence> extends DeclaredParam {
  readonly [VALUE]?: { value: Value; presence: Kind };
}

/**
 * A param as core keeps it: the wire fields plus `implicitDefault`, the value the method uses
 * when the param is omitted but derives itself (e.g. steps from the chosen model). Metadata shows
 * it as `default`; validation does not fill it in, so the method still sees `undefined`.
 */
export interface DeclaredParam extends CapabilityParam {
  implicitDefault?: unknown;
  fields?: DeclaredParam[];
  items?: DeclaredParam;
}

/** The value `run` receives for a declared param (`unknown` for the plain object form). */
export type ParamValue<P> =
  P extends Param<infer Value, infer Kind>
    ? Kind extends 'optional'
      ? Value | undefined
      : Value
    : unknown;

/** The argument tuple `run` receives for a method's params. */
export type ArgsOf<Params extends readonly CapabilityParam[]> = {
  -readonly [Index in keyof Params]: ParamValue<Params[Index]>;
};

/** A value, or a function giving it at the time metadata or validation needs it (live lists). */
export type Live<T> = T | (() => T);

/** Options every builder takes. */
export interface CommonOptions {
  /** Required for positional params; object fields take their key as the name. */
  name?: string;
  label?: string;
  description?: string;
  /** The param may be left out (`run` then sees `undefined`, unless a default applies). */
  optional?: boolean;
}

/** Options of value params: a default filled in by validation, or an implicit one only shown. */
export interface ValueOptions<T> extends CommonOptions {
  /** Filled in when the caller leaves the param out; `run` always sees a value. */
  default?: T;
  /** Shown in metadata as `default` but left out of the arguments: the method derives it. */
  implicitDefault?: Live<T | undefined>;
}

/** Options of numeric params. */
export interface NumberOptions extends ValueOptions<number> {
  min?: number;
  max?: number;
  step?: number;
}

/** Options of list params (`min`/`max` bound the length). */
export interface ListOptions extends CommonOptions {
  min?: number;
  max?: number;
}

/** The presence a param with these options has. */
type PresenceOf<Options> = Options extends { default: unknown }
  ? 'defaulted'
  : Options extends { optional: true }
    ? 'optional'
    : Options extends { implicitDefault: unknown }
      ? 'optional'
      : 'required';

type FieldMap = Record<string, Param>;

type KeysWith<Fields extends FieldMap, Kind extends Presence> = {
  [Key in keyof Fields]: Fields[Key] extends Param<unknown, infer Has>
    ? Has extends Kind
      ? Key
      : never
    : never;
}[keyof Fields];

type AbsentKeys<Fields extends FieldMap> = Exclude<keyof Fields, PresentKeys<Fields>>;
type PresentKeys<Fields extends FieldMap> = KeysWith<Fields, 'required' | 'defaulted'>;

/** The value of an object param: required and defaulted fields present, the others optional. */
export type ObjectValue<Fields extends FieldMap> = Flatten<
  {
    [Key in PresentKeys<Fields>]: ParamValue<Fields[Key]>;
  } & {
    [Key in AbsentKeys<Fields>]?: Exclude<ParamValue<Fields[Key]>, undefined>;
  }
>;

/** One object type instead of an intersection (readable in editor hovers and errors). */
type Flatten<T> = { [Key in keyof T]: T[Key] };

/** Validation turns a left-out object none of whose fields is required into `{}` + defaults. */
type ObjectPresence<Fields extends FieldMap, Options> = [KeysWith<Fields, 'required'>] extends [
  never,
]
  ? PresenceOf<Options> extends 'optional'
    ? 'defaulted'
    : PresenceOf<Options>
  : PresenceOf<Options>;

function build<Value, Options extends CommonOptions>(
  type: CapabilityParamType,
  options: Options | undefined,
  extra: Partial<DeclaredParam> = {},
): Param<Value, PresenceOf<Options>> {
  const { implicitDefault, ...rest } = (options ?? {}) as Options & {
    implicitDefault?: Live<unknown>;
  };
  const built: DeclaredParam = { name: rest.name ?? '', type, ...rest, ...extra };
  if (built.name === '') delete (built as Partial<DeclaredParam>).name;
  if (options !== undefined && 'implicitDefault' in options) {
    built.optional = true;
    Object.defineProperty(built, 'implicitDefault', {
      enumerable: true,
      get: () => (typeof implicitDefault === 'function' ? implicitDefault() : implicitDefault),
    });
  }
  return built as Param<Value, PresenceOf<Options>>;
}

/** Builders of capability params, one per metadata param type (ARCHITECTURE.md). */
export const param = {
  /** A single-line string. */
  string: <const Options extends ValueOptions<string>>(options?: Options) =>
    build<string, Options>('string', options),
  /** Free text (prompts): a string the client shows as a text area. */
  text: <const Options extends ValueOptions<string>>(options?: Options) =>
    build<string, Options>('text', options),
  /** A finite number within `min`..`max`. */
  number: <const Options extends NumberOptions>(options?: Options) =>
    build<number, Options>('number', options),
  /** A whole number within `min`..`max`. */
  integer: <const Options extends NumberOptions>(options?: Options) =>
    build<number, Options>('integer', options),
  /** A random seed (an integer 0..2³²−1 unless `min`/`max` say otherwise). */
  seed: <const Options extends NumberOptions>(options?: Options) =>
    build<number, Options>('seed', options),
  /** true or false. */
  boolean: <const Options extends ValueOptions<boolean>>(options?: Options) =>
    build<boolean, Options>('boolean', options),
  /**
   * One of `choices`; pass a function for a list that changes while the server runs (installed
   * models), read whenever metadata is served or a call is validated.
   */
  enum: <const Choice extends string | number, const Options extends ValueOptions<Choice>>(
    choices: Live<readonly Choice[]>,
    options?: Options,
  ) => {
    const built = build<Choice, Options>('enum', options);
    Object.defineProperty(built, 'options', {
      enumerable: true,
      get: () => [...(typeof choices === 'function' ? choices() : choices)],
    });
    return built;
  },
  /** An image value `{$image, width, height}` that exists in the image store. */
  image: <const Options extends CommonOptions>(options?: Options) =>
    build<ImageValue, Options>('image', options),
  /** A mask: an image value whose white pixels mark the region. */
  mask: <const Options extends CommonOptions>(options?: Options) =>
    build<ImageValue, Options>('mask', options),
  /** An object with exactly these fields (unknown keys are errors naming the key). */
  object: <const Fields extends FieldMap, const Options extends CommonOptions>(
    fields: Fields,
    options?: Options,
  ) =>
    build<ObjectValue<Fields>, Options>('object', options, {
      fields: Object.entries(fields).map(([name, field]) => named(field, name)),
    }) as Param<ObjectValue<Fields>, ObjectPresence<Fields, Options>>,
  /** A list whose every element is an `item`. */
  list: <const Item extends Param, const Options extends ListOptions>(
    item: Item,
    options?: Options,
  ) =>
    build<ParamValue<Item>[], Options>('list', options, {
      items: named(item, item.name ?? 'item'),
    }),
};

/** A copy of a built param under `name` that keeps its live (getter) properties live. */
function named(source: DeclaredParam, name: string): DeclaredParam {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(source));
  return Object.defineProperty(copy, 'name', {
    value: name,
    enumerable: true,
    writable: true,
    configurable: true,
  }) as DeclaredParam;
}

/** The `implicitDefault` of a declared param, if it has one (read live). */
export function implicitDefaultOf(param: CapabilityParam): unknown {
  return (param as DeclaredParam).implicitDefault;
}
