/**
 * Workflow templates: save the shared script as a template, list/search/load/rename/delete,
 * export/import `.viwo-template.json` files, and load a workflow from a PNG this app produced
 * (drop it anywhere on the window). Imported templates and PNGs are untrusted until their first
 * confirmed run.
 */
import { imagePath } from '@viwo/protocol';
import { parseText } from '@viwo/script';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';
import { ensurePanelStyles } from '../blocks/panel-styles.ts';
import type { ScriptTextFormat } from '../blocks/script-text-view.tsx';
import { errorMessage, resolveWorkbench, type WorkbenchApi } from '../blocks/workbench-api.ts';
import { extractEmbeddedScript, isScriptImageFile } from '../extras/embedded-script.ts';
import {
  renamedTemplate,
  type TemplateRecord,
  templateExportOf,
  templatesApi,
} from '../rpc/templates-api.ts';
import { ReplaceDialog } from '../shell/replace-dialog.tsx';
import { replaceCanvas, replaceOutcomeText } from '../state/canvas-replace.ts';
import { BUILTIN_TEMPLATES } from './builtin-templates.ts';
import { ExposedInput } from './exposed-input.tsx';
import { downloadJson } from './file-download.ts';
import { sameWorkflow, unknownOpcodes } from './import-checks.ts';
import { SaveTemplateForm } from './save-template-form.tsx';
import {
  filterTemplates,
  type KeyValueStorage,
  readTemplateCache,
  writeTemplateCache,
} from './template-cache.ts';
import {
  exposedParams,
  parseTemplateFile,
  templateFileName,
  valueAtPath,
  withValueAtPath,
} from './template-file.ts';
import { TrustDialog } from './trust-dialog.tsx';

const UNTRUSTED_KEY = 'viwo.templates.untrusted.v1';
/** How often the list is re-fetched while the server is unreachable. */
const RETRY_MS = 5_000;

/** Props of the templates panel. */
export interface TemplatesPanelProps {
  workbench: WorkbenchApi;
  /** Parser for text-form scripts found in PNGs (defaults to `@viwo/script` parseText). */
  textFormat?: ScriptTextFormat;
  /** Storage for the offline cache (defaults to localStorage). */
  storage?: KeyValueStorage;
}

function untrustedIds(storage: KeyValueStorage): Set<string> {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(UNTRUSTED_KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((id) => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

function setUntrusted(storage: KeyValueStorage, id: string, untrusted: boolean): void {
  const ids = untrustedIds(storage);
  if (untrusted) ids.add(id);
  else ids.delete(id);
  try {
    storage.setItem(UNTRUSTED_KEY, JSON.stringify([...ids]));
  } catch {
    // Storage full: the template is then treated as trusted next time, which the user saved.
  }
}

/** The templates panel. */
function TemplatesPanelView(props: TemplatesPanelProps) {
  const storage = (): KeyValueStorage => props.storage ?? localStorage;
  const [stored, setStored] = createSignal<TemplateRecord[]>(readTemplateCache(storage()));
  const [offline, setOffline] = createSignal(false);
  const [query, setQuery] = createSignal('');
  const [message, setMessage] = createSignal<{ kind: 'info' | 'error'; text: string }>();
  const [saving, setSaving] = createSignal(false);
  const [selected, setSelected] = createSignal<string>();
  const [exposedValues, setExposedValues] = createSignal<Record<string, unknown>>({});
  let fileInput: HTMLInputElement | undefined;

  const all = () => [...BUILTIN_TEMPLATES, ...stored()];
  const visible = () => filterTemplates(all(), query());
  const rpc = () => props.workbench.rpc;
  const templates = () => templatesApi(rpc());

  let retry: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const refresh = async () => {
    clearTimeout(retry);
    try {
      const list = await templates().list();
      setStored(list);
      if (offline()) setMessage(undefined);
      setOffline(false);
      writeTemplateCache(storage(), list);
    } catch (error) {
      setOffline(true);
      setMessage({
        kind: 'error',
        text: `cannot reach the server (${errorMessage(error)}); showing the cached list`,
      });
      // Keep trying while the panel is shown, so the list comes back after a reconnect.
      if (!disposed) retry = setTimeout(() => void refresh(), RETRY_MS);
    }
  };

  const load = async (template: TemplateRecord) => {
    let script = template.script;
    const values = exposedValues();
    for (const param of exposedParams(template)) {
      const key = JSON.stringify(param.path);
      if (key in values) script = withValueAtPath(script, param.path, values[key]);
    }
    const imported = !template.builtin && untrustedIds(storage()).has(template.id);
    const label = `template "${template.name}"`;
    const outcome = await replaceCanvas(props.workbench, {
      script,
      label,
      untrusted: imported ? `${label} (imported)` : null,
      onTrusted: imported ? () => setUntrusted(storage(), template.id, false) : undefined,
    });
    const text = replaceOutcomeText(outcome, label);
    if (text) setMessage({ kind: 'info', text });
  };

  const remove = async (template: TemplateRecord) => {
    if (!confirm(`Delete template "${template.name}"?`)) return;
    try {
      await templates().remove(template.id);
      setUntrusted(storage(), template.id, false);
      await refresh();
      setMessage({ kind: 'info', text: `deleted "${template.name}"` });
    } catch (error) {
      setMessage({ kind: 'error', text: `delete failed: ${errorMessage(error)}` });
    }
  };

  const rename = async (template: TemplateRecord) => {
    const name = prompt('New name', template.name)?.trim();
    if (!name || name === template.name) return;
    try {
      await templates().save(renamedTemplate(template, name));
      await refresh();
    } catch (error) {
      setMessage({ kind: 'error', text: `rename failed: ${errorMessage(error)}` });
    }
  };

  const exportTemplate = async (template: TemplateRecord) => {
    try {
      const document = template.builtin
        ? templateExportOf(template)
        : await templates().exportFile(template.id);
      downloadJson(templateFileName(template.name), document);
    } catch (error) {
      setMessage({ kind: 'error', text: `export failed: ${errorMessage(error)}` });
    }
  };

  const importTemplateText = async (text: string, fileName: string) => {
    try {
      const document = parseTemplateFile(text, fileName);
      const duplicate = sameWorkflow(stored(), document.script);
      if (duplicate) {
        setSelected(duplicate.id);
        setMessage({
          kind: 'info',
          text: `${fileName} is already in your templates as "${duplicate.name}"; nothing was added`,
        });
        return;
      }
      const imported = await templates().importFile(document);
      setUntrusted(storage(), imported.id, true);
      await refresh();
      const known = new Set(props.workbench.opcodes().map((info) => info.opcode));
      const missing = known.size > 0 ? unknownOpcodes(document.script, known) : [];
      setMessage(
        missing.length > 0
          ? {
              kind: 'error',
              text: `imported "${imported.name}", but it calls ${missing.join(', ')}, which this server does not have: runs will fail until that is installed`,
            }
          : { kind: 'info', text: `imported "${imported.name}"` },
      );
    } catch (error) {
      setMessage({ kind: 'error', text: `import of ${fileName} refused: ${errorMessage(error)}` });
    }
  };

  const loadPng = async (file: File) => {
    try {
      const embedded = extractEmbeddedScript(new Uint8Array(await file.arrayBuffer()));
      let script: unknown;
      if (embedded.form === 'json') script = embedded.script;
      else script = (props.textFormat?.parse ?? parseText)(embedded.text);
      const label = `the workflow in ${file.name}`;
      const outcome = await replaceCanvas(props.workbench, {
        script,
        label,
        untrusted: `image ${file.name}`,
      });
      const text = replaceOutcomeText(outcome, label);
      if (text) setMessage({ kind: 'info', text });
    } catch (error) {
      setMessage({ kind: 'error', text: `${file.name}: ${errorMessage(error)}` });
    }
  };

  const handleFiles = async (files: Iterable<File>) => {
    for (const file of files) {
      if (isScriptImageFile(file)) await loadPng(file);
      else await importTemplateText(await file.text(), file.name);
    }
  };

  onMount(() => {
    void refresh();
    const over = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      // A drop target inside the app (e.g. the Layer Mode canvas taking an image as a layer)
      // handles its own drops; only drops nobody claimed load a workflow.
      if (event.defaultPrevented) return;
      const files = event.dataTransfer?.files;
      if (!files || files.length === 0) return;
      event.preventDefault();
      void handleFiles([...files]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    // Reload after every reconnect (the server may have restarted with other templates).
    const unsubscribe = rpc().onState?.((state) => {
      if (state === 'open') void refresh();
    });
    onCleanup(() => {
      disposed = true;
      clearTimeout(retry);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
      unsubscribe?.();
    });
  });

  return (
    <div class="viwo-templates-panel" data-testid="templates-panel">
      <div class="viwo-panel-header">
        <h3>Templates</h3>
        <button type="button" data-testid="template-save-open" onClick={() => setSaving(!saving())}>
          Save current…
        </button>
        <button type="button" data-testid="template-import" onClick={() => fileInput?.click()}>
          Import…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json,.png,image/png,.jpg,.jpeg,image/jpeg,.webp,image/webp"
          data-testid="template-import-file"
          style={{ display: 'none' }}
          onChange={(event) => {
            const files = event.currentTarget.files;
            if (files) void handleFiles([...files]);
            event.currentTarget.value = '';
          }}
        />
      </div>
      <Show when={saving()}>
        <SaveTemplateForm
          workbench={props.workbench}
          onSaved={async (template) => {
            setSaving(false);
            await refresh();
            setMessage({ kind: 'info', text: `saved "${template.name}"` });
          }}
          onError={(text) => setMessage({ kind: 'error', text })}
        />
      </Show>
      <input
        type="search"
        placeholder="Search templates"
        data-testid="template-search"
        value={query()}
        onInput={(event) => setQuery(event.currentTarget.value)}
      />
      <Show when={offline()}>
        <p class="viwo-status">offline: cached list</p>
      </Show>
      <Show when={message()}>
        {(current) => (
          <p
            class={current().kind === 'error' ? 'viwo-error' : 'viwo-status'}
            role={current().kind === 'error' ? 'alert' : 'status'}
            data-testid="template-message"
          >
            {current().text}
          </p>
        )}
      </Show>
      <ul class="viwo-template-list" data-testid="template-list">
        <For each={visible()}>
          {(template) => (
            <li
              data-testid="template-item"
              data-template-id={template.id}
              data-template-name={template.name}
            >
              <button
                type="button"
                class="viwo-template-title"
                onClick={() => setSelected(selected() === template.id ? undefined : template.id)}
              >
                <Show when={template.thumbnail}>
                  {(thumbnail) => (
                    <img src={authedSrc(imagePath(thumbnail()))} alt="" width={40} height={40} />
                  )}
                </Show>
                <strong>{template.name}</strong>
                <Show when={template.builtin}>
                  <small> · built-in</small>
                </Show>
              </button>
              <Show when={template.tags && template.tags.length > 0}>
                <small class="viwo-tags">{template.tags!.join(', ')}</small>
              </Show>
              <Show when={selected() === template.id}>
                <p>{template.description}</p>
                <For each={exposedParams(template)}>
                  {(param) => (
                    <ExposedInput
                      param={param}
                      value={
                        exposedValues()[JSON.stringify(param.path)] ??
                        valueAtPath(template.script, param.path)
                      }
                      onChange={(value) =>
                        setExposedValues({
                          ...exposedValues(),
                          [JSON.stringify(param.path)]: value,
                        })
                      }
                    />
                  )}
                </For>
              </Show>
              <div class="viwo-template-actions">
                <button
                  type="button"
                  data-testid="template-load"
                  onClick={() => void load(template)}
                >
                  Load
                </button>
                <button
                  type="button"
                  data-testid="template-export"
                  onClick={() => void exportTemplate(template)}
                >
                  Export
                </button>
                <Show when={!template.builtin}>
                  <button
                    type="button"
                    data-testid="template-rename"
                    onClick={() => void rename(template)}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    data-testid="template-delete"
                    onClick={() => void remove(template)}
                  >
                    Delete
                  </button>
                </Show>
              </div>
            </li>
          )}
        </For>
      </ul>
      <TrustDialog />
      <ReplaceDialog />
    </div>
  );
}

/**
 * The templates panel. Takes the workbench from `props.workbench` or from
 * `WorkbenchContext`; without either it says so instead of failing.
 */
export function TemplatesPanel(props: Partial<TemplatesPanelProps>) {
  ensurePanelStyles();
  const workbench = resolveWorkbench(props.workbench);
  if (!workbench) {
    return (
      <p class="viwo-error" role="alert">
        TemplatesPanel needs the shared workbench (pass `workbench` or provide WorkbenchContext).
      </p>
    );
  }
  return <TemplatesPanelView {...props} workbench={workbench} />;
}
