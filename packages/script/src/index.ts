export { type Arity, arityOf } from './arity.ts';
export {
  BoolLib,
  type CallBuilder,
  call,
  JsonLib,
  ListLib,
  MathLib,
  ObjLib,
  type ScriptCall,
  type ScriptNode,
  StdLib,
  StrLib,
} from './builders.ts';
export { type CheckOptions, type CheckResult, check } from './checker.ts';
export { type EvaluateOptions, type EvaluateResult, evaluate } from './evaluate.ts';
export { defaultLimits, type EvaluationLimits, type LogEntry } from './evaluation-state.ts';
export type {
  LogLevel,
  OpcodeContext,
  OpcodeDefinition,
  OpcodeMetadata,
  OpcodeParam,
  ParamType,
} from './opcode.ts';
export { parseScriptInput } from './parse-script-input.ts';
export {
  ScriptError,
  type ScriptErrorCode,
  type ScriptPath,
  type ScriptProblem,
  toScriptError,
} from './script-error.ts';
export {
  describeOpcode,
  opcodeMetadata,
  opcodeParam,
  stdMetadata,
  stdOpcodes,
} from './std-library.ts';
export { decompile, parseText, printText } from './text-form.ts';
export { displayString, isObject, ScriptFunction, typeOf } from './values.ts';
