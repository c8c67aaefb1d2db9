import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CandorTestHooks } from '../../../src/recording/testHooks';
import { candor, openEditor, waitFor, workspaceUri } from '../util';

/**
 * The Candor view follows the recording by itself: the controller announces consent and session
 * changes at once and a growing log every couple of seconds; nobody calls Refresh here.
 */
describe('Candor view, live, in a real VS Code', function () {
  this.timeout(60_000);
  let hooks: CandorTestHooks;

  before(async () => {
    hooks = await candor();
    assert.equal(hooks.state().state, 'recording', 'the preview suite granted consent');
    await vscode.commands.executeCommand('workbench.view.extension.candor');
  });

  it('updates the current session row while the developer types', async () => {
    await hooks.sync(); // the view reads the log on disk
    const sessions = await hooks.view().sessions();
    assert.ok(sessions.length > 0);
    const before = { refreshes: hooks.view().refreshes, description: sessions[0].description };
    assert.match(before.description, /recording/);
    const editor = await openEditor(workspaceUri('src', 'main.ts'));
    for (let k = 0; k < 5; k++) {
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), `// live ${k}\n`));
    }
    await hooks.sync();
    const row = await waitFor(
      'the view to refresh by itself with a new count',
      async () => {
        if (hooks.view().refreshes === before.refreshes) {
          return undefined;
        }
        const now = (await hooks.view().sessions())[0];
        return now.description !== before.description ? now : undefined;
      },
      15_000,
    );
    assert.match(row.description, /^[\d,]+ events/);
  });

  it('refreshes on pause and resume', async () => {
    const before = hooks.view().refreshes;
    await vscode.commands.executeCommand('candor.pauseRecording');
    await waitFor('a refresh after pausing', () => hooks.view().refreshes > before);
    const paused = (await hooks.view().sessions())[0];
    assert.ok(!paused.description.includes('recording'), paused.description);
    const again = hooks.view().refreshes;
    await vscode.commands.executeCommand('candor.resumeRecording');
    await waitFor('a refresh after resuming', () => hooks.view().refreshes > again);
    assert.equal(hooks.state().state, 'recording');
  });
});
