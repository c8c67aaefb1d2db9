import * as vscode from 'vscode';
import type { TerminalEvent } from '../model/events';
import { Disposable } from '../util/disposable';
import { stripAnsi } from './ansi';
import type { RecorderContext } from './recorderContext';
import { CappedText } from './utf8Cap';

interface Running {
  readonly startedAt: number;
  /** Capped in UTF-8 bytes: the setting is in KB. */
  readonly output: CappedText;
  reading?: Promise<void>;
}

/**
 * Terminal commands through shell integration (category `terminalCommands`): command line, cwd
 * inside the workspace, exit code, duration. Output only with the `terminalOutput` category,
 * capped. Terminals without shell integration report nothing: there is no other honest way.
 */
export class TerminalSource extends Disposable {
  private readonly running = new Map<vscode.TerminalShellExecution, Running>();

  constructor(
    private readonly ctx: RecorderContext,
    private readonly outputCapBytes: number,
  ) {
    super();
    vscode.window.onDidStartTerminalShellExecution(this.onStart, this, this._subscriptions);
    vscode.window.onDidEndTerminalShellExecution(this.onEnd, this, this._subscriptions);
  }

  private onStart(e: vscode.TerminalShellExecutionStartEvent): void {
    const run: Running = { startedAt: this.ctx.now(), output: new CappedText(this.outputCapBytes) };
    if (this.ctx.granted('terminalOutput')) {
      // read() must be called here, at start, to see the whole output.
      run.reading = this.read(e.execution.read(), run);
    }
    this.running.set(e.execution, run);
  }

  private async read(stream: AsyncIterable<string>, run: Running): Promise<void> {
    try {
      for await (const chunk of stream) {
        // Past the cap this keeps nothing, but the stream is drained so it completes.
        run.output.append(chunk);
      }
    } catch {
      // The terminal went away mid-read: keep what we have.
    }
  }

  private async onEnd(e: vscode.TerminalShellExecutionEndEvent): Promise<void> {
    const run = this.running.get(e.execution);
    this.running.delete(e.execution);
    const ts = this.ctx.now();
    const startedAt = run?.startedAt ?? ts;
    if (run?.reading) {
      // The stream ends shortly after the end event; don't wait forever for it.
      await Promise.race([run.reading, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    const cwdUri = e.execution.cwd;
    if (cwdUri && this.ctx.documents.withholds(cwdUri)) {
      return; // run in a folder the policy makes ineligible: not recorded at all
    }
    const cwd = cwdUri ? this.ctx.documents.resolvePath(cwdUri) : undefined;
    const event: TerminalEvent = {
      t: 'term',
      ts: startedAt,
      cmd: e.execution.commandLine.value,
      dur: ts - startedAt,
      ...(cwd !== undefined ? { cwd } : {}),
      ...(e.exitCode !== undefined ? { exit: e.exitCode } : {}),
      ...(run?.reading ? { out: stripAnsi(run.output.text), ...(run.output.cut ? { cut: true } : {}) } : {}),
    };
    if (!this.isDisposed) {
      this.ctx.emit(event);
    }
  }
}
