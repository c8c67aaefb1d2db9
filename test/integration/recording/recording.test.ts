import * as assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CandorEvent, EditEvent, LoggedEvent, TerminalEvent } from '../../../src/model/events';
import { replayEvents } from '../../../src/replay/replay';
import type { CandorTestHooks } from '../../../src/recording/testHooks';
import { candor, openEditor, rawLogText, readEvents, waitFor, workspaceUri, writeFileText } from '../util';

function eventsOf<T extends CandorEvent['t']>(events: readonly LoggedEvent[], t: T): Extract<CandorEvent, { t: T }>[] {
  return events.map((e) => e.event).filter((e): e is Extract<CandorEvent, { t: T }> => e.t === t);
}

async function replayMatchesDisk(hooks: CandorTestHooks, rel: string): Promise<void> {
  await hooks.sync();
  const events = await readEvents(hooks.logDir()!);
  const result = replayEvents(events, { file: rel });
  assert.deepEqual(result.issues, [], 'replay hits every checkpoint');
  const doc = result.documents.find((d) => d.f === rel);
  assert.ok(doc, `${rel} was replayed`);
  const onDisk = await readFile(workspaceUri(...rel.split('/')).fsPath, 'utf8');
  assert.equal(doc.text, onDisk, `replayed ${rel} equals the file on disk`);
}

describe('recording in a real VS Code', function () {
  this.timeout(60_000);
  let hooks: CandorTestHooks;

  before(async () => {
    hooks = await candor();
  });

  it('writes nothing before consent', async () => {
    assert.equal(hooks.state().state, 'off');
    const editor = await openEditor(workspaceUri('src', 'main.ts'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// typed before consent\n'));
    await editor.document.save();
    const dir = hooks.logDir();
    assert.ok(dir);
    assert.equal(await rawLogText(dir), '', 'no log bytes exist before consent');
  });

  it('records editor edits (typing, multi-cursor, paste, undo/redo) that replay to the file on disk', async () => {
    await hooks.grantConsent(['edits', 'navigation', 'files', 'terminalCommands', 'tools']);
    assert.equal(hooks.state().state, 'recording');
    const uri = workspaceUri('src', 'héllo.ts');
    const editor = await openEditor(uri);
    // Typing, one character at a time, as the type command would.
    for (const ch of 'const greeting = "héllo 😀";\n') {
      await vscode.commands.executeCommand('type', { text: ch });
    }
    // Multi-cursor edit: one edit event with several changes.
    await editor.edit((b) => {
      b.insert(new vscode.Position(0, 0), '/* a */');
      b.insert(new vscode.Position(1, 0), '/* b */');
      b.insert(new vscode.Position(2, 0), '/* c */');
    });
    // Real multi-cursor typing through selections.
    editor.selections = [new vscode.Selection(0, 0, 0, 0), new vscode.Selection(1, 0, 1, 0)];
    await vscode.commands.executeCommand('type', { text: 'X' });
    // Paste through the clipboard.
    await vscode.env.clipboard.writeText('pasted\r\nwith CRLF and 𝒳\n');
    editor.selection = new vscode.Selection(editor.document.lineCount - 1, 0, editor.document.lineCount - 1, 0);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    // Undo and redo.
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('redo');
    await editor.document.save();

    await hooks.sync();
    const events = await readEvents(hooks.logDir()!);
    const edits = eventsOf(events, 'edit').filter((e) => e.f === 'src/héllo.ts');
    assert.ok(edits.length > 20, `typing produced edit events (${edits.length})`);
    assert.ok(edits.some((e) => e.c.length >= 2), 'a multi-cursor edit has several changes');
    assert.ok(edits.some((e) => e.r === 'undo'), 'undo is marked');
    assert.ok(edits.some((e) => e.r === 'redo'), 'redo is marked');
    assert.ok(eventsOf(events, 'snap').some((s) => s.f === 'src/héllo.ts'), 'first touch took a snapshot');
    assert.ok(eventsOf(events, 'ckpt').some((c) => c.f === 'src/héllo.ts' && c.why === 'save'), 'save wrote a checkpoint');
    assert.ok(eventsOf(events, 'file').some((f) => f.op === 'save' && f.f === 'src/héllo.ts'), 'save is a file event');
    assert.ok(eventsOf(events, 'session').some((s) => s.op === 'start'));
    assert.ok(!(await rawLogText(hooks.logDir()!)).includes(workspaceUri().fsPath), 'no absolute path is stored');
    await replayMatchesDisk(hooks, 'src/héllo.ts');
  });

  it('follows a file rename and keeps replaying exactly', async () => {
    const from = workspaceUri('src', 'main.ts');
    const to = workspaceUri('src', 'renamed main.ts');
    const editor = await openEditor(from);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'before rename\n'));
    await editor.document.save();
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(from, to);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const renamed = await openEditor(to);
    await renamed.edit((b) => b.insert(new vscode.Position(0, 0), 'after rename\n'));
    await renamed.document.save();
    await hooks.sync();
    const events = await readEvents(hooks.logDir()!);
    assert.ok(eventsOf(events, 'file').some((f) => f.op === 'rename' && f.f === 'src/main.ts' && f.to === 'src/renamed main.ts'));
    await replayMatchesDisk(hooks, 'src/renamed main.ts');
  });

  it('excluded files leave no content and no path', async () => {
    const marker = 'EXCLUDED-MARKER-7f3a';
    for (const rel of [['.env'], ['secrets', 'token.txt'], ['config', 'server.pem']]) {
      const uri = workspaceUri(...rel);
      await writeFileText(uri, 'x=1\n');
      const editor = await openEditor(uri);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), `${marker}\n`));
      await editor.document.save();
    }
    await hooks.sync();
    const raw = await rawLogText(hooks.logDir()!);
    assert.ok(!raw.includes(marker), 'excluded content never reaches the log');
    assert.ok(!raw.includes('.env') && !raw.includes('token.txt') && !raw.includes('server.pem'), 'nor their paths');
  });

  it('records a bash command with its exit code through shell integration', async function () {
    const terminal = vscode.window.createTerminal({ name: 'candor-test', shellPath: '/bin/bash', cwd: workspaceUri('src') });
    try {
      const shell = await waitFor('shell integration', () => terminal.shellIntegration, 20_000).catch(() => undefined);
      if (!shell) {
        this.skip(); // shell integration unavailable on this machine: said so, not faked
      }
      const ended = new Promise<number | undefined>((resolve) => {
        const sub = vscode.window.onDidEndTerminalShellExecution((e) => {
          if (e.terminal === terminal) {
            sub.dispose();
            resolve(e.exitCode);
          }
        });
      });
      shell.executeCommand('ls > /dev/null; (exit 3)');
      assert.equal(await ended, 3);
      const term = await waitFor('terminal event in the log', async () => {
        await hooks.sync();
        return eventsOf(await readEvents(hooks.logDir()!), 'term').find((t: TerminalEvent) => t.cmd.includes('exit 3'));
      });
      assert.equal(term.exit, 3);
      // Shell integration reports the cwd once the shell has sent it; when present it is relative.
      if (term.cwd !== undefined) {
        assert.equal(term.cwd, 'src', 'cwd is workspace-relative');
      }
      assert.ok(!JSON.stringify(term).includes(workspaceUri().fsPath), 'no absolute path');
      assert.equal(term.out, undefined, 'no output without the terminal-output category');
    } finally {
      terminal.dispose();
    }
  });

  it('pause stops writing, resume continues', async () => {
    await vscode.commands.executeCommand('candor.pauseRecording');
    assert.equal(hooks.state().state, 'paused');
    const before = await rawLogText(hooks.logDir()!);
    const editor = await openEditor(workspaceUri('src', 'héllo.ts'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'PAUSED-MARKER'));
    assert.equal(await rawLogText(hooks.logDir()!), before, 'nothing written while paused');
    await vscode.commands.executeCommand('candor.resumeRecording');
    assert.equal(hooks.state().state, 'recording');
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'R'));
    await editor.document.save();
    await hooks.sync();
    const events = await readEvents(hooks.logDir()!);
    assert.ok(!eventsOf(events, 'edit').some((e: EditEvent) => e.c.some((c) => c[2].includes('PAUSED-MARKER'))));
    await replayMatchesDisk(hooks, 'src/héllo.ts');
  });

  it('stop withdraws consent in one answer, writes nothing after, and can delete the data', async () => {
    hooks.answerModals('Stop');
    await vscode.commands.executeCommand('candor.stopRecording');
    assert.equal(hooks.state().state, 'withdrawn');
    const dir = hooks.logDir()!;
    const before = await rawLogText(dir);
    assert.ok(before.includes('"op":"stop"'), 'the stop is recorded');
    const editor = await openEditor(workspaceUri('src', 'héllo.ts'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'AFTER-STOP'));
    await editor.document.save();
    await new Promise((r) => setTimeout(r, 400)); // longer than a flush interval
    assert.equal(await rawLogText(dir), before, 'nothing is written after stop');

    hooks.answerModals('Delete');
    await vscode.commands.executeCommand('candor.deleteLocalData');
    const remaining = await stat(dir).then(() => rawLogText(dir), () => '');
    assert.equal(remaining.includes('"t":"edit"'), false, 'local data deleted');
    // Consent and its history are shared by every window of the workspace (global storage).
    const { shared } = await hooks.localDataFolders();
    assert.ok(shared);
    const history = await readFile(join(shared, 'consent-history.jsonl'), 'utf8');
    assert.match(history, /"to":"withdrawn"/, 'the consent history keeps the withdrawal');
  });
});
