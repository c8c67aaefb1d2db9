import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { RecorderContext } from './recorderContext';

/** Active editor and window focus (category `navigation`). */
export class FocusSource extends Disposable {
  constructor(private readonly ctx: RecorderContext) {
    super();
    vscode.window.onDidChangeActiveTextEditor(this.onActiveEditor, this, this._subscriptions);
    vscode.window.onDidChangeWindowState(this.onWindowState, this, this._subscriptions);
  }

  private onActiveEditor(editor: vscode.TextEditor | undefined): void {
    const ts = this.ctx.now();
    if (!editor) {
      this.ctx.emit({ t: 'focus', ts });
      return;
    }
    // An editor we may not record (excluded, outside the workspace) shows as "no editor".
    this.ctx.documents.whenDecided(editor.document.uri, (f) => {
      if (!this.isDisposed) {
        this.ctx.emit(f === undefined ? { t: 'focus', ts } : { t: 'focus', ts, f });
      }
    });
  }

  private onWindowState(state: vscode.WindowState): void {
    this.ctx.emit({ t: 'focus', ts: this.ctx.now(), win: state.focused });
  }
}
