import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { MalformedMessageError, parseRunwareMessage } from '../src/client/runware-messages.ts';
import { probeMp4 } from '../src/results/mp4-probe.ts';
import { urlAllowed } from '../src/results/result-bytes.ts';
import { tinyMp4 } from '../src/testing/stand-in-media.ts';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('Runware message parsing', () => {
  test('data, errors and pongs decode to their items', () => {
    const message = parseRunwareMessage(
      JSON.stringify({
        data: [
          { taskType: 'imageInference', taskUUID: UUID, seed: 3 },
          { taskType: 'ping', pong: true },
        ],
        errors: [{ code: 'invalidSteps', message: 'bad', parameter: 'steps', taskUUID: UUID }],
      }),
      1 << 20,
    );
    expect(message.data[0]).toMatchObject({ taskUUID: UUID, seed: 3 });
    expect(message.data[1]).toMatchObject({ taskType: 'ping', pong: true });
    expect(message.errors[0]).toEqual({
      code: 'invalidSteps',
      message: 'bad',
      parameter: 'steps',
      taskUUID: UUID,
    });
  });

  test('a frame that is not JSON names the task UUIDs it mentions', () => {
    try {
      parseRunwareMessage(`{"data":[{"taskUUID":"${UUID}", oops`, 1 << 20);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedMessageError);
      expect((error as MalformedMessageError).taskUUIDs).toEqual([UUID]);
    }
  });

  test('property: any text is either a message or a MalformedMessageError, never anything else', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ data: value })),
      fc.jsonValue().map((value) => JSON.stringify({ errors: value })),
      fc
        .array(fc.record({ taskType: fc.string(), taskUUID: fc.option(fc.string()) }))
        .map((data) => JSON.stringify({ data })),
    );
    fc.assert(
      fc.property(jsonish, (raw) => {
        try {
          const message = parseRunwareMessage(raw, 1 << 16);
          for (const item of message.data) {
            expect(typeof item.taskType).toBe('string');
            expect(typeof item.taskUUID === 'string' || item.taskType === 'authentication').toBe(
              true,
            );
          }
          for (const error of message.errors) expect(typeof error.code).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedMessageError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('frames over the limit are refused before parsing', () => {
    expect(() => parseRunwareMessage(`{"data":[]}${' '.repeat(100)}`, 64)).toThrow(
      /over the 64-byte limit/,
    );
  });
});

describe('result URLs', () => {
  const endpoint = 'ws://127.0.0.1:4567/v1';
  test.each([
    ['http://127.0.0.1:4567/media/x.png', true],
    ['https://im.runware.ai/image/ws/2/ii/x.png', true],
    ['https://vm.runware.ai/video/x.mp4', true],
    ['http://im.runware.ai/x.png', false],
    ['https://im.runware.ai:8443/x.png', false],
    ['https://im.runware.ai.evil.example/x.png', false],
    ['https://user:pw@im.runware.ai/x.png', false],
    ['http://127.0.0.1:4568/media/x.png', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %p', (url, allowed) => {
    expect(urlAllowed(url, endpoint)).toBe(allowed);
  });
  test('a wss endpoint allows https on its own host only', () => {
    expect(urlAllowed('https://ws-api.runware.ai/x.png', 'wss://ws-api.runware.ai/v1')).toBe(true);
    expect(urlAllowed('http://ws-api.runware.ai/x.png', 'wss://ws-api.runware.ai/v1')).toBe(false);
  });
});

describe('MP4 header probe', () => {
  test('reads size and duration from mvhd/tkhd', () => {
    expect(probeMp4(tinyMp4(640, 352, 4.5, 1))).toEqual({ width: 640, height: 352, duration: 4.5 });
  });
  test('property: arbitrary bytes never throw and never loop', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const info = probeMp4(bytes);
        expect(info === null || typeof info.width === 'number').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  test('property: truncating a valid file never throws', () => {
    const file = tinyMp4(320, 240, 2, 7);
    fc.assert(
      fc.property(fc.nat({ max: file.length }), (length) => {
        probeMp4(file.subarray(0, length));
      }),
    );
  });
});
