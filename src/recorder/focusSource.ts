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
    const f = editor ? this.ctx.documents.resolve(editor.document.uri) : undefined;
    // An editor we may not record (excluded, outside the workspace) shows as "no editor".
    this.ctx.emit(f === undefined ? { t: 'focus', ts: this.ctx.now() } : { t: 'focus', ts: this.ctx.now(), f });
  }

  private onWindowState(state: vscode.WindowState): void {
    this.ctx.emit({ t: 'focus', ts: this.ctx.now(), win: state.focused });
  }
}
