import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import { EditRecorder } from './editRecorder';
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
      measure(performance.now() - started);
    } else {
      this.record(e);
    }
  }

  private record(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) {
      return; // dirty-state changes without text changes
    }
    const f = this.ctx.documents.resolve(e.document.uri);
    if (f === undefined) {
      return;
    }
    const reason =
      e.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : e.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined;
    if (this.recorder.onChange(f, e.document, e.contentChanges, reason) !== 'recorded') {
      this.ctx.documents.exclude(e.document.uri);
    }
  }

  private onSave(doc: vscode.TextDocument): void {
    const f = this.ctx.documents.resolve(doc.uri);
    if (f !== undefined) {
      this.recorder.onSave(f, doc);
    }
  }

  private onClose(doc: vscode.TextDocument): void {
    const f = this.ctx.documents.resolve(doc.uri);
    if (f !== undefined) {
      this.recorder.forget(f);
    }
    this.ctx.documents.forget(doc.uri);
  }
}
