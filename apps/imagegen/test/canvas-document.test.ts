import { describe, expect, test } from 'bun:test';
import { CanvasDocumentStore, memoryStorage } from '../src/state/canvas-document.ts';

const fresh = () => ['std.seq', ['canvas.init', 512, 512]];

describe('canvas document', () => {
  test('a reload reopens the tab document with its results, trust and undo', () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const first = new CanvasDocumentStore(local, session, fresh);
    first.pushUndo(first.script());
    first.setScript(['std.seq', ['canvas.init', 64, 64]]);
    first.recordResult('["expr"]', { $image: 'a'.repeat(64), width: 64, height: 64 });
    first.setUntrusted('image x.png');
    const reloaded = new CanvasDocumentStore(local, session, fresh);
    expect(reloaded.id).toBe(first.id);
    expect(reloaded.script()).toEqual(['std.seq', ['canvas.init', 64, 64]]);
    expect(reloaded.result('["expr"]')?.$image).toBe('a'.repeat(64));
    expect(reloaded.untrusted()).toBe('image x.png');
    expect(reloaded.history()).toEqual({ undo: 1, redo: 0 });
    expect(reloaded.undo(reloaded.script())).toEqual(fresh());
    expect(reloaded.history()).toEqual({ undo: 0, redo: 1 });
  });

  test('a new tab gets its own copy of the latest canvas, untrusted flag included', () => {
    const local = memoryStorage();
    const tabA = new CanvasDocumentStore(local, memoryStorage(), fresh);
    tabA.setScript(['std.seq', ['canvas.init', 32, 32]]);
    tabA.setUntrusted('template "t" (imported)');
    const tabB = new CanvasDocumentStore(local, memoryStorage(), fresh);
    expect(tabB.id).not.toBe(tabA.id);
    expect(tabB.script()).toEqual(tabA.script());
    expect(tabB.untrusted()).toBe('template "t" (imported)');
    tabB.setScript(['std.seq', ['canvas.init', 8, 8]]);
    expect(tabA.script()).toEqual(['std.seq', ['canvas.init', 32, 32]]);
  });

  test('another tab writing this document makes this tab continue on a copy', () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const tab = new CanvasDocumentStore(local, session, fresh);
    const duplicate = new CanvasDocumentStore(local, session, fresh);
    expect(duplicate.id).toBe(tab.id);
    let forked = false;
    tab.onForked = () => {
      forked = true;
    };
    duplicate.setScript(['std.seq', ['canvas.init', 16, 16]]);
    const key = `viwo.imagegen.doc.${tab.id}`;
    const before = tab.id;
    expect(tab.handleStorageEvent(key, local.getItem(key))).toBe(true);
    expect(forked).toBe(true);
    expect(tab.id).not.toBe(before);
    expect(tab.script()).toEqual(fresh());
    // Its own writes are not a conflict.
    expect(tab.handleStorageEvent(`viwo.imagegen.doc.${tab.id}`, null)).toBe(false);
  });

  test('when storage is full, old canvases and then old undo steps make room', () => {
    const inner = memoryStorage();
    let limit = 4000;
    const local = {
      ...inner,
      get length() {
        return inner.length;
      },
      key: inner.key,
      getItem: inner.getItem,
      removeItem: inner.removeItem,
      setItem(key: string, value: string) {
        let total = value.length;
        for (let index = 0; index < inner.length; index++) {
          const other = inner.key(index)!;
          if (other !== key) total += inner.getItem(other)!.length;
        }
        if (total > limit) throw new Error('QuotaExceededError');
        inner.setItem(key, value);
      },
    };
    const other = new CanvasDocumentStore(local, memoryStorage(), fresh);
    other.setScript(['std.seq', ['canvas.init', 8, 8], 'x'.repeat(1500)]);
    const tab = new CanvasDocumentStore(local, memoryStorage(), fresh);
    for (let step = 0; step < 10; step++) {
      tab.pushUndo(tab.script());
      tab.setScript(['std.seq', ['canvas.init', 8, 8], `${step}`.repeat(300)]);
    }
    limit = 2500;
    tab.setScript(['std.seq', ['canvas.init', 8, 8], 'final']);
    expect(local.getItem(`viwo.imagegen.doc.${other.id}`)).toBeNull();
    expect(tab.history().undo).toBeLessThan(10);
    expect(JSON.parse(local.getItem(`viwo.imagegen.doc.${tab.id}`)!).script[2]).toBe('final');
  });
});
