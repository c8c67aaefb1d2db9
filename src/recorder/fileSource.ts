import * as vscode from 'vscode';
import type { FileEvent } from '../model/events';
import { Disposable } from '../util/disposable';
import type { RecorderContext } from './recorderContext';

/**
 * File lifecycle (category `files`): open, close, save of documents, and create, delete, rename
 * done through VS Code (explorer, refactorings, workspace edits). Changes made outside VS Code
 * (a `git checkout` in a terminal) are not file events; they show as edits of open documents.
 */
export class FileSource extends Disposable {
  constructor(private readonly ctx: RecorderContext) {
    super();
    vscode.workspace.onDidOpenTextDocument((d) => this.doc('open', d.uri), this, this._subscriptions);
    vscode.workspace.onDidCloseTextDocument((d) => this.doc('close', d.uri), this, this._subscriptions);
    vscode.workspace.onDidSaveTextDocument((d) => this.doc('save', d.uri), this, this._subscriptions);
    vscode.workspace.onDidCreateFiles((e) => e.files.forEach((u) => this.doc('create', u)), this, this._subscriptions);
    vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.doc('delete', u)), this, this._subscriptions);
    vscode.workspace.onDidRenameFiles(this.onRename, this, this._subscriptions);
  }

  private doc(op: FileEvent['op'], uri: vscode.Uri): void {
    // The time it happened, even when the path is decided a moment later (links are followed).
    const ts = this.ctx.now();
    this.ctx.documents.whenDecided(uri, (f) => {
      if (f !== undefined && !this.isDisposed) {
        this.ctx.emit({ t: 'file', ts, op, f });
      }
    });
  }

  private onRename(e: vscode.FileRenameEvent): void {
    const ts = this.ctx.now();
    for (const { oldUri, newUri } of e.files) {
      this.ctx.documents.whenDecided(oldUri, (from) => {
        this.ctx.documents.forget(oldUri);
        this.ctx.documents.whenDecided(newUri, (to) => {
          if (this.isDisposed) {
            return;
          }
          if (from !== undefined && to !== undefined) {
            this.ctx.emit({ t: 'file', ts, op: 'rename', f: from, to });
          } else if (from !== undefined) {
            // Renamed into an excluded place: for the record it is gone.
            this.ctx.emit({ t: 'file', ts, op: 'delete', f: from });
          } else if (to !== undefined) {
            this.ctx.emit({ t: 'file', ts, op: 'create', f: to });
          }
        });
      });
    }
  }
}
