import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CandorTestHooks } from '../../../src/testHooks';
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
    await writeFile(file, JSON.stringify({ version: 'it-team-1', categories: ['edits', 'navigation', 'files'] }));
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

    await vscode.commands.executeCommand('candor.startRecording');
    const panel = await waitFor('the consent panel and its rows', () => (hooks.consentPanel()?.offered === undefined ? undefined : hooks.consentPanel()));
    assert.deepEqual(panel.offered, rows, 'the panel shows what the host computed');
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
