/** One tile of the input image (input pixel coordinates). */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How an image is cut: the tiles plus the parameters that produced them (recorded in metadata). */
export interface TilePlan {
  tileSize: number;
  overlap: number;
  tiles: Tile[];
}

/** Smallest and largest tile side we plan (input pixels). */
export const MIN_TILE_SIZE = 32;
export const MAX_TILE_SIZE = 2048;
/** Default overlap between neighbouring tiles, in input pixels. */
export const DEFAULT_OVERLAP = 16;
/**
 * Real memory per input pixel over the planned live activations: convolution scratch, arena
 * rounding and the runner's own buffers. Measured peak RSS growth on this machine was 1.2–2.4× the
 * planned live set (slim ×8 / slim ×4, medium ×4, thick ×4); 3 leaves headroom.
 */
const MEMORY_OVERHEAD_FACTOR = 3;

/**
 * The largest square tile side whose activations fit in `memoryCapBytes`, given the network's
 * peak live activations per input pixel (from conversion). Clamped to [32, 2048].
 */
export function tileSizeForMemoryCap(
  memoryCapBytes: number,
  peakElementsPerInputPixel: number,
): number {
  const bytesPerPixel = Math.max(1, peakElementsPerInputPixel) * 4 * MEMORY_OVERHEAD_FACTOR;
  const side = Math.floor(Math.sqrt(memoryCapBytes / bytesPerPixel));
  return Math.min(MAX_TILE_SIZE, Math.max(MIN_TILE_SIZE, side));
}

/**
 * Cuts a `width`×`height` image into tiles of at most `tileSize` per side that overlap their
 * neighbours by at least `overlap` pixels. The last tile in a row/column is moved back to end at
 * the image edge (overlapping more), so every tile except those of a small image is full size.
 */
export function planTiles(
  width: number,
  height: number,
  tileSize: number,
  overlap = DEFAULT_OVERLAP,
): TilePlan {
  if (!(tileSize > overlap * 2)) {
    throw new RangeError(`tile size ${tileSize} must exceed twice the overlap ${overlap}`);
  }
  const starts = (length: number): number[] => {
    if (length <= tileSize) return [0];
    const positions: number[] = [];
    const stride = tileSize - overlap;
    for (let start = 0; ; start += stride) {
      if (start + tileSize >= length) {
        positions.push(length - tileSize);
        break;
      }
      positions.push(start);
    }
    return positions;
  };
  const tiles: Tile[] = [];
  for (const y of starts(height)) {
    for (const x of starts(width)) {
      tiles.push({ x, y, width: Math.min(tileSize, width), height: Math.min(tileSize, height) });
    }
  }
  return { tileSize, overlap, tiles };
}

/**
 * Per-pixel blend weights along one axis of a tile's output: a linear ramp from ~0 to 1 across
 * `rampLength` pixels on each side that has a neighbouring tile, 1 elsewhere. Tile borders are
 * where the network saw zero padding instead of real context, so they get the least weight.
 */
export function featherRamp(
  length: number,
  rampLength: number,
  rampStart: boolean,
  rampEnd: boolean,
): Float32Array {
  const weights = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    let weight = 1;
    if (rampStart) weight = Math.min(weight, (index + 0.5) / rampLength);
    if (rampEnd) weight = Math.min(weight, (length - index - 0.5) / rampLength);
    weights[index] = Math.max(weight, 1e-4);
  }
  return weights;
}

/**
 * Accumulates overlapping tile outputs (planar CHW float tiles) into one interleaved RGB image,
 * each weighted by its feather ramps; `finish` divides by the total weight and rounds to bytes.
 */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly rampLength: number,
  ) {
    this.sum = new Float32Array(width * height * 3);
    this.weight = new Float32Array(width * height);
  }

  /**
   * Adds one tile's output at (`x`, `y`) in output pixels. `planar` is `[3, tileHeight,
   * tileWidth]`; neighbours are detected from the position, so image borders are never feathered.
   */
  add(planar: Float32Array, x: number, y: number, tileWidth: number, tileHeight: number): void {
    const rampX = featherRamp(tileWidth, this.rampLength, x > 0, x + tileWidth < this.width);
    const rampY = featherRamp(tileHeight, this.rampLength, y > 0, y + tileHeight < this.height);
    const plane = tileWidth * tileHeight;
    for (let row = 0; row < tileHeight; row++) {
      const outRow = (y + row) * this.width + x;
      const weightY = rampY[row]!;
      for (let column = 0; column < tileWidth; column++) {
        const weight = weightY * rampX[column]!;
        const source = row * tileWidth + column;
        const target = outRow + column;
        this.weight[target]! += weight;
        const base = target * 3;
        this.sum[base]! += weight * planar[source]!;
        this.sum[base + 1]! += weight * planar[plane + source]!;
        this.sum[base + 2]! += weight * planar[2 * plane + source]!;
      }
    }
  }

  /** The blended image as interleaved RGB bytes (rounded, clamped to 0–255). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.width * this.height * 3);
    for (let pixel = 0; pixel < this.weight.length; pixel++) {
      const weight = this.weight[pixel]!;
      for (let channel = 0; channel < 3; channel++) {
        const value = weight > 0 ? this.sum[pixel * 3 + channel]! / weight : 0;
        out[pixel * 3 + channel] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
    return out;
  }
}
