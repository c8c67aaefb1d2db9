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
    const f = this.ctx.documents.resolve(uri);
    if (f !== undefined) {
      this.ctx.emit({ t: 'file', ts: this.ctx.now(), op, f });
    }
  }

  private onRename(e: vscode.FileRenameEvent): void {
    for (const { oldUri, newUri } of e.files) {
      const from = this.ctx.documents.resolve(oldUri);
      const to = this.ctx.documents.resolve(newUri);
      this.ctx.documents.forget(oldUri);
      if (from !== undefined && to !== undefined) {
        this.ctx.emit({ t: 'file', ts: this.ctx.now(), op: 'rename', f: from, to });
      } else if (from !== undefined) {
        // Renamed into an excluded place: for the record it is gone.
        this.ctx.emit({ t: 'file', ts: this.ctx.now(), op: 'delete', f: from });
      } else if (to !== undefined) {
        this.ctx.emit({ t: 'file', ts: this.ctx.now(), op: 'create', f: to });
      }
    }
  }
}
