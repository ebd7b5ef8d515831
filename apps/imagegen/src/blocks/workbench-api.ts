/**
 * What Blocks Mode, the templates panel and the gallery need from the app shell's shared
 * workbench (`src/state/workbench.ts`, issue 7). Declared structurally so these panels depend on
 * the shape, not on the module, and can be mounted with any object that provides it.
 */

import {
  type CapabilityMetadata,
  type ImageValue,
  isImageValue,
  isScriptErrorData,
  type JobResult,
  type OpcodeMetadata,
} from '@viwo/protocol';
import { type Accessor, createContext, useContext } from 'solid-js';
import type { RpcLike } from '../rpc/rpc-client.ts';

export type { RpcLike } from '../rpc/rpc-client.ts';

/** The shared workbench state both modes edit. */
export interface WorkbenchApi {
  script: Accessor<unknown>;
  setScript(script: unknown): void;
  rpc: RpcLike;
  opcodes: Accessor<OpcodeMetadata[]>;
  capabilities: Accessor<CapabilityMetadata[]>;
  runScript(script?: unknown): Promise<JobResult>;
  /** Switches the visible mode (Layer / Blocks), when the shell offers it. */
  setMode?(mode: 'layer' | 'blocks'): void;
}

/** JSON path of a script error, read from a JSON-RPC error (`data.path`) or a ScriptError. */
export function errorPath(error: unknown): (string | number)[] | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const record = error as { path?: unknown; data?: { path?: unknown } };
  const path = record.data?.path ?? record.path;
  return Array.isArray(path) &&
    path.every((step) => typeof step === 'string' || typeof step === 'number')
    ? (path as (string | number)[])
    : undefined;
}

/**
 * The app's one message for any thrown value: a script error as `code: message at [path]` (RPC
 * errors carry `{code, message, path}` in `data`), anything else by its message.
 */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const record = error as { message?: unknown; data?: unknown };
    if (isScriptErrorData(record.data)) {
      const { code, message, path } = record.data;
      return `${code}: ${message}${path?.length ? ` at [${path.join(', ')}]` : ''}`;
    }
    if (typeof record.message === 'string') return record.message;
  }
  return String(error);
}

/** Every image value inside a result (images nest in lists and objects). */
export function collectImages(value: unknown, out: ImageValue[] = []): ImageValue[] {
  if (isImageValue(value)) out.push(value);
  else if (Array.isArray(value)) {
    for (const item of value) collectImages(item, out);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectImages(item, out);
  }
  return out;
}

/**
 * Lets the shell provide the workbench once (`<WorkbenchContext.Provider value={useWorkbench()}>`)
 * instead of passing it to every panel.
 */
export const WorkbenchContext = createContext<WorkbenchApi>();

/** The workbench from a prop, else from the context; undefined when neither provides one. */
export function resolveWorkbench(fromProps: WorkbenchApi | undefined): WorkbenchApi | undefined {
  return fromProps ?? useContext(WorkbenchContext);
}
