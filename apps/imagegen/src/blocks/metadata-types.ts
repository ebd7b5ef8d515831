/**
 * Wire shapes of `get_opcodes` and `get_capability_metadata` as the client receives them
 * (ARCHITECTURE.md). They are declared here rather than imported from `@viwo/core` because the
 * browser bundle must not pull server code, and because the client treats them as untrusted JSON.
 */

/** One parameter of an opcode or a capability method. */
export interface ParamInfo {
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
  fields?: ParamInfo[];
  /** For `list` params: the shape of one element. */
  items?: ParamInfo;
}

/** One entry of `get_opcodes`. */
export interface OpcodeInfo {
  opcode: string;
  label: string;
  category: string;
  description: string;
  params: ParamInfo[];
  returns: string;
  lazy?: boolean;
  variadic?: boolean;
}

/** One method of a capability type. */
export interface MethodInfo {
  name: string;
  label: string;
  description: string;
  params: ParamInfo[];
  returns: string;
}

/** One entry of `get_capability_metadata`. */
export interface CapabilityInfo {
  type: string;
  label: string;
  description: string;
  methods: MethodInfo[];
}
