/**
 * Images dropped anywhere on the app, or pasted from the clipboard. A PNG this app produced opens
 * its workflow (untrusted until confirmed, undoable); any other image becomes a new raster layer
 * of the canvas (uploaded to the server's image store first, so the script stays reproducible).
 */
import { parseText } from '@viwo/script';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { authedFetch } from '../auth/auth-token.ts';
import { extractEmbeddedScript } from '../extras/embedded-script.ts';
import { appendImageLayer, freshLayerId } from '../gallery/gallery-actions.ts';
import { recordReplacement } from '../state/canvas-document.ts';
import { replaceCanvas, replaceOutcomeText } from '../state/canvas-replace.ts';
import type { Workbench } from '../state/workbench.ts';
import { PngScriptError } from '../templates/png-script.ts';

const IMAGE_TYPES = /^image\/(png|jpeg|webp)$/;
const isImageFile = (file: File) =>
  IMAGE_TYPES.test(file.type) || /\.(png|jpe?g|webp)$/i.test(file.name);

/** Replaces the canvas with a workflow from a file (asking first): untrusted until confirmed. */
async function openWorkflow(workbench: Workbench, name: string, script: unknown): Promise<void> {
  const label = `the workflow in ${name}`;
  const outcome = await replaceCanvas(workbench, { script, label, untrusted: `image ${name}` });
  const text = replaceOutcomeText(outcome, label);
  if (text) workbench.toast('info', text);
}

/** Opens a dropped/pasted image: a viwo PNG/JPEG/WebP's workflow, otherwise a new layer. */
export async function openImageFile(workbench: Workbench, file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // PNG (its `viwo` chunk) and JPEG/WebP served or exported by this app (XMP) carry the workflow
  // in the same form: one extractor reads all three.
  let workflow: unknown;
  try {
    const embedded = extractEmbeddedScript(bytes);
    workflow = embedded.form === 'json' ? embedded.script : parseText(embedded.text);
  } catch (error) {
    // No workflow inside: an ordinary picture, added as a layer below.
    if (!(error instanceof PngScriptError)) throw error;
  }
  if (workflow !== undefined) {
    await openWorkflow(workbench, file.name, workflow);
    return;
  }
  const response = await authedFetch('/images', {
    method: 'POST',
    body: new Blob([bytes], { type: file.type || 'image/png' }),
  });
  const body = (await response.json()) as { $image: string; width: number; height: number } & {
    error?: string;
  };
  if (!response.ok) throw new Error(body.error ?? `upload failed (${response.status})`);
  const script = workbench.script();
  const id = freshLayerId(script, 'image');
  recordReplacement(script);
  workbench.setScript(appendImageLayer(script, body, id, file.name || 'Pasted image'));
  workbench.setMode('layer');
  workbench.toast('info', `${file.name || 'The pasted image'} added as a layer`);
}

/** Window-wide drop and paste handling, with a hint while files are dragged over the app. */
export function FileDrop(props: { workbench: Workbench }) {
  const [over, setOver] = createSignal(false);
  const open = async (files: File[]) => {
    for (const file of files) {
      try {
        await openImageFile(props.workbench, file);
      } catch (error) {
        props.workbench.toast('error', `${file.name}: ${(error as Error).message}`);
      }
    }
  };
  onMount(() => {
    const dragover = (event: DragEvent) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      setOver(true);
    };
    const dragleave = (event: DragEvent) => {
      if (event.relatedTarget === null) setOver(false);
    };
    const drop = (event: DragEvent) => {
      setOver(false);
      const images = [...(event.dataTransfer?.files ?? [])].filter(isImageFile);
      // Other files (template JSON) are left to the templates panel's own handler.
      if (event.defaultPrevented || images.length === 0) return;
      event.preventDefault();
      void open(images);
    };
    const paste = (event: ClipboardEvent) => {
      const images = [...(event.clipboardData?.files ?? [])].filter(isImageFile);
      if (images.length === 0) return;
      event.preventDefault();
      void open(images);
    };
    window.addEventListener('dragover', dragover);
    window.addEventListener('dragleave', dragleave);
    window.addEventListener('drop', drop);
    window.addEventListener('paste', paste);
    onCleanup(() => {
      window.removeEventListener('dragover', dragover);
      window.removeEventListener('dragleave', dragleave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('paste', paste);
    });
  });
  return (
    <Show when={over()}>
      <div class="drop-hint" data-testid="drop-hint">
        Drop a PNG made here to open its workflow, or any image to add it as a layer
      </div>
    </Show>
  );
}
