/**
 * Gate for scripts from elsewhere (imported templates, dropped PNGs): until the user confirmed
 * one run, running shows what the script calls and its estimated cost and waits for a yes. The
 * session's own authority is unchanged either way; this is about informed consent.
 */

import type { CapabilityMetadata } from '@viwo/protocol';
import { createSignal } from 'solid-js';
import { analyseScript, type ScriptAnalysis } from './script-analysis.ts';

/** A pending confirmation the dialog shows. */
export interface TrustRequest {
  origin: string;
  analysis: ScriptAnalysis;
  resolve(confirmed: boolean): void;
}

const [untrustedOrigin, setUntrustedOrigin] = createSignal<string | undefined>(undefined);
let onConfirmed: (() => void) | undefined;
const [request, setRequest] = createSignal<TrustRequest | undefined>(undefined);

/** The open confirmation request, if any (rendered by `TrustDialog`). */
export const trustRequest = request;
/** Where the current untrusted script came from, if it still needs a confirmation. */
export const pendingUntrusted = untrustedOrigin;

/**
 * Marks the script just loaded as untrusted (`origin` names the file or template); `confirmed`
 * runs once the user agreed to run it (e.g. to remember an imported template as trusted).
 */
export function markUntrusted(origin: string, confirmed?: () => void): void {
  setUntrustedOrigin(origin);
  onConfirmed = confirmed;
}

/** Marks the current script trusted (the user wrote it, saved it, or loaded a trusted one). */
export function markTrusted(): void {
  setUntrustedOrigin(undefined);
  onConfirmed = undefined;
}

/**
 * Resolves true when `script` may run: at once for trusted scripts, after the user's answer for
 * untrusted ones (a yes clears the flag, so only the first run asks).
 */
export function confirmRun(
  script: unknown,
  capabilities: readonly CapabilityMetadata[],
): Promise<boolean> {
  const origin = untrustedOrigin();
  if (origin === undefined) return Promise.resolve(true);
  request()?.resolve(false);
  return new Promise((resolve) => {
    setRequest({
      origin,
      analysis: analyseScript(script, capabilities),
      resolve(confirmed) {
        setRequest(undefined);
        if (confirmed) {
          const callback = onConfirmed;
          markTrusted();
          callback?.();
        }
        resolve(confirmed);
      },
    });
  });
}
