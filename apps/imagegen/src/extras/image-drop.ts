import { parseText } from '@viwo/script';
import type { Workbench } from '../state/workbench.ts';
import { markUntrusted } from '../templates/trust-gate.ts';
import { extractEmbeddedScript, isScriptImageFile } from './embedded-script.ts';

/**
 * Restores the workflow of a PNG, JPEG or WebP dropped anywhere on the app. Like a PNG loaded from
 * the Templates drawer, the script is untrusted: the first run asks in the trust dialog. Drops a
 * target inside the app already handled (the Layer Mode canvas, a layer row) are left alone, and
 * so are other files (template JSON is the Templates drawer's). Returns the uninstaller.
 */
export function installImageDrop(workbench: Pick<Workbench, 'setScript' | 'toast'>): () => void {
  const over = (event: DragEvent) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  };
  const drop = (event: DragEvent) => {
    if (event.defaultPrevented) return;
    const images = [...(event.dataTransfer?.files ?? [])].filter(isScriptImageFile);
    if (images.length === 0) return;
    event.preventDefault();
    // The last file wins when several are dropped: one workflow can be open at a time.
    void loadImageScript(images.at(-1)!, workbench);
  };
  window.addEventListener('dragover', over);
  window.addEventListener('drop', drop);
  return () => {
    window.removeEventListener('dragover', over);
    window.removeEventListener('drop', drop);
  };
}

/** Reads the script a file carries into the workbench (untrusted), or toasts why it cannot. */
export async function loadImageScript(
  file: File,
  workbench: Pick<Workbench, 'setScript' | 'toast'>,
): Promise<void> {
  try {
    const embedded = extractEmbeddedScript(new Uint8Array(await file.arrayBuffer()));
    const script = embedded.form === 'json' ? embedded.script : parseText(embedded.text);
    workbench.setScript(script);
    markUntrusted(`image ${file.name}`);
    workbench.toast('info', `Loaded the workflow embedded in ${file.name}`);
  } catch (error) {
    workbench.toast('error', `${file.name}: ${(error as Error).message}`);
  }
}
