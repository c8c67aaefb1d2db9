import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { Config } from '../../../src/recording/config';
import { candor, openEditor, rawLogText, workspaceUri } from '../util';

/**
 * The fixture workspace's .vscode/settings.json tries to switch recording on, widen categories,
 * raise limits and redirect data. Candor must ignore all of it (design invariant 1).
 */
describe('a workspace cannot turn Candor on or widen it', function () {
  this.timeout(30_000);

  it('the attack settings are really there', async () => {
    const raw = await readFile(workspaceUri('.vscode', 'settings.json').fsPath, 'utf8');
    assert.match(raw, /"candor\.retentionDays": 365/);
    const inspected = vscode.workspace.getConfiguration('candor').inspect('exclude');
    assert.deepEqual(inspected?.workspaceValue, [], 'VS Code loaded the workspace settings file');
  });

  it('recording stays off and nothing is written', async () => {
    const hooks = await candor();
    assert.equal(hooks.state().state, 'off');
    const editor = await openEditor(workspaceUri('src', 'app.ts'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'typed in a hostile workspace\n'));
    await editor.document.save();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await rawLogText(hooks.logDir()!), '');
  });

  it('limits come only from user settings; exclusions can only grow', () => {
    const config = new Config();
    assert.equal(config.retentionDays, 30);
    assert.equal(config.maxFileSizeBytes, 512 * 1024);
    assert.equal(config.maxLocalStorageBytes, 200 * 1024 * 1024);
    assert.equal(config.terminalOutputCapBytes, 16 * 1024);
    assert.equal(config.checkpointEvery, 100);
    assert.ok(config.excludes.includes('.env*'), 'an empty workspace list does not remove defaults');
  });

  it('granting consent uses only the categories the developer chose', async () => {
    const hooks = await candor();
    await hooks.grantConsent(['edits']);
    assert.deepEqual(hooks.state().receipt?.categories, ['edits']);
    hooks.answerModals('Stop and Delete Local Data');
    await vscode.commands.executeCommand('candor.stopRecording');
    assert.equal(hooks.state().state, 'withdrawn');
  });
});
