/**
 * The tab's canvas document: the shared script plus what belongs with it — the images its
 * recorded generations produced (so showing the canvas never runs them again), whether it came
 * from elsewhere and still needs the user's confirmation, and its undo/redo history. Each tab
 * edits its own document (its id lives in sessionStorage, so a reload reopens it); a new tab
 * starts from a copy of the most recently saved one, or from a script handed to it (Open in new
 * tab, see canvas-handoff.ts). When another tab writes this tab's document
 * anyway (a duplicated tab shares sessionStorage), this tab continues on a copy instead of
 * silently overwriting or being overwritten.
 */
import { createSignal } from 'solid-js';

/** A stored image value as the server returns it. */
export interface ImageValue {
  $image: string;
  width: number;
  height: number;
}

/** What is saved per canvas. */
export interface CanvasDocument {
  id: string;
  script: unknown;
  /** imageKey(generating expression) → the image that expression produced. */
  results: Record<string, ImageValue>;
  /** Where the script came from while it still needs a confirmation before anything runs. */
  untrusted: string | null;
  undo: unknown[];
  redo: unknown[];
  updated: number;
  /** The page instance that wrote it last (conflict detection between tabs). */
  writer: string;
}

/** A script a new tab starts from instead of the latest canvas (with its trust state). */
export interface CanvasStart {
  script: unknown;
  untrusted: string | null;
}

/** localStorage/sessionStorage shape the store needs (tests pass in-memory ones). */
export interface DocumentStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

const DOC_PREFIX = 'viwo.imagegen.doc.';
const TAB_KEY = 'viwo.imagegen.tab-doc';
/** The single shared script of earlier versions; migrated into the first document. */
const LEGACY_KEY = 'viwo.imagegen.script';
/** Undo steps kept per canvas (whole scripts; older steps are dropped first when space is short). */
const UNDO_LIMIT = 100;
/** Documents kept in storage; the least recently saved go first. */
const DOCUMENT_LIMIT = 12;

const randomId = () =>
  globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36)}`;

function parseDocument(text: string | null): CanvasDocument | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<CanvasDocument>;
    if (typeof value !== 'object' || value === null || typeof value.id !== 'string') return;
    return {
      id: value.id,
      script: value.script,
      results: typeof value.results === 'object' && value.results !== null ? value.results : {},
      untrusted: typeof value.untrusted === 'string' ? value.untrusted : null,
      undo: Array.isArray(value.undo) ? value.undo : [],
      redo: Array.isArray(value.redo) ? value.redo : [],
      updated: typeof value.updated === 'number' ? value.updated : 0,
      writer: typeof value.writer === 'string' ? value.writer : '',
    };
  } catch {
    return undefined;
  }
}

function storedDocuments(storage: DocumentStorage): CanvasDocument[] {
  const documents: CanvasDocument[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (!key?.startsWith(DOC_PREFIX)) continue;
    const document = parseDocument(storage.getItem(key));
    if (document) documents.push(document);
  }
  return documents.sort((a, b) => b.updated - a.updated);
}

/** The per-tab canvas document with reactive script/trust/undo state and persistence. */
export class CanvasDocumentStore {
  private document: CanvasDocument;
  private readonly writer = randomId();
  private readonly historySignal;
  /** Called when another tab wrote this document and this tab moved to a copy. */
  onForked: (() => void) | undefined;

  constructor(
    private readonly storage: DocumentStorage,
    private readonly session: DocumentStorage,
    fresh: () => unknown,
    start?: CanvasStart,
  ) {
    const ownId = session.getItem(TAB_KEY);
    const own = ownId ? parseDocument(storage.getItem(DOC_PREFIX + ownId)) : undefined;
    if (start) {
      // A handed-over script is a new canvas of this tab's own, even where sessionStorage was
      // copied from the opener (window.open copies it): the opener's document stays the opener's.
      this.document = {
        id: randomId(),
        script: start.script,
        results: {},
        untrusted: start.untrusted,
        undo: [],
        redo: [],
        updated: 0,
        writer: '',
      };
      session.setItem(TAB_KEY, this.document.id);
    } else if (own) this.document = own;
    else {
      const latest = storedDocuments(storage)[0];
      let legacy: unknown;
      try {
        const saved = storage.getItem(LEGACY_KEY);
        legacy = saved ? JSON.parse(saved) : undefined;
      } catch {
        legacy = undefined;
      }
      // A new tab continues from the last saved canvas, as a copy of its own (trust included).
      this.document = {
        ...(latest ?? {
          results: {},
          untrusted: null,
          undo: [],
          redo: [],
          updated: 0,
          writer: '',
          script: legacy ?? fresh(),
        }),
        id: randomId(),
      };
      session.setItem(TAB_KEY, this.document.id);
    }
    this.historySignal = createSignal({
      undo: this.document.undo.length,
      redo: this.document.redo.length,
    });
    this.save();
  }

  /** The document id this tab edits. */
  get id(): string {
    return this.document.id;
  }

  /** The saved script. */
  script(): unknown {
    return this.document.script;
  }

  /** Saves the script (undo steps are recorded separately with {@link pushUndo}). */
  setScript(script: unknown): void {
    this.document.script = script;
    this.save();
  }

  /** Records `previous` as one undo step (the caller then sets the new script). */
  pushUndo(previous: unknown): void {
    this.document.undo.push(previous);
    if (this.document.undo.length > UNDO_LIMIT) this.document.undo.shift();
    this.document.redo = [];
    this.save();
    this.publishHistory();
  }

  /** The script to go back to from `current` (which becomes redoable), if any. */
  undo(current: unknown): unknown {
    const previous = this.document.undo.pop();
    if (previous === undefined) return undefined;
    this.document.redo.push(current);
    this.save();
    this.publishHistory();
    return previous;
  }

  /** The script to go forward to from `current` (which becomes undoable), if any. */
  redo(current: unknown): unknown {
    const next = this.document.redo.pop();
    if (next === undefined) return undefined;
    this.document.undo.push(current);
    this.save();
    this.publishHistory();
    return next;
  }

  /** How many undo and redo steps there are (reactive). */
  history = (): { undo: number; redo: number } => this.historySignal[0]();

  /** The image a recorded generating expression produced, if this canvas has it. */
  result(key: string): ImageValue | undefined {
    return this.document.results[key];
  }

  /** Keeps the image an expression produced with the script. */
  recordResult(key: string, value: ImageValue): void {
    if (this.document.results[key]?.$image === value.$image) return;
    this.document.results[key] = {
      $image: value.$image,
      width: value.width,
      height: value.height,
    };
    this.save();
  }

  /** Where the script came from while it is still unconfirmed (persisted across reloads). */
  untrusted(): string | null {
    return this.document.untrusted;
  }

  /** Sets or clears the unconfirmed origin. */
  setUntrusted(origin: string | null): void {
    if (this.document.untrusted === origin) return;
    this.document.untrusted = origin;
    this.save();
  }

  /**
   * Reacts to a write of this tab's document by another tab: this tab moves to a copy under a new
   * id (its own content kept), so neither tab loses work silently. Returns true when it forked.
   */
  handleStorageEvent(key: string | null, newValue: string | null): boolean {
    if (key !== DOC_PREFIX + this.document.id || newValue === null) return false;
    const other = parseDocument(newValue);
    if (!other || other.writer === this.writer) return false;
    this.document = { ...this.document, id: randomId() };
    this.session.setItem(TAB_KEY, this.document.id);
    this.save();
    this.onForked?.();
    return true;
  }

  private publishHistory(): void {
    this.historySignal[1]({ undo: this.document.undo.length, redo: this.document.redo.length });
  }

  private save(): void {
    this.document.updated = Date.now();
    this.document.writer = this.writer;
    for (;;) {
      try {
        this.storage.setItem(DOC_PREFIX + this.document.id, JSON.stringify(this.document));
        break;
      } catch (error) {
        // Storage full: drop other canvases first, then our oldest undo steps; never the script.
        if (this.evictOne()) continue;
        if (this.document.undo.length > 0) this.document.undo.shift();
        else if (this.document.redo.length > 0) this.document.redo.shift();
        else throw error;
      }
    }
    this.prune();
  }

  private evictOne(): boolean {
    const others = storedDocuments(this.storage).filter((doc) => doc.id !== this.document.id);
    const oldest = others.at(-1);
    if (!oldest) return false;
    this.storage.removeItem(DOC_PREFIX + oldest.id);
    return true;
  }

  private prune(): void {
    const all = storedDocuments(this.storage);
    for (const stale of all.slice(DOCUMENT_LIMIT))
      if (stale.id !== this.document.id) this.storage.removeItem(DOC_PREFIX + stale.id);
  }
}

const [current, setCurrent] = createSignal<CanvasDocumentStore>();

/** Opens this tab's document (once, at start-up), from `start` when a script was handed over. */
export function openCanvasDocument(
  fresh: () => unknown,
  storage: DocumentStorage = localStorage,
  session: DocumentStorage = sessionStorage,
  start?: CanvasStart,
): CanvasDocumentStore {
  const store = new CanvasDocumentStore(storage, session, fresh, start);
  setCurrent(store);
  return store;
}

/** This tab's document (opened by main.tsx before the app renders). */
export function canvasDocument(): CanvasDocumentStore {
  const store = current();
  if (!store) throw new Error('the canvas document is not open yet');
  return store;
}

/** An in-memory {@link DocumentStorage} (unit tests, or a browser that refuses storage). */
export function memoryStorage(): DocumentStorage {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
    get length() {
      return map.size;
    },
    key: (index) => [...map.keys()][index] ?? null,
  };
}

/**
 * Makes replacing the canvas from a panel (template Load, PNG import, gallery) one undo step, so
 * the previous canvas is a Ctrl+Z away. A no-op where no document is open (panels in tests).
 */
export function recordReplacement(previous: unknown): void {
  current()?.pushUndo(previous);
}
