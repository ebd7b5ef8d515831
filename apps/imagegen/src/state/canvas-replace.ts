/**
 * The one way a panel replaces the whole canvas script (template Load, a workflow from a PNG,
 * gallery and chat "Open in Blocks"): a canvas holding work is not replaced before the user chose
 * Replace (one undo step), Open in new tab (this canvas untouched) or Cancel. The question is
 * asked by `ReplaceDialog`; trust comes after it: the replaced script is marked untrusted here, and
 * the trust dialog asks when something in it is about to run.
 */
import { createSignal } from 'solid-js';
import type { WorkbenchApi } from '../blocks/workbench-api.ts';
import { markTrusted, markUntrusted, trustRequest } from '../templates/trust-gate.ts';
import { recordReplacement } from './canvas-document.ts';
import {
  type HandoffStorage,
  handoffKey,
  handoffUrl,
  pruneHandoffs,
  writeHandoff,
} from './canvas-handoff.ts';
import { needsReplaceConfirmation } from './replace-decision.ts';

/** A script about to replace the canvas. */
export interface CanvasReplacement {
  script: unknown;
  /** What is loaded, as the dialog names it: `template "Inpaint"`, `the workflow in fox.png`. */
  label: string;
  /** Where it came from while it needs a confirmation before it runs; null when trusted. */
  untrusted: string | null;
  /** Runs once the user confirmed running the untrusted script (in this tab). */
  onTrusted?: () => void;
  /** The mode to show it in (this tab, or the new one). */
  mode?: 'layer' | 'blocks';
}

/** What the user chose (or 'replaced' when there was nothing to ask). */
export type ReplaceOutcome = 'replaced' | 'new-tab' | 'cancelled';

/** The open question `ReplaceDialog` shows. */
export interface ReplaceRequest {
  replacement: CanvasReplacement;
  /** Replaces this canvas, as one undo step. */
  replace(): void;
  /** Opens a new tab holding the script; an error message when no tab could be opened. */
  openInNewTab(): string | undefined;
  /** Leaves everything as it is. */
  cancel(): void;
}

/** How a new tab is opened: the browser's by default, in-memory ones in unit tests. */
export interface TabOpener {
  storage: HandoffStorage;
  location: { origin: string; pathname: string };
  /** Opens `url` in a new tab; false when the browser refused (pop-up blocked). */
  open(url: string): boolean;
}

const browserTabs = (): TabOpener => ({
  storage: localStorage,
  location: window.location,
  open(url) {
    // Not 'noopener': that makes window.open return null always, hiding a blocked pop-up.
    const opened = window.open(url, '_blank');
    if (!opened) return false;
    opened.opener = null;
    return true;
  },
});

const [request, setRequest] = createSignal<ReplaceRequest>();
/** The replace question waiting for an answer, if any. */
export const replaceRequest = request;

/** Replaces the canvas now: trust first (showing the script may want to run it), one undo step. */
export function applyReplacement(workbench: WorkbenchApi, replacement: CanvasReplacement): void {
  // A trust question still open is about the script being replaced; a yes must not carry over.
  trustRequest()?.resolve(false);
  if (replacement.untrusted !== null) markUntrusted(replacement.untrusted, replacement.onTrusted);
  else markTrusted();
  recordReplacement(workbench.script());
  workbench.setScript(replacement.script);
  if (replacement.mode) workbench.setMode?.(replacement.mode);
}

/**
 * Hands the script to a new tab (one-shot storage entry, see canvas-handoff.ts) and opens it.
 * Returns why that failed, if it did (the entry is then removed again).
 */
export function openReplacementInNewTab(
  replacement: CanvasReplacement,
  tabs: TabOpener,
  now = Date.now(),
): string | undefined {
  pruneHandoffs(tabs.storage, now);
  let id: string;
  try {
    id = writeHandoff(tabs.storage, {
      script: replacement.script,
      untrusted: replacement.untrusted,
      mode: replacement.mode ?? 'layer',
      label: replacement.label,
      created: now,
    });
  } catch (error) {
    return `Could not hand ${replacement.label} to a new tab: ${(error as Error).message}`;
  }
  if (tabs.open(handoffUrl(tabs.location, id))) return undefined;
  tabs.storage.removeItem(handoffKey(id));
  return 'The browser blocked the new tab: allow pop-ups for this site, or choose Replace.';
}

/**
 * Replaces the canvas with `replacement`: directly when the canvas holds no work, otherwise after
 * the user's answer in the replace dialog. A new question cancels one still open.
 */
export function replaceCanvas(
  workbench: WorkbenchApi,
  replacement: CanvasReplacement,
  tabs: () => TabOpener = browserTabs,
): Promise<ReplaceOutcome> {
  if (!needsReplaceConfirmation(workbench.script(), replacement.script)) {
    applyReplacement(workbench, replacement);
    return Promise.resolve('replaced');
  }
  request()?.cancel();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ReplaceOutcome) => {
      if (settled) return false;
      settled = true;
      if (request() === current) setRequest(undefined);
      resolve(outcome);
      return true;
    };
    const current: ReplaceRequest = {
      replacement,
      replace() {
        if (finish('replaced')) applyReplacement(workbench, replacement);
      },
      openInNewTab() {
        if (settled) return undefined;
        const problem = openReplacementInNewTab(replacement, tabs());
        if (problem === undefined) finish('new-tab');
        return problem;
      },
      cancel() {
        finish('cancelled');
      },
    };
    setRequest(current);
  });
}

/** What to tell the user after `replaceCanvas` (nothing after a cancel: nothing happened). */
export function replaceOutcomeText(outcome: ReplaceOutcome, label: string): string | undefined {
  if (outcome === 'replaced') return `loaded ${label} (Undo brings the previous canvas back)`;
  if (outcome === 'new-tab') return `opened ${label} in a new tab; this canvas is unchanged`;
  return undefined;
}
