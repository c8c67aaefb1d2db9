import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { RecorderContext } from './recorderContext';

/** Tasks and debug sessions (category `tools`): names and outcomes, never their output. */
export class ToolSource extends Disposable {
  constructor(private readonly ctx: RecorderContext) {
    super();
    vscode.tasks.onDidStartTaskProcess(
      (e) => this.task('start', e.execution.task),
      this,
      this._subscriptions,
    );
    vscode.tasks.onDidEndTaskProcess(
      (e) => this.task('end', e.execution.task, e.exitCode),
      this,
      this._subscriptions,
    );
    vscode.debug.onDidStartDebugSession((s) => this.debug('start', s), this, this._subscriptions);
    vscode.debug.onDidTerminateDebugSession((s) => this.debug('end', s), this, this._subscriptions);
  }

  private task(op: 'start' | 'end', task: vscode.Task, exit?: number): void {
    this.ctx.emit({
      t: 'task',
      ts: this.ctx.now(),
      op,
      name: task.name,
      src: task.source,
      ...(exit !== undefined ? { exit } : {}),
    });
  }

  private debug(op: 'start' | 'end', session: vscode.DebugSession): void {
    this.ctx.emit({ t: 'debug', ts: this.ctx.now(), op, type: session.type, name: session.name });
  }
}
