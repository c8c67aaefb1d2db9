import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CandorTestHooks } from '../../../src/recording/testHooks';
import { candor, waitFor } from '../util';

/**
 * The consent screen under a team policy (this suite runs first in its run: consent is still off).
 * The host computes the rows from the policy in force, and refuses a grant that names a forbidden
 * category, whoever sends it.
 */
describe('consent screen under a team policy, in a real VS Code', function () {
  this.timeout(60_000);
  let hooks: CandorTestHooks;
  let dir: string;

  before(async () => {
    hooks = await candor();
    assert.equal(hooks.state().state, 'off');
    dir = await mkdtemp(path.join(tmpdir(), 'candor-team-'));
    const file = path.join(dir, 'policy.json');
    // `tools` is both suggested and forbidden: forbidden wins.
    await writeFile(file, JSON.stringify({ version: 'it-team-1', categories: ['edits', 'navigation', 'files'], suggestedCategories: ['edits', 'tools'] }));
    await vscode.workspace.getConfiguration('candor').update('teamPolicyFile', file, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('candor').update('teamPolicyFile', undefined, vscode.ConfigurationTarget.Global);
    await rm(dir, { recursive: true, force: true });
  });

  it('offers the forbidden categories disabled, with the policy named as the reason', async () => {
    const rows = await hooks.consentChoices();
    const forbidden = rows.filter((r) => r.note === 'forbidden by team policy it-team-1').map((r) => r.id);
    assert.deepEqual(forbidden, ['terminalCommands', 'terminalOutput', 'tools']);
    assert.ok(rows.filter((r) => r.disabled).every((r) => !r.checked), 'nothing disabled is ticked');
    assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), ['edits', 'navigation', 'files']);
    assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), [], 'nothing is pre-ticked, suggested or not');
    assert.deepEqual(rows.filter((r) => r.suggested).map((r) => r.id), ['edits'], 'suggested by the team, and not forbidden');
    assert.equal(rows.find((r) => r.id === 'edits')?.note, 'suggested by your team');

    await vscode.commands.executeCommand('candor.startRecording');
    const panel = await waitFor('the consent panel and its rows', () => (hooks.consentPanel()?.offered === undefined ? undefined : hooks.consentPanel()));
    assert.deepEqual(panel.offered, rows, 'the panel shows what the host computed');
  });

  it('refuses an accept message with no category (the webview is never trusted)', async () => {
    const panel = hooks.consentPanel();
    assert.ok(panel);
    for (const categories of [[], ['aiPrompts'], ['keystrokes']]) {
      const posted = await panel.handleMessage({ type: 'accept', categories });
      assert.equal(posted.length, 1, JSON.stringify(categories));
      assert.equal(posted[0].type, 'error');
      assert.match(posted[0].type === 'error' ? posted[0].message : '', categories.length === 0 ? /^Tick at least one category to start recording\. Nothing was started\.$/ : /^Not offered on this screen/);
      assert.equal(hooks.state().state, 'off', 'nothing started');
    }
    assert.ok(hooks.consentPanel(), 'the screen stays open for a real choice');
  });

  it('refuses a grant naming a forbidden category, from the panel or any other way in', async () => {
    const panel = hooks.consentPanel();
    assert.ok(panel);
    const posted = await panel.handleMessage({ type: 'accept', categories: ['edits', 'terminalCommands'] });
    assert.equal(posted.length, 1);
    assert.equal(posted[0].type, 'error');
    assert.match(posted[0].type === 'error' ? posted[0].message : '', /forbidden by team policy it-team-1/);
    assert.equal(hooks.state().state, 'off', 'nothing started');
    await assert.rejects(hooks.grantConsent(['edits', 'tools']), /tools is forbidden by team policy it-team-1/);
    assert.equal(hooks.state().state, 'off');
    await panel.handleMessage({ type: 'cancel' });
    assert.equal(hooks.consentPanel(), undefined);
  });
});
