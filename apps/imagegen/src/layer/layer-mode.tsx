import {
  type CanvasOperation,
  type CanvasState,
  canvasOperations,
  canvasScript,
  record,
  scriptToLayers,
} from '@viwo/canvas';
import { type ImageFormat, isImageValue } from '@viwo/protocol';
import { printText } from '@viwo/script';
import {
  createEffect,
  createMemo,
  createSignal,
  onCleanup,
  onMount,
  Show,
  untrack,
} from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';
import { errorMessage } from '../blocks/workbench-api.ts';
import { ExportButtons } from '../extras/export-buttons.tsx';
import { imageWithScript, saveBlob } from '../extras/image-export.ts';
import { canvasDocument } from '../state/canvas-document.ts';
import { replaceCanvas, replaceOutcomeText } from '../state/canvas-replace.ts';
import { QueueJobError, queueClient } from '../state/queue-client.ts';
import { canvasSize } from '../state/settings.ts';
import type { Workbench } from '../state/workbench.ts';
import { TrustDialog } from '../templates/trust-dialog.tsx';
import { confirmRun } from '../templates/trust-gate.ts';
import { uploadSurface } from './canvas-uploads.ts';
import { CanvasView, type Tool } from './canvas-view.tsx';
import { GeneratePanel, type GenerateRequest } from './generate-panel.tsx';
import { planGeneration } from './generation.ts';
import { ImageCache } from './image-cache.ts';
import { LayersPanel } from './layers-panel.tsx';
import { backend, recordCost, runwareModel, toRunwarePlan } from './runware-backend.ts';
import { RunwareBackendControls } from './runware-backend-controls.tsx';
import { createStaging, StagedOverlay, StagingBar } from './staging-bar.tsx';
import { ToolsPanel } from './tools-panel.tsx';

/** The script a fresh canvas starts from: the saved default size, one white-backed raster layer. */
export function newCanvasScript(): unknown {
  const { width, height } = canvasSize();
  return canvasScript([
    record.init(width, height, '#ffffff'),
    record.createLayer('layer-1', 'Layer 1', 'raster'),
  ]);
}

interface ResultTile {
  image: { $image: string; width: number; height: number };
  expression: unknown;
}

let sharedCache: ImageCache | undefined;

/**
 * The tab's one image cache: surfaces survive mode switches, and recorded results come from the
 * canvas document. Generating expressions without a recorded result (workflows from elsewhere)
 * run only after the trust gate agreed.
 */
function imageCacheFor(workbench: Workbench): ImageCache {
  sharedCache ??= new ImageCache((script) => runConfirmed(workbench, script), canvasDocument());
  return sharedCache;
}

/** Runs a script once the trust gate agreed that the loaded script may run. */
async function runConfirmed(workbench: Workbench, script: unknown) {
  if (!(await confirmRun(workbench.script(), workbench.capabilities())))
    throw new Error('not run: the loaded script was not confirmed');
  return workbench.execute(script);
}

function download(name: string, content: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([content], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/**
 * Layer Mode: the layered canvas whose every action appends a canvas opcode to the shared script.
 * The view is always `scriptToLayers(script)`, so a script from Blocks Mode or a template shows
 * as layers and unknown calls survive as locked opaque layers.
 */
export function LayerMode(props: { workbench: Workbench }) {
  const workbench = props.workbench;
  const cache = imageCacheFor(workbench);
  const canvasDoc = canvasDocument();
  const [declined, setDeclined] = createSignal(cache.declinedCount());
  const [revision, setRevision] = createSignal(0);
  const [tool, setTool] = createSignal<Tool>('brush');
  const [brushSize, setBrushSize] = createSignal(16);
  const [hardness, setHardness] = createSignal(1);
  const [color, setColor] = createSignal('#1f6feb');
  const [activeId, setActiveId] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);

  const operations = () => canvasOperations(workbench.script());
  let state: CanvasState = scriptToLayers(workbench.script()).state;
  const replay = createMemo(() => {
    revision();
    const outcome = scriptToLayers(workbench.script(), (image) => cache.get(image));
    state = outcome.state;
    if (outcome.unresolved.length > 0) {
      // Untracked: resolving may open the trust dialog (signals this memo must not depend on).
      untrack(() =>
        cache.resolve(outcome.unresolved).then(
          (added) => added > 0 && setRevision((value) => value + 1),
          (error: unknown) => {
            setDeclined(cache.declinedCount());
            workbench.toast('error', `could not load an image: ${(error as Error).message}`);
          },
        ),
      );
    }
    return outcome;
  });
  const layers = () => replay().state.layers;

  createEffect(() => {
    const ids = layers().map((layer) => layer.id);
    if (!activeId() || !ids.includes(activeId()!))
      setActiveId(
        layers()
          .filter((layer) => !layer.locked)
          .at(-1)?.id,
      );
  });

  // Undo lives in the canvas document: it survives mode switches and reloads.
  const replaceScript = (next: unknown) => {
    canvasDoc.pushUndo(workbench.script());
    workbench.setScript(next);
  };
  /** New canvas asks like any replacement when this one holds work (Open in new tab keeps it). */
  const startNewCanvas = async () => {
    const label = 'a new blank canvas';
    const outcome = await replaceCanvas(workbench, {
      script: newCanvasScript(),
      label,
      untrusted: null,
      mode: 'layer',
    });
    const text = replaceOutcomeText(outcome, label);
    if (text) workbench.toast('info', text);
  };
  const commit = (added: CanvasOperation[]) =>
    replaceScript(canvasScript([...operations(), ...added]));
  const undo = () => {
    const previous = canvasDoc.undo(workbench.script());
    if (previous !== undefined) workbench.setScript(previous);
  };
  const redo = () => {
    const next = canvasDoc.redo(workbench.script());
    if (next !== undefined) workbench.setScript(next);
  };
  const historySize = () => canvasDoc.history();

  const freshId = (prefix: string) => {
    const taken = new Set(layers().map((layer) => layer.id));
    let index = layers().length + 1;
    while (taken.has(`${prefix}-${index}`)) index++;
    return `${prefix}-${index}`;
  };
  // A second mask is "Mask 2", not another "Mask": layers are told apart by name in the panel.
  const uniqueName = (base: string) => {
    const taken = new Set(layers().map((layer) => layer.name));
    if (!taken.has(base)) return base;
    let index = 2;
    while (taken.has(`${base} ${index}`)) index++;
    return `${base} ${index}`;
  };
  const addLayer = (type: 'raster' | 'control' | 'mask' | 'region') => {
    const id = freshId(type === 'raster' ? 'layer' : type);
    const name = uniqueName(
      {
        raster: `Layer ${layers().length + 1}`,
        mask: 'Mask',
        control: 'Control',
        region: 'Region',
      }[type],
    );
    commit([
      record.createLayer(id, name, type, type === 'control' ? { controlType: 'canny' } : undefined),
    ]);
    setActiveId(id);
    return id;
  };

  const onStroke = (points: [number, number][]) => {
    const current = tool();
    let target = layers().find((layer) => layer.id === activeId());
    // A region is painted like a mask: the mask tool paints the selected region, if one is.
    if (current === 'mask' && target?.type !== 'mask' && target?.type !== 'region') {
      const mask = layers().find((layer) => layer.type === 'mask' && !layer.locked);
      const id = mask?.id ?? freshId('mask');
      const created = mask ? [] : [record.createLayer(id, 'Mask', 'mask')];
      commit([...created, record.stroke(id, points, '#ffffff', brushSize(), 'mask', hardness())]);
      setActiveId(id);
      return;
    }
    if (!target || target.locked || target.type === 'opaque') {
      workbench.toast('error', 'Select an unlocked layer to draw on');
      setRevision((value) => value + 1);
      return;
    }
    target = target!;
    commit([
      record.stroke(
        target.id,
        points,
        current === 'eraser' ? '#000000' : color(),
        brushSize(),
        current === 'eraser'
          ? 'eraser'
          : target.type === 'mask' || target.type === 'region'
            ? 'mask'
            : 'brush',
        hardness(),
      ),
    ]);
  };

  const runwareAvailable = () =>
    workbench.capabilities().some((capability) => capability.type === 'runware');
  const useRunware = () => runwareAvailable() && backend() === 'runware';
  // Generation goes through the server's queue: Generate stays enabled, each click queues a job.
  const generate = async (request: GenerateRequest) => {
    try {
      // ControlNet counts only when a model makes `apply` available (preprocess alone is not enough).
      const available = (type: string) =>
        workbench
          .capabilities()
          .some(
            (capability) =>
              capability.type === type &&
              (type !== 'controlnet.generate' ||
                capability.methods.some((method) => method.name === 'apply')),
          );
      const cloud = useRunware();
      const local = await planGeneration(request, state, available);
      const plan = cloud ? toRunwarePlan(local, runwareModel()) : local;
      // Cloud calls do not wait in the local device queue (they have their own limit on the
      // server); local generation goes through the server's queue.
      const outcome = cloud
        ? await workbench.execute(plan.script)
        : await queueClient().run(plan.script, {
            mode: request.mode,
            prompt: request.prompt,
            model: request.options.model_id ?? 'default model',
            size: `${Math.round(state.bbox.width)}×${Math.round(state.bbox.height)}`,
            seed: request.options.seed ?? 0,
            batch: request.batch,
          });
      if (cloud) recordCost(outcome);
      const images = (
        Array.isArray(outcome.result) ? outcome.result : [outcome.result]
      ) as ResultTile['image'][];
      if (plan.kind === 'place' && plan.expressions.length > 1) {
        // A batch is staged on the canvas at the box: accept, discard or step through it.
        staging.start(
          images.map((image, index) => ({ image, expression: plan.expressions[index] })),
          { x: plan.x, y: plan.y, width: images[0]!.width, height: images[0]!.height },
        );
        workbench.toast('info', `${images.length} variations staged: accept one or step through`);
        return;
      }
      if (plan.kind === 'grow') {
        // Outpaint/upscale: the canvas takes the result's size (one undo step with the layer).
        const image = images[0]!;
        const resize = plan.resize ?? {
          width: image.width,
          height: image.height,
          anchorX: 0,
          anchorY: 0,
        };
        await cache.remember(plan.expressions[0], image);
        const id = freshId('gen');
        commit([
          record.resize(resize.width, resize.height, resize.anchorX, resize.anchorY),
          record.createLayer(id, request.mode === 'upscale' ? 'Upscaled' : 'Outpainted', 'raster'),
          record.loadImage(id, plan.expressions[0], 0, 0),
        ]);
        setActiveId(id);
        workbench.toast(
          'info',
          `Canvas is now ${image.width}×${image.height}: the result is a new layer (Undo reverts)`,
        );
        return;
      }
      await place(images[0]!, plan.expressions[0]);
      workbench.toast('info', 'Result placed in a new layer');
    } catch (error) {
      if (error instanceof QueueJobError && error.code === 'Cancelled')
        workbench.toast('info', 'Job cancelled');
      else workbench.toast('error', errorMessage(error));
    }
  };
  const staging = createStaging((result) => place(result.image, result.expression));
  // The running job's latent preview, drawn at the box while this canvas waits for it.
  const livePreview = () => {
    const running = queueClient()
      .state()
      .items.find((item) => item.status === 'running');
    return running?.job_id
      ? workbench.jobs().find((job) => job.jobId === running.job_id && !job.done)?.preview
      : undefined;
  };
  const place = async (image: ResultTile['image'], expression: unknown) => {
    await cache.remember(expression, image);
    const id = freshId('gen');
    const seed = (expression as unknown[])?.at?.(-1) as { seed?: number } | undefined;
    commit([
      record.createLayer(
        id,
        `Generated${seed?.seed !== undefined ? ` (seed ${seed.seed})` : ''}`,
        'raster',
      ),
      record.loadImage(id, expression, state.bbox.x, state.bbox.y),
    ]);
    setActiveId(id);
  };

  // The preprocessed control image is recorded as the generating expression, so the script stays
  // reproducible headless; the composite is uploaded first (it is the control source).
  const preprocessInto = async (id: string) => {
    const layer = layers().find((candidate) => candidate.id === id);
    if (!layer) return;
    setBusy(true);
    try {
      const source = await uploadSurface(state.composite());
      const expression = [
        'std.call_method',
        ['get_capability', 'controlnet.generate'],
        'preprocess',
        source,
        layer.controlType ?? 'canny',
        {},
      ];
      const outcome = await workbench.execute(expression);
      await cache.remember(expression, outcome.result);
      commit([record.loadImage(id, expression, 0, 0)]);
      workbench.toast(
        'info',
        `Control layer filled with the ${layer.controlType ?? 'canny'} preprocessor`,
      );
    } catch (error) {
      workbench.toast('error', (error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // The server renders the composite (same rasteriser), then the script rides in a tEXt chunk.
  const exportAs = async (format: ImageFormat) => {
    try {
      const outcome = await runConfirmed(
        workbench,
        canvasScript([...operations(), record.composite()]),
      );
      if (!isImageValue(outcome.result)) throw new Error('the composite gave no image');
      saveBlob(
        `canvas.${format}`,
        await imageWithScript(outcome.result, format, workbench.script()),
      );
    } catch (error) {
      workbench.toast(
        'error',
        `${format.toUpperCase()} export failed: ${(error as Error).message}`,
      );
    }
  };

  const onKey = (event: KeyboardEvent) => {
    if (workbench.mode() !== 'layer') return;
    // Ctrl+Enter generates from anywhere, including the prompt box where it is typed most.
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      document.querySelector<HTMLButtonElement>('[data-testid=generate]')?.click();
      return;
    }
    if (
      event.target instanceof HTMLInputElement ||
      event.target instanceof HTMLTextAreaElement ||
      event.target instanceof HTMLSelectElement
    )
      return;
    if (workbench.mode() !== 'layer') return;
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && key === 'z') {
      event.preventDefault();
      if (event.shiftKey) redo();
      else undo();
    } else if (!event.ctrlKey && !event.metaKey) {
      const chosen = ({ b: 'brush', e: 'eraser', m: 'mask', v: 'bbox' } as Record<string, Tool>)[
        key
      ];
      if (chosen) setTool(chosen);
    }
  };
  onMount(() => {
    window.addEventListener('keydown', onKey);
    // Automation hook: browser tests compare this composite with the server's headless one.
    (window as unknown as { __viwoComposite: () => Uint8ClampedArray }).__viwoComposite = () =>
      state.composite().data;
  });
  onCleanup(() => window.removeEventListener('keydown', onKey));

  return (
    <div class="layer-mode" data-testid="layer-mode">
      <TrustDialog />
      <aside class="left-panel">
        <ToolsPanel
          tool={tool}
          onTool={setTool}
          brushSize={brushSize}
          onBrushSize={setBrushSize}
          hardness={hardness}
          onHardness={setHardness}
          color={color}
          onColor={setColor}
          canUndo={() => historySize().undo > 0}
          canRedo={() => historySize().redo > 0}
          onUndo={undo}
          onRedo={redo}
        />
        <GeneratePanel
          capabilities={workbench.capabilities}
          bbox={() => replay().state.bbox}
          busy={busy}
          onGenerate={(request) => void generate(request)}
          hidden={() => (useRunware() ? ['model_id', 'scheduler'] : [])}
        >
          <RunwareBackendControls rpc={workbench.rpc} available={runwareAvailable} />
        </GeneratePanel>
      </aside>
      <main class="center-panel">
        <CanvasView
          state={() => replay().state}
          revision={() => replay() && revision()}
          tool={tool}
          brushSize={brushSize}
          color={color}
          onStroke={onStroke}
          onBbox={(x, y, width, height) => commit([record.bbox(x, y, width, height)])}
        >
          <StagedOverlay
            staging={staging}
            canvasWidth={() => replay().state.width}
            canvasHeight={() => replay().state.height}
          />
          <Show when={!staging.staging() && livePreview()}>
            {(source) => (
              <img
                class="staged-image live-preview"
                data-testid="live-preview"
                alt="generating…"
                src={authedSrc(source())}
                style={{
                  left: `${(replay().state.bbox.x / replay().state.width) * 100}%`,
                  top: `${(replay().state.bbox.y / replay().state.height) * 100}%`,
                  width: `${(replay().state.bbox.width / replay().state.width) * 100}%`,
                  height: `${(replay().state.bbox.height / replay().state.height) * 100}%`,
                }}
              />
            )}
          </Show>
        </CanvasView>
        <StagingBar staging={staging} />
        <div class="canvas-footer">
          <span data-testid="op-count">{operations().length} operations</span>
          <button
            type="button"
            data-testid="export-viwo"
            onClick={() => download('canvas.viwo', printText(workbench.script()), 'text/plain')}
          >
            Export .viwo
          </button>
          <button
            type="button"
            data-testid="export-json"
            onClick={() =>
              download(
                'canvas.json',
                JSON.stringify(workbench.script(), null, 2),
                'application/json',
              )
            }
          >
            Export JSON
          </button>
          <ExportButtons onExport={(format) => void exportAs(format)} />
          <button type="button" data-testid="new-canvas" onClick={() => void startNewCanvas()}>
            New canvas
          </button>
        </div>
      </main>
      <aside class="right-panel">
        <LayersPanel
          layers={layers}
          activeId={activeId}
          onSelect={setActiveId}
          onAdd={addLayer}
          onDelete={(id) => commit([record.deleteLayer(id)])}
          onUpdate={(id, changes) => commit([record.updateLayer(id, changes)])}
          onMove={(id, index) => commit([record.moveLayer(id, index)])}
          controlTypes={() =>
            (
              workbench
                .capabilities()
                .find((capability) => capability.type === 'controlnet.generate')
                ?.methods.find((method) => method.name === 'preprocess')
                ?.params.find((param) => param.name === 'type')?.options ?? []
            ).map(String)
          }
          onPreprocess={(id) => void preprocessInto(id)}
        />
        <Show when={declined() > 0}>
          <p class="problem" data-testid="declined-banner">
            {declined()} generated image(s) are not shown: the script came from elsewhere and was
            not confirmed.{' '}
            <button
              type="button"
              onClick={() => {
                cache.retry();
                setDeclined(0);
                setRevision((value) => value + 1);
              }}
            >
              Review and run
            </button>
          </p>
        </Show>
        <Show when={replay().problems.length > 0}>
          <p class="problem">
            {replay().problems.length} recorded operation(s) could not be shown:{' '}
            {replay().problems[0]!.message}
          </p>
        </Show>
      </aside>
    </div>
  );
}
