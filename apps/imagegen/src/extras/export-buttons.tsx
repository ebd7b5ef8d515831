import '../extras/workbench-extras.css';
import type { ImageFormat, ImageValue } from '@viwo/protocol';
import { For } from 'solid-js';
import { authedSrc } from '../auth/authed-image.ts';
import { EXPORT_FORMATS, exportPath } from './image-export.ts';

/**
 * Layer Mode's export buttons, one per format (PNG keeps its old `export-png` test id). A div, not
 * a span: the canvas footer styles its spans as the muted operation count.
 */
export function ExportButtons(props: { onExport(format: ImageFormat): void }) {
  return (
    <div class="export-format">
      <For each={EXPORT_FORMATS}>
        {(entry) => (
          <button
            type="button"
            data-testid={`export-${entry.format}`}
            title={`The composite as ${entry.label}, with the canvas script embedded`}
            onClick={() => props.onExport(entry.format)}
          >
            Export {entry.label}
          </button>
        )}
      </For>
    </div>
  );
}

/**
 * Download links of a stored image in PNG, JPEG and WebP, straight from the server's
 * `/images/<sha>.png|.jpg|.webp` routes (each carries the script and A1111 parameters).
 */
export function ImageDownloads(props: { image: ImageValue }) {
  const name = (format: ImageFormat) => `viwo-${props.image.$image.slice(0, 12)}.${format}`;
  return (
    <span class="export-format">
      <For each={EXPORT_FORMATS}>
        {(entry) => (
          <a
            href={authedSrc(exportPath(props.image, entry.format))}
            download={name(entry.format)}
            data-testid={`gallery-download-${entry.format}`}
            title={`Download as ${entry.label}`}
          >
            {entry.label}
          </a>
        )}
      </For>
    </span>
  );
}
