import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import { EditRecorder, type EditedDocument } from './editRecorder';
import type { CursorHint } from './cursorHint';
import type { RecorderContext } from './recorderContext';

/**
 * Text edits, first-touch snapshots and SHA-256 checkpoints (category `edits`): adapts VS Code's
 * document events to the vscode-free EditRecorder.
 */
export class EditSource extends Disposable {
  private readonly recorder: EditRecorder;

  constructor(
    private readonly ctx: RecorderContext,
    checkpointEvery: number,
    maxFileSizeBytes: number,
    /** Told of every single-change edit, so the selection that follows needs no offsetAt. */
    private readonly cursor?: CursorHint,
  ) {
    super();
    this.recorder = new EditRecorder(ctx.emit, ctx.now, checkpointEvery, maxFileSizeBytes);
    vscode.workspace.onDidChangeTextDocument(this.onChange, this, this._subscriptions);
    vscode.workspace.onDidSaveTextDocument(this.onSave, this, this._subscriptions);
    vscode.workspace.onDidCloseTextDocument(this.onClose, this, this._subscriptions);
  }

  /** The log rotated. */
  onRotate(): void {
    this.recorder.reset();
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const measure = this.ctx.measure;
    if (measure) {
      const started = performance.now();
      this.record(e);
      measure(performance.now() - started, 'edit');
    } else {
      this.record(e);
    }
  }

  private record(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) {
      return; // dirty-state changes without text changes
    }
    const doc = e.document;
    if (this.cursor) {
      if (e.contentChanges.length === 1) {
        const ch = e.contentChanges[0];
        const start = ch.range.start;
        this.cursor.noteChange(doc, doc.version, start.line, start.character, ch.rangeOffset, ch.text);
      } else {
        this.cursor.clear();
      }
    }
    const uri = doc.uri;
    // Typing has no reason: the enum is read only for an undo or a redo.
    const r = e.reason;
    const reason =
      r === undefined ? undefined : r === vscode.TextDocumentChangeReason.Undo ? 'undo' : r === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined;
    const f = this.ctx.documents.peek(uri);
    if (f === null) {
      return;
    }
    if (f !== undefined) {
      if (this.recorder.onChange(f, doc, e.contentChanges, reason) !== 'recorded') {
        this.ctx.documents.exclude(uri);
      }
      return;
    }
    // Not decided yet (its real path is being looked up): keep this version as it is now, so a
    // first-touch snapshot taken later still shows the text of this edit's version.
    const frozen = freeze(doc);
    const changes = e.contentChanges;
    this.ctx.documents.whenDecided(uri, (decided) => {
      if (decided !== undefined && !this.isDisposed && this.recorder.onChange(decided, frozen, changes, reason) !== 'recorded') {
        this.ctx.documents.exclude(uri);
      }
    });
  }

  private onSave(doc: vscode.TextDocument): void {
    const frozen = this.ctx.documents.peek(doc.uri) === undefined ? freeze(doc) : doc;
    this.ctx.documents.whenDecided(doc.uri, (f) => {
      if (f !== undefined && !this.isDisposed) {
        this.recorder.onSave(f, frozen);
      }
    });
  }

  private onClose(doc: vscode.TextDocument): void {
    this.ctx.documents.whenDecided(doc.uri, (f) => {
      if (f !== undefined) {
        this.recorder.forget(f);
      }
      this.ctx.documents.forget(doc.uri);
    });
  }
}

function freeze(doc: vscode.TextDocument): EditedDocument {
  const version = doc.version;
  const text = doc.getText();
  return { version, getText: () => text };
}
