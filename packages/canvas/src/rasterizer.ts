/** An RGBA8 pixel buffer with straight (non-premultiplied) alpha. */
export interface Surface {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Stroke tools: paint, erase alpha, or paint mask coverage (white). */
export type StrokeTool = 'brush' | 'eraser' | 'mask';

/** A parsed colour, channels 0–255, alpha 0–1. */
export interface Rgba {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

/** A blank (transparent) surface. */
export function createSurface(width: number, height: number): Surface {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/**
 * Parses `#rgb`, `#rrggbb`, `#rrggbbaa` or `rgba(r, g, b, a)`. Throws on anything else so a typo
 * in a recorded script is an error, not a silently black stroke.
 */
export function parseColor(color: string): Rgba {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim());
  if (hex) {
    let digits = hex[1]!;
    if (digits.length === 3) digits = [...digits].map((digit) => digit + digit).join('');
    const value = (offset: number) => Number.parseInt(digits.slice(offset, offset + 2), 16);
    return {
      red: value(0),
      green: value(2),
      blue: value(4),
      alpha: digits.length === 8 ? value(6) / 255 : 1,
    };
  }
  const functional = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(
    color.trim(),
  );
  if (functional) {
    const channel = (text: string) => Math.min(255, Number(text));
    return {
      red: channel(functional[1]!),
      green: channel(functional[2]!),
      blue: channel(functional[3]!),
      alpha: functional[4] === undefined ? 1 : Math.min(1, Number(functional[4])),
    };
  }
  throw new Error(`unsupported colour '${color}' (use #rrggbb, #rrggbbaa or rgba(r, g, b, a))`);
}

/**
 * Coverage of one stroke: discs of diameter `size` stamped along the polyline, combined by
 * maximum so overlapping stamps never darken (the stroke is one shape, applied once).
 * Hardness 1 gives a one-pixel anti-aliased edge; lower hardness a linear falloff from
 * `radius * hardness` to `radius`.
 *
 * Invariant: pure arithmetic on numbers only, so browser and server produce identical bytes.
 */
export function strokeCoverage(
  width: number,
  height: number,
  points: readonly (readonly [number, number])[],
  size: number,
  hardness: number,
): Float32Array {
  return strokeCoverageIn({ left: 0, top: 0, width, height }, points, size, hardness);
}

/** A rectangle of canvas pixels. */
export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * {@link strokeCoverage} restricted to `box` (coverage index `(y - top) * width + (x - left)`).
 * Every value is computed from absolute canvas coordinates exactly as the whole-canvas version
 * does, so the pixels inside the box are bit-identical to it.
 */
export function strokeCoverageIn(
  box: PixelBox,
  points: readonly (readonly [number, number])[],
  size: number,
  hardness: number,
): Float32Array {
  const coverage = new Float32Array(box.width * box.height);
  const radius = Math.max(0.5, size / 2);
  const inner = radius * Math.min(1, Math.max(0, hardness));
  const boxRight = box.left + box.width - 1;
  const boxBottom = box.top + box.height - 1;
  const stamp = (centerX: number, centerY: number) => {
    const left = Math.max(box.left, Math.floor(centerX - radius - 1));
    const right = Math.min(boxRight, Math.ceil(centerX + radius + 1));
    const top = Math.max(box.top, Math.floor(centerY - radius - 1));
    const bottom = Math.min(boxBottom, Math.ceil(centerY + radius + 1));
    for (let y = top; y <= bottom; y++) {
      for (let x = left; x <= right; x++) {
        const distance = Math.hypot(x + 0.5 - centerX, y + 0.5 - centerY);
        let value: number;
        if (inner >= radius - 0.5) value = Math.min(1, Math.max(0, radius - distance + 0.5));
        else
          value =
            distance <= inner ? 1 : distance >= radius ? 0 : (radius - distance) / (radius - inner);
        const index = (y - box.top) * box.width + (x - box.left);
        if (value > coverage[index]!) coverage[index] = value;
      }
    }
  };
  if (points.length === 0) return coverage;
  stamp(points[0]![0], points[0]![1]);
  const spacing = Math.max(0.5, radius / 4);
  for (let index = 1; index < points.length; index++) {
    const [fromX, fromY] = points[index - 1]!;
    const [toX, toY] = points[index]!;
    const steps = Math.max(1, Math.ceil(Math.hypot(toX - fromX, toY - fromY) / spacing));
    for (let step = 1; step <= steps; step++) {
      const t = step / steps;
      stamp(fromX + (toX - fromX) * t, fromY + (toY - fromY) * t);
    }
  }
  return coverage;
}

/** Applies a stroke's coverage to a surface with the tool's blend rule. */
export function applyStroke(
  surface: Surface,
  coverage: Float32Array,
  color: Rgba,
  tool: StrokeTool,
): void {
  const data = surface.data;
  for (let index = 0; index < coverage.length; index++) {
    const amount = coverage[index]!;
    if (amount === 0) continue;
    const offset = index * 4;
    if (tool === 'eraser') {
      data[offset + 3] = Math.round(data[offset + 3]! * (1 - amount));
      continue;
    }
    const source =
      tool === 'mask' ? { red: 255, green: 255, blue: 255, alpha: color.alpha } : color;
    blendPixel(data, offset, source.red, source.green, source.blue, source.alpha * amount);
  }
}

/** Source-over of one straight-alpha colour onto a pixel. */
export function blendPixel(
  data: Uint8ClampedArray,
  offset: number,
  red: number,
  green: number,
  blue: number,
  alpha: number,
): void {
  if (alpha <= 0) return;
  const destinationAlpha = data[offset + 3]! / 255;
  const outAlpha = alpha + destinationAlpha * (1 - alpha);
  if (outAlpha <= 0) return;
  const keep = destinationAlpha * (1 - alpha);
  data[offset] = Math.round((red * alpha + data[offset]! * keep) / outAlpha);
  data[offset + 1] = Math.round((green * alpha + data[offset + 1]! * keep) / outAlpha);
  data[offset + 2] = Math.round((blue * alpha + data[offset + 2]! * keep) / outAlpha);
  data[offset + 3] = Math.round(outAlpha * 255);
}

/** Draws `source` onto `target` at (x, y) with an opacity multiplier (source-over, clipped). */
export function drawSurface(
  target: Surface,
  source: Surface,
  x: number,
  y: number,
  opacity = 1,
): void {
  const left = Math.max(0, Math.round(x));
  const top = Math.max(0, Math.round(y));
  const offsetX = Math.round(x);
  const offsetY = Math.round(y);
  const right = Math.min(target.width, offsetX + source.width);
  const bottom = Math.min(target.height, offsetY + source.height);
  for (let row = top; row < bottom; row++) {
    for (let column = left; column < right; column++) {
      const from = ((row - offsetY) * source.width + (column - offsetX)) * 4;
      const alpha = (source.data[from + 3]! / 255) * opacity;
      blendPixel(
        target.data,
        (row * target.width + column) * 4,
        source.data[from]!,
        source.data[from + 1]!,
        source.data[from + 2]!,
        alpha,
      );
    }
  }
}

/** Copies `source` into `target` with its top-left at (x, y), exactly (no blending), clipped. */
export function copySurface(target: Surface, source: Surface, x: number, y: number): void {
  const left = Math.max(0, x);
  const right = Math.min(target.width, x + source.width);
  if (right <= left) return;
  for (let row = Math.max(0, y); row < Math.min(target.height, y + source.height); row++) {
    const from = ((row - y) * source.width + (left - x)) * 4;
    target.data.set(
      source.data.subarray(from, from + (right - left) * 4),
      (row * target.width + left) * 4,
    );
  }
}

/** Pixels a stroke's rasterisation touches (every stamp's square), for charging gas. */
export function strokeWork(
  width: number,
  height: number,
  points: readonly (readonly [number, number])[],
  size: number,
): number {
  if (points.length === 0) return 0;
  const radius = Math.max(0.5, size / 2);
  const side = Math.min(Math.max(width, height), 2 * radius + 3);
  const spacing = Math.max(0.5, radius / 4);
  let stamps = 1;
  for (let index = 1; index < points.length; index++) {
    const [fromX, fromY] = points[index - 1]!;
    const [toX, toY] = points[index]!;
    stamps += Math.max(1, Math.ceil(Math.hypot(toX - fromX, toY - fromY) / spacing));
  }
  return stamps * side * side;
}

/**
 * {@link strokeCoverage} then {@link applyStroke} over the stroke's bounding box only: the same
 * bytes as the whole-canvas pair (coverage outside the box is zero), without a canvas-sized
 * coverage buffer or a pass over every pixel of a large canvas.
 */
export function rasterizeStroke(
  surface: Surface,
  points: readonly (readonly [number, number])[],
  size: number,
  hardness: number,
  color: Rgba,
  tool: StrokeTool,
): void {
  if (points.length === 0) return;
  const reach = Math.max(0.5, size / 2) + 2;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const left = Math.max(0, Math.floor(minX - reach));
  const top = Math.max(0, Math.floor(minY - reach));
  const right = Math.min(surface.width - 1, Math.ceil(maxX + reach));
  const bottom = Math.min(surface.height - 1, Math.ceil(maxY + reach));
  if (right < left || bottom < top) return;
  const box = { left, top, width: right - left + 1, height: bottom - top + 1 };
  const coverage = strokeCoverageIn(box, points, size, hardness);
  for (let row = 0; row < box.height; row++) {
    const start = ((top + row) * surface.width + left) * 4;
    applyStroke(
      { width: box.width, height: 1, data: surface.data.subarray(start, start + box.width * 4) },
      coverage.subarray(row * box.width, (row + 1) * box.width),
      color,
      tool,
    );
  }
}

/** One layer as the compositor sees it. */
export interface CompositeLayer {
  surface: Surface;
  opacity: number;
}

/** Layers over an optional background colour, source-over in order (bottom first). */
export function compositeSurfaces(
  width: number,
  height: number,
  background: Rgba | null,
  layers: readonly CompositeLayer[],
): Surface {
  const out = createSurface(width, height);
  if (background !== null) {
    const { red, green, blue, alpha } = background;
    for (let offset = 0; offset < out.data.length; offset += 4) {
      out.data[offset] = red;
      out.data[offset + 1] = green;
      out.data[offset + 2] = blue;
      out.data[offset + 3] = Math.round(alpha * 255);
    }
  }
  for (const layer of layers) drawSurface(out, layer.surface, 0, 0, layer.opacity);
  return out;
}
