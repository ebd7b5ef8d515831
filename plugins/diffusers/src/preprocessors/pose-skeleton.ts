import type { RawImage } from '@viwo/core';

/** Default keypoint confidence below which a point (and its limbs) is not drawn. */
export const DEFAULT_POSE_CONFIDENCE = 0.3;

/** A detected keypoint in image pixels, with the model's confidence (0–1). */
export interface Keypoint {
  x: number;
  y: number;
  score: number;
}

/**
 * OpenPose's 18 body points (COCO-18 order: nose, neck, right shoulder/elbow/wrist, left
 * shoulder/elbow/wrist, right hip/knee/ankle, left hip/knee/ankle, right eye, left eye, right
 * ear, left ear) from MoveNet's 17 COCO points; the neck is the shoulders' midpoint.
 */
export function openPoseFromCoco(coco: readonly Keypoint[]): (Keypoint | null)[] {
  const at = (index: number) => coco[index] ?? null;
  const [leftShoulder, rightShoulder] = [at(5), at(6)];
  const neck =
    leftShoulder && rightShoulder
      ? {
          x: (leftShoulder.x + rightShoulder.x) / 2,
          y: (leftShoulder.y + rightShoulder.y) / 2,
          score: Math.min(leftShoulder.score, rightShoulder.score),
        }
      : null;
  // COCO indices for OpenPose points 0..17 (-1: the neck, derived above).
  const order = [0, -1, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3];
  return order.map((index) => (index < 0 ? neck : at(index)));
}

/** OpenPose limbs as pairs of COCO-18 indices (the order ControlNet's pose annotator draws). */
const LIMBS: readonly [number, number][] = [
  [1, 2],
  [1, 5],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [1, 8],
  [8, 9],
  [9, 10],
  [1, 11],
  [11, 12],
  [12, 13],
  [1, 0],
  [0, 14],
  [14, 16],
  [0, 15],
  [15, 17],
];

/** The standard OpenPose colours, one per point and per limb (RGB). */
const COLOURS: readonly [number, number, number][] = [
  [255, 0, 0],
  [255, 85, 0],
  [255, 170, 0],
  [255, 255, 0],
  [170, 255, 0],
  [85, 255, 0],
  [0, 255, 0],
  [0, 255, 85],
  [0, 255, 170],
  [0, 255, 255],
  [0, 170, 255],
  [0, 85, 255],
  [0, 0, 255],
  [85, 0, 255],
  [170, 0, 255],
  [255, 0, 255],
  [255, 0, 170],
  [255, 0, 85],
];

/**
 * Draws OpenPose-style skeletons on black at the given size: limbs as thick strokes at 60 % of
 * their colour (as the annotator pose ControlNets were trained on blends them), joints as dots
 * in full colour. Points below `minConfidence` are left out, with their limbs.
 */
export function drawPoseSkeletons(
  width: number,
  height: number,
  people: readonly (Keypoint | null)[][],
  minConfidence: number,
): RawImage {
  const data = new Uint8Array(width * height * 3);
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 128));
  for (const points of people) {
    const visible = (index: number) => {
      const point = points[index];
      return point && point.score >= minConfidence ? point : null;
    };
    LIMBS.forEach(([from, to], limb) => {
      const [a, b] = [visible(from), visible(to)];
      if (!a || !b) return;
      const colour = COLOURS[limb]!.map((value) => Math.round(value * 0.6)) as [
        number,
        number,
        number,
      ];
      fillSegment(data, width, height, a, b, stroke, colour);
    });
    points.forEach((_, index) => {
      const point = visible(index);
      if (point) fillSegment(data, width, height, point, point, stroke, COLOURS[index]!);
    });
  }
  return { data, width, height, channels: 3 };
}

/** Fills every pixel within `radius` of segment a–b (a dot when a = b). */
function fillSegment(
  data: Uint8Array,
  width: number,
  height: number,
  a: Keypoint,
  b: Keypoint,
  radius: number,
  colour: readonly [number, number, number],
): void {
  const left = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius));
  const right = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + radius));
  const top = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const bottom = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + radius));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      const t =
        lengthSquared === 0
          ? 0
          : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / lengthSquared));
      const px = a.x + t * dx - x;
      const py = a.y + t * dy - y;
      if (px * px + py * py > radius * radius) continue;
      const offset = (y * width + x) * 3;
      data[offset] = colour[0];
      data[offset + 1] = colour[1];
      data[offset + 2] = colour[2];
    }
  }
}
