import { describe, expect, test } from 'bun:test';
import { record } from '@viwo/canvas';
import fc from 'fast-check';
import {
  CanvasDocumentStore,
  memoryStorage,
  openCanvasDocument,
} from '../src/state/canvas-document.ts';
import {
  type CanvasHandoff,
  decodeHandoff,
  HANDOFF_MAX_AGE_MS,
  HandoffError,
  handoffKey,
  handoffUrl,
  pruneHandoffs,
  takeHandoff,
  withoutHandoffParam,
  writeHandoff,
} from '../src/state/canvas-handoff.ts';
import {
  openReplacementInNewTab,
  replaceCanvas,
  replaceOutcomeText,
  replaceRequest,
  type TabOpener,
} from '../src/state/canvas-replace.ts';
import { isBlankCanvas, needsReplaceConfirmation } from '../src/state/replace-decision.ts';
import { confirmRun, markTrusted, pendingUntrusted } from '../src/templates/trust-gate.ts';

const blank = ['std.seq', record.init(512, 512, '#ffffff'), record.createLayer('l', 'L', 'raster')];
const drawn = [...blank, record.stroke('l', [[1, 2]], '#000000', 4, 'brush')];
const template = ['std.call_method', ['get_capability', 'x.y'], 'run', 'a fox'];

describe('whether to ask before replacing the canvas', () => {
  test('empty scripts and a new canvas are blank; any work is not', () => {
    for (const script of [null, undefined, [], ['std.seq'], blank, blank.slice(0, 2)])
      expect(isBlankCanvas(script)).toBe(true);
    expect(isBlankCanvas(drawn)).toBe(false);
    expect(isBlankCanvas([...blank, record.createLayer('m', 'Mask', 'mask')])).toBe(false);
    expect(isBlankCanvas([...blank, record.updateLayer('l', { name: 'Sky' })])).toBe(false);
    expect(isBlankCanvas(template)).toBe(false);
    expect(isBlankCanvas(['std.seq', 42])).toBe(false);
    expect(isBlankCanvas('text')).toBe(false);
  });

  test('asks only when work would be lost', () => {
    expect(needsReplaceConfirmation(blank, template)).toBe(false);
    expect(needsReplaceConfirmation(drawn, template)).toBe(true);
    // Loading the very script the canvas holds loses nothing.
    expect(needsReplaceConfirmation(drawn, structuredClone(drawn))).toBe(false);
    expect(needsReplaceConfirmation(template, [...template.slice(0, 3), 'an owl'])).toBe(true);
  });

  test('a canvas with one stroke more than a blank one always asks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ max: 512 }), fc.integer({ max: 512 })), { minLength: 1 }),
        fc.anything(),
        (points, incoming) => {
          const script = [...blank, record.stroke('l', points, '#000', 3, 'brush')];
          fc.pre(JSON.stringify(incoming) !== JSON.stringify(script));
          return needsReplaceConfirmation(script, incoming);
        },
      ),
    );
  });
});

const handoff = (overrides: Partial<CanvasHandoff> = {}): CanvasHandoff => ({
  script: drawn,
  untrusted: 'image fox.png',
  mode: 'layer',
  label: 'the workflow in fox.png',
  created: 1_000,
  ...overrides,
});

describe('handing a script to a new tab', () => {
  test('the key and URL carry an id; the entry is taken once', () => {
    const storage = memoryStorage();
    const id = writeHandoff(storage, handoff(), 'abcdef12-3456');
    expect(handoffKey(id)).toBe('viwo.imagegen.handoff.abcdef12-3456');
    const url = handoffUrl({ origin: 'http://127.0.0.1:9', pathname: '/' }, id);
    expect(url).toBe('http://127.0.0.1:9/?canvas=abcdef12-3456');
    const search = new URL(url).search;
    expect(takeHandoff(storage, search)).toEqual({ kind: 'taken', handoff: handoff() });
    expect(storage.length).toBe(0);
    expect(takeHandoff(storage, search)).toEqual({
      kind: 'missing',
      reason: 'it was already opened in another tab',
    });
    expect(takeHandoff(storage, '?other=1')).toEqual({ kind: 'none' });
    expect(withoutHandoffParam(`${url}&x=1#top`)).toBe('http://127.0.0.1:9/?x=1#top');
  });

  test('ids that are not ours are refused before touching storage', () => {
    expect(() => handoffKey('../doc.x')).toThrow(HandoffError);
    expect(takeHandoff(memoryStorage(), '?canvas=a%20b')).toEqual({
      kind: 'missing',
      reason: 'canvas handoff $id: "a b" is not a handoff id',
    });
  });

  test('a damaged entry names the field', () => {
    const bad = (value: unknown) => () => decodeHandoff(JSON.stringify(value));
    expect(() => decodeHandoff('{')).toThrow(/canvas handoff \$: not JSON/);
    expect(bad([1])).toThrow('canvas handoff $: must be an object');
    expect(bad({ ...handoff(), script: undefined })).toThrow('$.script: is missing');
    expect(bad(handoff({ untrusted: 3 as unknown as string }))).toThrow('$.untrusted');
    expect(bad(handoff({ mode: 'chat' as 'layer' }))).toThrow('$.mode: must be "layer"');
    expect(bad(handoff({ label: 1 as unknown as string }))).toThrow('$.label');
    expect(bad(handoff({ created: Number.NaN }))).toThrow('$.created: must be a number');
  });

  test('entries nobody picked up are dropped after an hour', () => {
    const storage = memoryStorage();
    writeHandoff(storage, handoff({ created: 0 }), 'oldoldold');
    writeHandoff(storage, handoff({ created: HANDOFF_MAX_AGE_MS }), 'newnewnew');
    storage.setItem('viwo.imagegen.handoff.brokenxx', '{');
    storage.setItem('viwo.imagegen.doc.keep', '{}');
    pruneHandoffs(storage, HANDOFF_MAX_AGE_MS + 1);
    expect(storage.getItem(handoffKey('oldoldold'))).toBeNull();
    expect(storage.getItem(handoffKey('brokenxx'))).toBeNull();
    expect(storage.getItem(handoffKey('newnewnew'))).not.toBeNull();
    expect(storage.getItem('viwo.imagegen.doc.keep')).toBe('{}');
  });

  test('a tab started from a handoff has its own document, untrusted, with no history', () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const opener = new CanvasDocumentStore(local, session, () => blank);
    opener.setScript(drawn);
    // window.open copies the opener's sessionStorage: the new tab must still not share its doc.
    const tab = new CanvasDocumentStore(local, session, () => blank, {
      script: template,
      untrusted: 'image fox.png',
    });
    expect(tab.id).not.toBe(opener.id);
    expect(tab.script()).toEqual(template);
    expect(tab.untrusted()).toBe('image fox.png');
    expect(tab.history()).toEqual({ undo: 0, redo: 0 });
    // Its reload reopens its own document; the opener's is unchanged.
    expect(new CanvasDocumentStore(local, session, () => blank).script()).toEqual(template);
    expect(JSON.parse(local.getItem(`viwo.imagegen.doc.${opener.id}`)!).script).toEqual(drawn);
  });
});

/** A workbench over a plain variable, with a document open so replacements record undo. */
function fakeWorkbench(script: unknown) {
  const document = openCanvasDocument(() => script, memoryStorage(), memoryStorage());
  document.setScript(script);
  let current = script;
  const modes: string[] = [];
  return {
    document,
    modes,
    workbench: {
      script: () => current,
      setScript: (next: unknown) => {
        current = next;
        document.setScript(next);
      },
      setMode: (mode: 'layer' | 'blocks') => void modes.push(mode),
      rpc: { call: () => Promise.reject(new Error('offline')) },
      opcodes: () => [],
      capabilities: () => [],
      runScript: () => Promise.reject(new Error('offline')),
    },
  };
}

function fakeTabs(allow: boolean): TabOpener & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    storage: memoryStorage(),
    location: { origin: 'http://app', pathname: '/' },
    open(url) {
      if (allow) opened.push(url);
      return allow;
    },
  };
}

describe('the replace flow', () => {
  test('a blank canvas is replaced at once, as one undo step, trust set first', async () => {
    const { workbench, document } = fakeWorkbench(blank);
    const outcome = await replaceCanvas(workbench, {
      script: template,
      label: 'x',
      untrusted: 'image a.png',
    });
    expect(outcome).toBe('replaced');
    expect(replaceRequest()).toBeUndefined();
    expect(workbench.script()).toEqual(template);
    expect(document.history().undo).toBe(1);
    expect(pendingUntrusted()).toBe('image a.png');
    markTrusted();
  });

  test('work on the canvas asks: Cancel changes nothing, Replace replaces undoably', async () => {
    const { workbench, document, modes } = fakeWorkbench(drawn);
    const cancelled = replaceCanvas(workbench, { script: template, label: 'x', untrusted: null });
    expect(replaceRequest()?.replacement.label).toBe('x');
    replaceRequest()!.cancel();
    expect(await cancelled).toBe('cancelled');
    expect(workbench.script()).toEqual(drawn);
    expect(document.history().undo).toBe(0);

    const replaced = replaceCanvas(workbench, {
      script: template,
      label: 'x',
      untrusted: null,
      mode: 'blocks',
    });
    const request = replaceRequest()!;
    request.replace();
    request.replace();
    expect(await replaced).toBe('replaced');
    expect(replaceRequest()).toBeUndefined();
    expect(workbench.script()).toEqual(template);
    expect(document.history().undo).toBe(1);
    expect(document.undo(template)).toEqual(drawn);
    expect(modes).toEqual(['blocks']);
  });

  test('a second question cancels the first', async () => {
    const { workbench } = fakeWorkbench(drawn);
    const first = replaceCanvas(workbench, { script: template, label: 'one', untrusted: null });
    const second = replaceCanvas(workbench, { script: blank, label: 'two', untrusted: null });
    expect(await first).toBe('cancelled');
    expect(replaceRequest()?.replacement.label).toBe('two');
    replaceRequest()!.cancel();
    expect(await second).toBe('cancelled');
  });

  test('Open in new tab hands the script over, untrusted state included', async () => {
    const { workbench, document } = fakeWorkbench(drawn);
    const tabs = fakeTabs(true);
    const outcome = replaceCanvas(
      workbench,
      { script: template, label: 'the workflow in a.png', untrusted: 'image a.png' },
      () => tabs,
    );
    expect(replaceRequest()!.openInNewTab()).toBeUndefined();
    expect(await outcome).toBe('new-tab');
    expect(workbench.script()).toEqual(drawn);
    expect(document.history().undo).toBe(0);
    expect(pendingUntrusted()).toBeUndefined();
    const taken = takeHandoff(tabs.storage, new URL(tabs.opened[0]!).search);
    expect(taken.kind === 'taken' && taken.handoff).toMatchObject({
      script: template,
      untrusted: 'image a.png',
      mode: 'layer',
      label: 'the workflow in a.png',
    });
  });

  test('a blocked pop-up leaves the question open and no entry behind', async () => {
    const { workbench } = fakeWorkbench(drawn);
    const tabs = fakeTabs(false);
    const outcome = replaceCanvas(
      workbench,
      { script: template, label: 'x', untrusted: null },
      () => tabs,
    );
    expect(replaceRequest()!.openInNewTab()).toContain('blocked the new tab');
    expect(tabs.storage.length).toBe(0);
    expect(replaceRequest()).toBeDefined();
    replaceRequest()!.cancel();
    expect(await outcome).toBe('cancelled');
    expect(
      openReplacementInNewTab({ script: 1n, label: 'big', untrusted: null }, fakeTabs(true)),
    ).toContain('Could not hand big to a new tab');
  });

  test('a trust question about the old script is answered no when it is replaced', async () => {
    const { workbench } = fakeWorkbench(blank);
    await replaceCanvas(workbench, { script: drawn, label: 'old', untrusted: 'image old.png' });
    const run = confirmRun(drawn, []);
    await replaceCanvas(workbench, { script: drawn, label: 'same', untrusted: 'image new.png' });
    expect(await run).toBe(false);
    expect(pendingUntrusted()).toBe('image new.png');
    markTrusted();
  });

  test('what the user is told after each outcome', () => {
    expect(replaceOutcomeText('replaced', 'template "t"')).toBe(
      'loaded template "t" (Undo brings the previous canvas back)',
    );
    expect(replaceOutcomeText('new-tab', 'template "t"')).toBe(
      'opened template "t" in a new tab; this canvas is unchanged',
    );
    expect(replaceOutcomeText('cancelled', 'template "t"')).toBeUndefined();
  });
});
