import * as vscode from 'vscode';
import type { SelectionEvent } from '../model/events';
import { Disposable, toDisposable } from '../util/disposable';
import type { CursorHint } from './cursorHint';
import type { RecorderContext } from './recorderContext';

/**
 * Selections and cursor moves (category `navigation`), coalesced: one event once the cursor has
 * been still for `idleMs`, never one per move. A single timer re-arms itself instead of being
 * cleared and recreated on every keystroke.
 */
export class SelectionSource extends Disposable {
  private pending: SelectionEvent | undefined;
  private lastMoveAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: RecorderContext,
    private readonly idleMs: number,
    /** The edit that produced this version, when there was one: places a typing cursor without offsetAt. */
    private readonly cursor?: CursorHint,
  ) {
    super();
    vscode.window.onDidChangeTextEditorSelection(this.onSelection, this, this._subscriptions);
    this._register(toDisposable(() => this.flush()));
  }

  /** Writes the pending selection now (on pause, stop, or before another event family). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending) {
      this.ctx.emit(this.pending);
      this.pending = undefined;
    }
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const measure = this.ctx.measure;
    if (measure) {
      const started = performance.now();
      this.record(e);
      measure(performance.now() - started, 'selection');
    } else {
      this.record(e);
    }
  }

  private record(e: vscode.TextEditorSelectionChangeEvent): void {
    const doc = e.textEditor.document;
    const f = this.ctx.documents.resolve(doc.uri);
    if (f === undefined) {
      return;
    }
    if (this.pending && this.pending.f !== f) {
      this.flush();
    }
    const ts = this.ctx.now();
    const version = doc.version;
    const cursor = this.cursor;
    const at = (p: vscode.Position): number => cursor?.offsetAt(doc, version, p.line, p.character) ?? doc.offsetAt(p);
    const s = e.selections.map((sel) => [at(sel.anchor), at(sel.active)] as const);
    this.pending = e.kind === undefined ? { t: 'sel', ts, f, s } : { t: 'sel', ts, f, s, k: e.kind };
    this.lastMoveAt = ts;
    if (!this.timer) {
      this.arm(this.idleMs);
    }
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const still = this.ctx.now() - this.lastMoveAt;
      if (still >= this.idleMs) {
        this.flush();
      } else {
        this.arm(this.idleMs - still);
      }
    }, delay);
    this.timer.unref?.();
  }
}
