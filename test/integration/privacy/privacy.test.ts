import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { isDistinctiveName, loadMachineIdentity } from '../../../src/privacy/identity';
import { redactEvents } from '../../../src/privacy/redact/redact';
import { replayEvents } from '../../../src/replay/replay';
import type { CandorTestHooks } from '../../../src/recording/testHooks';
import { candor, openEditor, rawLogText, readEvents, workspaceUri, writeFileText } from '../util';

/**
 * The privacy pipeline on what a real VS Code records: a secret typed one key at a time (never
 * whole in any event), this machine's username and home path, and a .gitignored file.
 *
 * The secret's body uses upper-case letters that are not hex digits, so no run of it can turn up by
 * chance in a checkpoint hash, a session id or a timestamp: "absent" then means "redacted".
 */
const SECRET_BODY = 'GHKLMNPQRSTUVWXYZGHKLMNPQRSTUVWXYZGH';
const SECRET = `ghp_${SECRET_BODY}`;
const IGNORED_MARKER = 'IGNORED-CONTENT-5c1e';

describe('privacy in a real VS Code', function () {
  this.timeout(120_000);
  let hooks: CandorTestHooks;

  before(async () => {
    hooks = await candor();
    // Written before consent, so the session's policy knows it from its first decision.
    await writeFileText(workspaceUri('.gitignore'), 'ignored.txt\n');
    await writeFileText(workspaceUri('ignored.txt'), 'placeholder\n');
    await writeFileText(workspaceUri('src', 'typed.txt'), 'notes:\n');
    await hooks.grantConsent(['edits', 'navigation', 'files', 'terminalCommands', 'tools']);
    assert.equal(hooks.state().state, 'recording');
  });

  it('a .gitignored file leaves no content and no path in the raw log', async () => {
    const editor = await openEditor(workspaceUri('ignored.txt'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), `${IGNORED_MARKER}\n`));
    await editor.document.save();
    // Something recordable after it, so the log demonstrably was being written.
    const other = await openEditor(workspaceUri('src', 'typed.txt'));
    await other.edit((b) => b.insert(new vscode.Position(0, 0), '# '));
    await other.document.save();
    await hooks.sync();
    const raw = await rawLogText(hooks.logDir()!);
    assert.ok(raw.includes('src/typed.txt'), 'the log records other files');
    assert.ok(!raw.includes(IGNORED_MARKER), 'no content of the .gitignored file');
    assert.ok(!raw.includes('ignored.txt'), 'not even its path');
  });

  it('a secret, the username and the home path typed key by key are redacted from the whole stream, which still replays', async () => {
    const { username, homedir } = os.userInfo();
    const editor = await openEditor(workspaceUri('src', 'typed.txt'));
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    // One `type` per character, like a person at the keyboard; no newline (it could accept a suggestion).
    for (const ch of `token ${SECRET} by ${username} in ${homedir}/projects/x done`) {
      await vscode.commands.executeCommand('type', { text: ch });
    }
    await editor.document.save();
    await hooks.sync();

    const events = await readEvents(hooks.logDir()!);
    const typed = events.filter((e) => e.event.t === 'edit' && e.event.f === 'src/typed.txt');
    assert.ok(typed.length > SECRET.length, `typing produced one edit per key (${typed.length})`);
    assert.ok(!JSON.stringify(events).includes(SECRET), 'the secret is whole in no single recorded event');
    const raw = replayEvents(events).documents.find((d) => d.f === 'src/typed.txt');
    assert.ok(raw?.text.includes(SECRET), 'but it is whole in the replayed text');

    const identity = await loadMachineIdentity();
    const redacted = redactEvents(events, { identity });
    const out = JSON.stringify(redacted.events);
    for (let i = 0; i + 4 <= SECRET_BODY.length; i++) {
      const piece = SECRET_BODY.slice(i, i + 4);
      assert.ok(!out.includes(piece), `no run of the secret survives redaction: ${piece}`);
    }
    assert.ok(redacted.report.findings.some((f) => f.rule === 'github-pat'), 'reported as a GitHub token');
    // The home path never appears, in any event (as typed, it was the start of a longer path).
    assert.ok(!out.includes(`${homedir}/`) && !out.includes(JSON.stringify(homedir).slice(1, -1) + '/'), `the home path ${homedir} is gone`);
    // The username: as a bare word only when it is distinctive (`root`, `runner`… are ordinary words
    // and are redacted only inside home paths, which the line above checks).
    if (isDistinctiveName(username)) {
      assert.ok(!out.toLowerCase().includes(username.toLowerCase()), 'the username is gone');
    }
    const replay = replayEvents(redacted.events);
    assert.deepEqual(replay.issues, [], 'the redacted stream replays and hits every (re-hashed) checkpoint');
    const doc = replay.documents.find((d) => d.f === 'src/typed.txt');
    assert.ok(doc, 'the typed document replays');
    assert.ok(doc.text.includes('«secret:github-pat#1»'), doc.text);
    assert.ok(doc.text.endsWith('/projects/x done'), 'the path keeps its shape');
  });
});
