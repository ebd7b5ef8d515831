import { describe, expect, test } from 'bun:test';
import { ResourceQueue } from '../src/jobs/resource-queue.ts';

describe('ResourceQueue', () => {
  test('one at a time, FIFO within an owner, round-robin across owners', async () => {
    const queue = new ResourceQueue('device');
    const order: string[] = [];
    const first = await queue.acquire('a');
    const waits = [
      ['a', 'a1'],
      ['a', 'a2'],
      ['a', 'a3'],
      ['b', 'b1'],
      ['c', 'c1'],
      ['b', 'b2'],
    ].map(([owner, name]) =>
      queue.acquire(owner!).then((release) => {
        order.push(name!);
        expect(queue.running).toBe(1);
        release();
      }),
    );
    expect(queue.pending).toBe(6);
    first();
    await Promise.all(waits);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(queue.running).toBe(0);
  });

  test('an aborted waiter leaves the line with the abort reason; release is idempotent', async () => {
    const queue = new ResourceQueue('device');
    const holder = await queue.acquire('a');
    const controller = new AbortController();
    const waiting = queue.acquire('b', controller.signal);
    const next = queue.acquire('c');
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    holder();
    holder();
    const release = await next;
    expect(queue.running).toBe(1);
    release();
    expect(queue.running).toBe(0);
    await expect(queue.acquire('d', AbortSignal.abort())).rejects.toThrow();
  });

  test('capacity above one runs that many at once', async () => {
    const queue = new ResourceQueue('device', 2);
    const a = await queue.acquire('x');
    const b = await queue.acquire('x');
    let third = false;
    const c = queue.acquire('y').then((release) => {
      third = true;
      return release;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    (await c)();
    b();
    expect(third).toBe(true);
    expect(() => new ResourceQueue('bad', 0)).toThrow(/positive integer/);
  });
});
