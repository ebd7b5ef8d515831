/**
 * Styles of the Blocks Mode, templates and gallery panels, injected once as a <style> element so
 * the panels look right in any shell. Colours come from `--viwo-*` variables, else the app shell's
 * theme variables (`--panel`, `--text`, … so the light theme applies), else a dark default.
 */

const STYLE_ID = 'viwo-panels-style';

const CSS = `
.viwo-blocks-mode, .viwo-templates-panel, .viwo-gallery-panel {
  color: var(--viwo-fg, var(--text, #e4e6eb)); font: 13px/1.4 system-ui, sans-serif;
}
.viwo-toolbar > button { flex: 0 0 auto; width: auto; white-space: nowrap; }
.viwo-toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 8px;
  background: var(--viwo-panel, var(--panel, #23262d)); border-bottom: 1px solid var(--viwo-border, var(--border, #3a3f4a)); }
.viwo-blocks-mode button, .viwo-templates-panel button, .viwo-gallery-panel button,
.viwo-modal button {
  background: var(--viwo-button, var(--panel-2, #343a46)); color: inherit; border: 1px solid var(--viwo-border, var(--border, #3a3f4a));
  border-radius: 4px; padding: 3px 10px; cursor: pointer; font: inherit;
}
.viwo-blocks-mode button.primary, .viwo-templates-panel button.primary, .viwo-modal button.primary {
  background: var(--viwo-accent, var(--accent, #3d7be0)); border-color: transparent; color: #fff;
}
.viwo-blocks-mode button:disabled { opacity: .5; cursor: default; }
.viwo-gallery-panel a, .viwo-templates-panel a { color: var(--viwo-accent, var(--accent, #6ea8ff)); }
.viwo-error { color: var(--viwo-error, var(--danger, #ff7b72)); }
.viwo-status { color: var(--viwo-muted, var(--muted, #9aa3b2)); }
.viwo-progress { color: var(--viwo-muted, var(--muted, #9aa3b2)); font-variant-numeric: tabular-nums; }
.viwo-text-view { width: 40%; min-width: 280px; display: flex; flex-direction: column; gap: 6px; padding: 6px;
  background: var(--viwo-panel, var(--panel, #23262d)); }
.viwo-text-view textarea { flex: 1; min-height: 200px; font: 12px/1.5 ui-monospace, monospace;
  background: var(--viwo-input, var(--bg, #15171b)); color: inherit; border: 1px solid var(--viwo-border, var(--border, #3a3f4a)); }
.viwo-results-strip { display: flex; gap: 8px; overflow-x: auto; padding: 6px 8px; min-height: 24px;
  background: var(--viwo-panel, var(--panel, #23262d)); border-top: 1px solid var(--viwo-border, var(--border, #3a3f4a)); }
.viwo-results-strip { flex: 0 0 auto; max-height: 140px; }
.viwo-result { display: flex; flex-direction: column; align-items: center; gap: 2px; flex: 0 0 auto; }
.viwo-result-images { display: flex; gap: 4px; }
.viwo-result img { height: 96px; width: auto; border-radius: 3px; background: #000; }
.viwo-templates-panel, .viwo-gallery-panel { display: flex; flex-direction: column; gap: 6px; padding: 8px; }
.viwo-panel-header { display: flex; gap: 6px; align-items: center; }
.viwo-panel-header h3 { margin: 0 auto 0 0; font-size: 14px; }
.viwo-templates-panel input, .viwo-templates-panel textarea, .viwo-gallery-panel input,
.viwo-gallery-panel select {
  background: var(--viwo-input, var(--bg, #15171b)); color: inherit; border: 1px solid var(--viwo-border, var(--border, #3a3f4a));
  border-radius: 4px; padding: 3px 6px; font: inherit;
}
.viwo-template-list, .viwo-gallery-list { list-style: none; margin: 0; padding: 0; display: flex;
  flex-direction: column; gap: 6px; }
.viwo-template-list li, .viwo-gallery-entry { padding: 6px; border-radius: 4px;
  background: var(--viwo-panel, var(--panel, #23262d)); border: 1px solid var(--viwo-border, var(--border, #3a3f4a)); }
.viwo-template-title { display: flex; gap: 6px; align-items: center; background: none !important;
  border: none !important; padding: 0 !important; text-align: left; }
.viwo-template-actions, .viwo-gallery-actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.viwo-tags { color: var(--viwo-muted, var(--muted, #9aa3b2)); display: block; }
.viwo-save-template, .viwo-exposed { display: flex; flex-direction: column; gap: 4px; }
.viwo-gallery-filters { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.viwo-gallery-images { display: flex; gap: 6px; flex-wrap: wrap; }
.viwo-gallery-images figure { margin: 0; }
.viwo-thumb { padding: 0 !important; background: none !important; }
.viwo-gallery-meta { display: flex; flex-direction: column; gap: 2px; margin-top: 4px; }
.viwo-gallery-entry pre { max-height: 200px; overflow: auto; font-size: 11px; }
.viwo-link { background: none !important; border: none !important; padding: 0 !important;
  color: var(--viwo-accent, var(--accent, #6ea8ff)) !important; text-decoration: underline; }
.viwo-modal-backdrop { position: fixed; inset: 0; background: rgba(0, 0, 0, .6); display: flex;
  align-items: center; justify-content: center; z-index: 1000; }
.viwo-modal { background: var(--viwo-panel, var(--panel, #23262d)); color: var(--viwo-fg, var(--text, #e4e6eb)); padding: 16px 20px;
  border-radius: 8px; max-width: 520px; box-shadow: 0 8px 32px rgba(0, 0, 0, .5); }
.viwo-modal h3 { margin-top: 0; }
.viwo-modal-actions { display: flex; justify-content: flex-end; gap: 8px; }
.viwo-modal-actions > button { flex: 0 0 auto; width: auto; }
.viwo-replace-dialog { max-width: min(520px, calc(100vw - 32px)); max-height: calc(100vh - 32px);
  overflow: auto; box-sizing: border-box; }
.viwo-replace-dialog .viwo-modal-actions { flex-wrap: wrap; }
.viwo-full-image-close { background: none !important; border: none !important; padding: 0 !important; }
.viwo-full-image { max-width: 90vw; max-height: 90vh; }
`;

/** Adds the panels' stylesheet to the document once. */
export function ensurePanelStyles(): void {
  if (typeof document === 'undefined' || document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  document.head.append(style);
}
