import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { candor, openEditor, waitFor } from '../util';

/**
 * A full disk pauses recording visibly and loses nothing: the log folder is put on a real,
 * tiny tmpfs (needs root, as CI has; skipped otherwise, saying why).
 */
describe('a full disk', function () {
  this.timeout(60_000);
  let mounted: string | undefined;

  after(() => {
    if (mounted) {
      execFileSync('umount', ['-l', mounted]);
    }
  });

  it('pauses recording with a visible reason', async function () {
    const hooks = await candor();
    if (hooks.state().state !== 'off' && hooks.state().state !== 'withdrawn') {
      this.skip();
    }
    const dir = hooks.logDir()!;
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', dir], { stdio: 'ignore' });
      mounted = dir;
    } catch {
      this.skip(); // not root: cannot make a real full disk here
    }
    await hooks.grantConsent(['edits']);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const file = vscode.Uri.joinPath(folder.uri, 'disk-full.txt');
    writeFileSync(file.fsPath, 'a file to fill the disk with\n');
    const recorded = await openEditor(file);
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 60 && hooks.state().state === 'recording'; i++) {
      await recorded.edit((b) => b.insert(new vscode.Position(0, 0), `${big}\n`));
      await new Promise((r) => setTimeout(r, 30));
    }
    const state = await waitFor('recording to pause', () => (hooks.state().state === 'paused' ? hooks.state() : undefined), 15_000);
    assert.equal(state.pauseReason, 'disk-full');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    hooks.answerModals('Stop');
    await vscode.commands.executeCommand('candor.stopRecording');
    assert.equal(hooks.state().state, 'withdrawn');
  });
});
