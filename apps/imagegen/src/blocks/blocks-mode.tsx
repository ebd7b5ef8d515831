/**
 * Blocks Mode: a Blockly workspace generated from the server's metadata that edits the one shared
 * script. Edits convert to the script at once; a script changed elsewhere (Layer Mode, text view,
 * templates) is shown as blocks. Run executes it; a server error is shown on the block its JSON
 * path points at.
 */

import { parseText, printText } from '@viwo/script';
import * as Blockly from 'blockly/core';
import { createEffect, createSignal, on, onCleanup, onMount, Show } from 'solid-js';
import { TrustDialog } from '../templates/trust-dialog.tsx';
import { confirmRun } from '../templates/trust-gate.ts';
import { generateBlocks } from './block-generator.ts';
import type { BlockCatalog } from './block-specs.ts';
import type { SerializedWorkspace } from './blockly-json.ts';
import { installCatalog, registerVariablesFlyout } from './blockly-setup.ts';
import { blockForPath, blocksToScript, type ScriptPath } from './blocks-to-script.ts';
import { ConversionError } from './conversion-error.ts';
import { ensurePanelStyles } from './panel-styles.ts';
import { ResultsStrip, type RunResult } from './results-strip.tsx';
import { scriptProblems } from './script-problems.ts';
import { type ScriptTextFormat, ScriptTextView } from './script-text-view.tsx';
import { jsonEqual, scriptToBlocks } from './script-to-blocks.ts';
import {
  collectImages,
  errorMessage,
  errorPath,
  resolveWorkbench,
  type WorkbenchApi,
} from './workbench-api.ts';

const DARK_THEME = Blockly.Theme.defineTheme('viwo-dark', {
  name: 'viwo-dark',
  base: Blockly.Themes.Classic,
  componentStyles: {
    workspaceBackgroundColour: '#1b1d22',
    toolboxBackgroundColour: '#23262d',
    toolboxForegroundColour: '#e4e6eb',
    flyoutBackgroundColour: '#2b2f37',
    flyoutForegroundColour: '#e4e6eb',
    flyoutOpacity: 0.95,
    scrollbarColour: '#5a606b',
    insertionMarkerColour: '#ffffff',
  },
});

/** Blockly theme matching the shell's theme attribute (dark unless it says light). */
function currentTheme(): Blockly.Theme {
  return document.documentElement.dataset.theme === 'light' ? Blockly.Themes.Classic : DARK_THEME;
}

/** Props of Blocks Mode. */
export interface BlocksModeProps {
  workbench: WorkbenchApi;
  /** Text form printer/parser; defaults to `@viwo/script`'s printText / parseText. */
  textFormat?: ScriptTextFormat;
  /** "Visualize as Layers"; defaults to `workbench.setMode('layer')`. */
  onVisualizeLayers?: () => void;
}

/** The Blocks Mode editor. */
function BlocksModeEditor(props: BlocksModeProps) {
  let host: HTMLDivElement | undefined;
  let workspace: Blockly.WorkspaceSvg | undefined;
  let catalog: BlockCatalog | undefined;
  let metadataFingerprint = '';
  let problemBlocks: string[] = [];
  const textFormat = (): ScriptTextFormat =>
    props.textFormat ?? { print: printText, parse: parseText };
  let sourceMap: { path: ScriptPath; blockId: string }[] = [];
  let highlighted: string | undefined;
  const [status, setStatus] = createSignal<{ kind: 'info' | 'error'; text: string }>();
  const [running, setRunning] = createSignal(false);
  const [progress, setProgress] = createSignal<{ text: string; fraction: number }>();
  const [results, setResults] = createSignal<RunResult[]>([]);
  const [showText, setShowText] = createSignal(false);

  const clearHighlight = () => {
    if (!workspace || !highlighted) return;
    const block = workspace.getBlockById(highlighted);
    block?.setWarningText(null);
    (block as Blockly.BlockSvg | null)?.setHighlighted(false);
    highlighted = undefined;
  };

  const highlight = (blockId: string | undefined, message: string) => {
    clearHighlight();
    const found = blockId ? workspace?.getBlockById(blockId) : undefined;
    // Shadow blocks are tiny field holders; the message belongs on the block that owns them.
    const block = found?.isShadow() ? (found.getParent() ?? found) : found;
    if (!block) return;
    block.setWarningText(message);
    block.setHighlighted(true);
    block.addSelect();
    workspace?.centerOnBlock(block.id);
    highlighted = block.id;
  };

  /** Converts the workspace; on failure shows the problem on its block and returns undefined. */
  const convert = (): { script: unknown } | undefined => {
    if (!workspace || !catalog) return undefined;
    try {
      const saved = Blockly.serialization.workspaces.save(workspace) as SerializedWorkspace;
      const result = blocksToScript(saved, catalog);
      sourceMap = result.sourceMap;
      if (result.ignoredBlocks.length > 0) {
        setStatus({
          kind: 'info',
          text: `${result.ignoredBlocks.length} block group(s) not attached to the first one are not part of the script`,
        });
      }
      return { script: result.script };
    } catch (error) {
      if (error instanceof ConversionError) {
        highlight(error.blockId, error.message);
        setStatus({ kind: 'error', text: error.message });
        return undefined;
      }
      throw error;
    }
  };

  const showScript = (script: unknown) => {
    if (!workspace || !catalog) return;
    const state = scriptToBlocks(script, catalog);
    Blockly.Events.disable();
    try {
      workspace.clear();
      Blockly.serialization.workspaces.load(
        state as Parameters<typeof Blockly.serialization.workspaces.load>[0],
        workspace,
      );
    } finally {
      Blockly.Events.enable();
    }
    const back = convert();
    if (back && !jsonEqual(back.script, script)) {
      setStatus({ kind: 'error', text: 'this script could not be shown as blocks exactly' });
    }
    if (back) showProblems(back.script);
  };

  /** Shows the checker's problems as warnings on their blocks (running stays possible). */
  const showProblems = (script: unknown) => {
    if (!workspace) return;
    for (const id of problemBlocks) {
      if (id !== highlighted) workspace.getBlockById(id)?.setWarningText(null);
    }
    problemBlocks = [];
    const messages = new Map<string, string[]>();
    for (const problem of scriptProblems(script, props.workbench.opcodes())) {
      const id = blockForPath(sourceMap, problem.path);
      if (id)
        messages.set(id, [...(messages.get(id) ?? []), `${problem.code}: ${problem.message}`]);
    }
    for (const [id, texts] of messages) {
      const found = workspace.getBlockById(id);
      const block = found?.isShadow() ? (found.getParent() ?? found) : found;
      if (!block) continue;
      block.setWarningText(texts.join('\n'));
      problemBlocks.push(block.id);
    }
  };

  const onWorkspaceChange = (event: Blockly.Events.Abstract) => {
    if (event.isUiEvent || !workspace || workspace.isDragging()) return;
    const converted = convert();
    if (!converted) return;
    clearHighlight();
    if (status()?.kind === 'error') setStatus(undefined);
    showProblems(converted.script);
    if (!jsonEqual(converted.script, props.workbench.script())) {
      props.workbench.setScript(converted.script);
    }
  };

  const rebuild = () => {
    const opcodes = props.workbench.opcodes();
    const capabilities = props.workbench.capabilities();
    if (!host) return;
    // A reconnect re-sends the same metadata; rebuilding would reset the workspace for nothing.
    const fingerprint = JSON.stringify([opcodes, capabilities]);
    if (workspace && fingerprint === metadataFingerprint) return;
    metadataFingerprint = fingerprint;
    catalog = generateBlocks(opcodes, capabilities);
    installCatalog(catalog);
    if (!workspace) {
      workspace = Blockly.inject(host, {
        toolbox: catalog.toolbox as Blockly.utils.toolbox.ToolboxDefinition,
        theme: currentTheme(),
        // Blockly's media (sprites, cursors) come from our own server, never its CDN.
        media: '/blockly-media/',
        trashcan: false,
        sounds: false,
        zoom: { controls: false, wheel: true, startScale: 0.9 },
        move: { scrollbars: true, drag: true, wheel: false },
        grid: { spacing: 24, length: 2, colour: '#2c3038', snap: true },
      });
      registerVariablesFlyout(workspace);
      workspace.addChangeListener(onWorkspaceChange);
      // Automation hook (browser tests, power users in the console): the live workspace and the
      // Blockly module it belongs to.
      (globalThis as { viwoBlocks?: unknown }).viwoBlocks = { Blockly, workspace };
    } else {
      workspace.updateToolbox(catalog.toolbox as Blockly.utils.toolbox.ToolboxDefinition);
    }
    showScript(props.workbench.script());
  };

  onMount(() => {
    createEffect(on([props.workbench.opcodes, props.workbench.capabilities], rebuild));
    createEffect(
      on(props.workbench.script, (script) => {
        // A run's error is about the script it ran: once the script changed, the banner is stale.
        if (status()?.kind === 'error' && !running()) {
          setStatus(undefined);
          clearHighlight();
        }
        if (!workspace || !catalog) return;
        const current = convert();
        if (current && jsonEqual(current.script, script)) return;
        showScript(script);
      }),
    );
    const resize = () => workspace && Blockly.svgResize(workspace);
    const observer = new ResizeObserver(resize);
    // Follow the shell's light/dark switch (`<html data-theme="light">`).
    const themeObserver = new MutationObserver(() => workspace?.setTheme(currentTheme()));
    themeObserver.observe(document.documentElement, { attributeFilter: ['data-theme'] });
    if (host) observer.observe(host);
    const unsubscribe = props.workbench.rpc.on?.('job.progress', (params) => {
      const report = params as { label?: string; step?: number; total?: number; fraction?: number };
      if (!running()) return;
      const fraction = Math.min(1, Math.max(0, report.fraction ?? 0));
      const percent = Math.round(fraction * 100);
      setProgress({
        text: `${report.label ?? 'working'} ${report.step ?? 0}/${report.total ?? 0} (${percent}%)`,
        fraction,
      });
    });
    onCleanup(() => {
      observer.disconnect();
      themeObserver.disconnect();
      unsubscribe?.();
      workspace?.dispose();
      workspace = undefined;
    });
  });

  const run = async () => {
    const converted = convert();
    if (!converted) return;
    if (!(await confirmRun(converted.script, props.workbench.capabilities()))) {
      setStatus({ kind: 'info', text: 'run cancelled' });
      return;
    }
    setRunning(true);
    setProgress(undefined);
    setStatus({ kind: 'info', text: 'running…' });
    clearHighlight();
    try {
      const result = await props.workbench.runScript(converted.script);
      const images = result.images.length > 0 ? result.images : collectImages(result.result);
      setResults((previous) => [
        {
          jobId: result.job_id,
          images,
          durationMs: result.duration_ms,
          summary: JSON.stringify(result.result)?.slice(0, 200) ?? 'null',
        },
        ...previous.slice(0, 19),
      ]);
      setStatus({ kind: 'info', text: `done in ${(result.duration_ms / 1000).toFixed(1)} s` });
    } catch (error) {
      const message = errorMessage(error);
      const path = errorPath(error);
      const blockId = path ? blockForPath(sourceMap, path) : undefined;
      highlight(blockId, message);
      setStatus({
        kind: 'error',
        text: blockId ? `${message} (see the highlighted block)` : message,
      });
    } finally {
      setRunning(false);
      setProgress(undefined);
    }
  };

  const visualize = () => {
    if (props.onVisualizeLayers) props.onVisualizeLayers();
    else props.workbench.setMode?.('layer');
  };

  return (
    <div
      class="viwo-blocks-mode"
      data-testid="blocks-mode"
      style={{
        display: 'flex',
        'flex-direction': 'column',
        flex: '1 1 auto',
        width: '100%',
        height: '100%',
        'min-height': '0',
        'min-width': '0',
      }}
    >
      <div class="viwo-toolbar">
        <button
          type="button"
          class="primary"
          data-testid="blocks-run"
          disabled={running()}
          onClick={() => void run()}
        >
          {running() ? 'Running…' : 'Run'}
        </button>
        <button
          type="button"
          data-testid="blocks-visualize"
          disabled={!props.onVisualizeLayers && !props.workbench.setMode}
          title="Show the same script as layers in Layer Mode"
          onClick={visualize}
        >
          Visualize as Layers
        </button>
        <Show when={textFormat()}>
          <button
            type="button"
            data-testid="blocks-text-toggle"
            aria-pressed={showText()}
            onClick={() => setShowText(!showText())}
          >
            Text view
          </button>
        </Show>
        <Show when={progress()}>
          {(current) => (
            <span class="viwo-progress" data-testid="blocks-progress">
              <progress max={1} value={current().fraction} /> {current().text}
            </span>
          )}
        </Show>
        <Show when={status()}>
          {(current) => (
            <span
              class={current().kind === 'error' ? 'viwo-error' : 'viwo-status'}
              role={current().kind === 'error' ? 'alert' : 'status'}
              data-testid="blocks-status"
            >
              {current().text}
            </span>
          )}
        </Show>
      </div>
      <div
        class="viwo-blocks-body"
        style={{ display: 'flex', flex: '1', 'min-height': '0', width: '100%' }}
      >
        {/* Blockly sizes itself from its host; an absolutely placed host has a definite size
            whatever layout the shell gives this panel. */}
        <div style={{ flex: '1', 'min-height': '420px', position: 'relative' }}>
          <div
            ref={host}
            class="viwo-blockly-host"
            data-testid="blockly-host"
            style={{ position: 'absolute', inset: '0' }}
          />
        </div>
        <Show when={showText() && textFormat()}>
          {(format) => (
            <ScriptTextView
              script={props.workbench.script()}
              format={format()}
              onApply={(script) => props.workbench.setScript(script)}
            />
          )}
        </Show>
      </div>
      <ResultsStrip results={results()} />
      <TrustDialog />
    </div>
  );
}

/**
 * The Blocks Mode editor. Takes the workbench from `props.workbench` or from
 * `WorkbenchContext`; without either it says so instead of failing.
 */
export function BlocksMode(props: Partial<BlocksModeProps>) {
  ensurePanelStyles();
  const workbench = resolveWorkbench(props.workbench);
  if (!workbench) {
    return (
      <p class="viwo-error" role="alert">
        BlocksMode needs the shared workbench (pass `workbench` or provide WorkbenchContext).
      </p>
    );
  }
  return <BlocksModeEditor {...props} workbench={workbench} />;
}
