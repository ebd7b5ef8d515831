/**
 * Self-description served by `get_opcodes` and `get_capability_metadata`: what Blocks Mode, the
 * template editor and outside tools read to know what a script may call and with what.
 */

/** Log severity carried to `job.log` notifications. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Parameter types that may appear in opcode metadata (capability params use a subset). */
export type ParamType =
  | 'any'
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'seed'
  | 'image'
  | 'mask'
  | 'object'
  | 'list'
  | 'lambda'
  | 'block'
  | 'capability';

/**
 * What any parameter in metadata may say, opcode or capability: a client that renders params
 * generically (Blocks Mode, the template editor) reads this shape.
 */
export interface ParamMetadata {
  name: string;
  type: string;
  label?: string;
  description?: string;
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  options?: (string | number)[];
  optional?: boolean;
  /** For `object` params: the keys of the options object. */
  fields?: ParamMetadata[];
  /** For `list` params: the shape of one element. */
  items?: ParamMetadata;
}

/** One parameter of an opcode. */
export interface OpcodeParam extends ParamMetadata {
  type: ParamType | string;
}

/** Self-description of an opcode, served by `get_opcodes` and used to generate blocks. */
export interface OpcodeMetadata {
  opcode: string;
  label: string;
  category: string;
  description: string;
  params: OpcodeParam[];
  returns: string;
  /** Arguments arrive unevaluated (the opcode decides what to evaluate). */
  lazy?: boolean;
  /** The last param repeats any number of times (zero or more). */
  variadic?: boolean;
}

/** Param types allowed in capability metadata (ARCHITECTURE.md). */
export type CapabilityParamType =
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'seed'
  | 'image'
  | 'mask'
  | 'object'
  | 'list';

/** Every {@link CapabilityParamType}, for validation and pickers. */
export const CAPABILITY_PARAM_TYPES: readonly CapabilityParamType[] = [
  'string',
  'text',
  'number',
  'integer',
  'boolean',
  'enum',
  'seed',
  'image',
  'mask',
  'object',
  'list',
];

/**
 * One parameter of a capability method. For `object`, `fields` describes its keys (unknown keys
 * are rejected); for `enum`, `options` lists the allowed values; for `list`, `items` may describe
 * each element.
 */
export interface CapabilityParam extends ParamMetadata {
  type: CapabilityParamType;
  fields?: CapabilityParam[];
  items?: CapabilityParam;
}

/** One method of a capability type as metadata describes it. */
export interface CapabilityMethodMetadata {
  name: string;
  label: string;
  description: string;
  params: CapabilityParam[];
  returns: string;
}

/** Capability metadata on the wire (`get_capability_metadata`). */
export interface CapabilityMetadata {
  type: string;
  label: string;
  description: string;
  methods: CapabilityMethodMetadata[];
}
