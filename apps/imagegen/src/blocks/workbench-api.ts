/**
 * What Blocks Mode, the templates panel and the gallery need from the app shell's shared
 * workbench (`src/state/workbench.ts`, issue 7). Declared structurally so these panels depend on
 * the shape, not on the module, and can be mounted with any object that provides it.
 */
import { type Accessor, createContext, useContext } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';
import type { CapabilityInfo, OpcodeInfo } from './metadata-types.ts';

/** An image value on the wire. */
export interface ImageRef {
  $image: string;
  width: number;
  height: number;
}

/** `execute_script` result. */
export interface ExecuteResult {
  job_id: string;
  result: unknown;
  images: ImageRef[];
  logs: unknown[];
  duration_ms: number;
}

/** The JSON-RPC connection: requests, plus notifications when the connection module offers them. */
export interface RpcLike {
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Subscribes to a server notification; returns the unsubscribe function. */
  on?(method: string, handler: (params: unknown) => void): () => void;
}

/** The shared workbench state both modes edit. */
export interface WorkbenchApi {
  script: Accessor<unknown>;
  setScript(script: unknown): void;
  rpc: RpcLike;
  opcodes: Accessor<OpcodeInfo[]>;
  capabilities: Accessor<CapabilityInfo[]>;
  runScript(script?: unknown): Promise<ExecuteResult>;
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

/** A one-line message for any thrown value (RPC errors carry `data.message` with the detail). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const record = error as { message?: unknown; data?: { message?: unknown; code?: unknown } };
    const detail = record.data?.message;
    const code = record.data?.code;
    if (typeof detail === 'string') return typeof code === 'string' ? `${code}: ${detail}` : detail;
    if (typeof record.message === 'string') return record.message;
  }
  return String(error);
}

/** URL of a stored image (an object URL of its bytes when signed in; reactive in JSX). */
export function imageUrl(image: ImageRef): string {
  return authedSrc(`/images/${image.$image}.png`);
}

/** Every image value inside a result (images nest in lists and objects). */
export function collectImages(value: unknown, out: ImageRef[] = []): ImageRef[] {
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, out);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$image === 'string') out.push(record as unknown as ImageRef);
    else for (const item of Object.values(record)) collectImages(item, out);
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
