import { describe, expect, test } from 'bun:test';
import {
  imagePath,
  isCapabilityHandle,
  isImageValue,
  isVideoValue,
  videoPath,
} from '../src/wire-values.ts';

const HASH = 'ab'.repeat(32);

describe('wire values', () => {
  test('image values need a sha256 hex hash and a numeric size', () => {
    expect(isImageValue({ $image: HASH, width: 2, height: 3 })).toBe(true);
    expect(isImageValue({ $image: HASH.toUpperCase(), width: 2, height: 3 })).toBe(false);
    expect(isImageValue({ $image: HASH, width: '2', height: 3 })).toBe(false);
    expect(isImageValue([HASH])).toBe(false);
    expect(isImageValue(null)).toBe(false);
  });

  test('video values and capability handles have their own shapes', () => {
    const video = { $video: HASH, width: 4, height: 4, duration: 1.5, mime: 'video/mp4' };
    expect(isVideoValue(video)).toBe(true);
    expect(isVideoValue({ ...video, duration: undefined })).toBe(false);
    expect(isCapabilityHandle({ $cap: 'x', type: 'upscale' })).toBe(true);
    expect(isCapabilityHandle({ $cap: 'x' })).toBe(false);
  });

  test('image and video paths are built only from real hashes', () => {
    expect(imagePath({ $image: HASH, width: 1, height: 1 })).toBe(`/images/${HASH}.png`);
    expect(imagePath(HASH, 'webp')).toBe(`/images/${HASH}.webp`);
    expect(() => imagePath('../../etc/passwd')).toThrow('not an image hash');
    const video = { $video: HASH, width: 4, height: 4, duration: 1, mime: 'video/webm;codecs=vp9' };
    expect(videoPath(video)).toBe(`/videos/${HASH}.webm`);
  });
});
