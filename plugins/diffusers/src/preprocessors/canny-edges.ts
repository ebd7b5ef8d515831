import { type GreyImage, gaussianBlur } from './grey-image.ts';

/**
 * Canny edge detection as OpenCV does it by default: Gaussian smoothing, 3×3 Sobel with the L1
 * magnitude |gx| + |gy|, non-maximum suppression along the quantised gradient direction, and
 * hysteresis (`low`/`high` on that magnitude scale; defaults 100/200). Output: 255 on edges, 0
 * elsewhere, same size as the input.
 */
export function cannyEdges(image: GreyImage, low = 100, high = 200, sigma = 1.4): GreyImage {
  const { width, height } = image;
  const smooth = gaussianBlur(image, sigma).data;
  const at = (row: number, column: number) =>
    smooth[
      Math.min(height - 1, Math.max(0, row)) * width + Math.min(width - 1, Math.max(0, column))
    ]!;
  const magnitude = new Float32Array(width * height);
  const direction = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const gx =
        at(row - 1, column + 1) +
        2 * at(row, column + 1) +
        at(row + 1, column + 1) -
        at(row - 1, column - 1) -
        2 * at(row, column - 1) -
        at(row + 1, column - 1);
      const gy =
        at(row + 1, column - 1) +
        2 * at(row + 1, column) +
        at(row + 1, column + 1) -
        at(row - 1, column - 1) -
        2 * at(row - 1, column) -
        at(row - 1, column + 1);
      const index = row * width + column;
      magnitude[index] = Math.abs(gx) + Math.abs(gy);
      const angle = ((Math.atan2(gy, gx) * 180) / Math.PI + 180) % 180;
      direction[index] =
        angle < 22.5 || angle >= 157.5 ? 0 : angle < 67.5 ? 1 : angle < 112.5 ? 2 : 3;
    }
  }
  const neighbours: [number, number][][] = [
    [
      [0, -1],
      [0, 1],
    ],
    [
      [-1, 1],
      [1, -1],
    ],
    [
      [-1, 0],
      [1, 0],
    ],
    [
      [-1, -1],
      [1, 1],
    ],
  ];
  // 2 = strong, 1 = weak, 0 = none.
  const state = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let row = 1; row < height - 1; row++) {
    for (let column = 1; column < width - 1; column++) {
      const index = row * width + column;
      const value = magnitude[index]!;
      if (value < low) continue;
      const [[rowA, columnA], [rowB, columnB]] = neighbours[direction[index]!]! as [
        [number, number],
        [number, number],
      ];
      if (
        value < magnitude[(row + rowA) * width + column + columnA]! ||
        value < magnitude[(row + rowB) * width + column + columnB]!
      )
        continue;
      state[index] = value >= high ? 2 : 1;
      if (value >= high) stack.push(index);
    }
  }
  const out = new Float32Array(width * height);
  while (stack.length > 0) {
    const index = stack.pop()!;
    if (out[index] === 255) continue;
    out[index] = 255;
    const row = Math.floor(index / width);
    const column = index % width;
    for (let rowOffset = -1; rowOffset <= 1; rowOffset++) {
      for (let columnOffset = -1; columnOffset <= 1; columnOffset++) {
        const neighbour = (row + rowOffset) * width + column + columnOffset;
        if (
          neighbour >= 0 &&
          neighbour < state.length &&
          state[neighbour]! > 0 &&
          out[neighbour] !== 255
        )
          stack.push(neighbour);
      }
    }
  }
  return { width, height, data: out };
}
