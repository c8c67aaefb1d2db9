import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SeqRange } from '../../../src/bundle/seqRanges';
import { rangesContain } from '../../../src/bundle/seqRanges';
import type { CandorTestHooks, PreviewTestHandle } from '../../../src/recording/testHooks';
import type { PreviewRow, PreviewSummary, PreviewToWebview } from '../../../src/preview/protocol';
import { candor, openEditor, readEvents, workspaceUri, writeFileText } from '../util';

/** Recorded text that would run script if it were ever rendered as HTML. */
const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '</script><script>alert(1)</script>',
  '<a href="javascript:alert(1)">click</a>',
  '"><svg onload=alert(1)>',
];

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function replyOf<T extends PreviewToWebview['type']>(posted: readonly PreviewToWebview[], type: T, id?: number): Extract<PreviewToWebview, { type: T }> {
  const m = posted.find((p) => p.type === type && (id === undefined || !('id' in p) || p.id === id));
  assert.ok(m, `the host replied with '${type}' (got ${posted.map((p) => p.type).join(', ') || 'nothing'})`);
  return m as Extract<PreviewToWebview, { type: T }>;
}

/** The summary and every row of the open bundle, fetched the way the webview gets them (after `ready`). */
async function allRows(preview: PreviewTestHandle): Promise<{ summary: PreviewSummary; rows: PreviewRow[] }> {
  const posted = await preview.handleMessage({ type: 'ready' });
  const { summary } = replyOf(posted, 'bundle');
  assert.equal(summary.sha256, preview.hash, 'the panel shows the hash of the bytes the host holds');
  // The real webview may still be receiving its own stream: chunks are keyed by offset.
  const chunks = new Map<number, readonly PreviewRow[]>();
  for (const m of posted) {
    if (m.type === 'rows' && m.sha256 === preview.hash) {
      assert.ok(m.rows.length <= 5000, 'never the whole array at once');
      chunks.set(m.offset, m.rows);
    }
  }
  const rows: PreviewRow[] = [];
  for (let chunk = chunks.get(0); chunk !== undefined; chunk = chunks.get(rows.length)) {
    rows.push(...chunk);
  }
  assert.equal(rows.length, summary.events, 'the chunks cover every row once');
  return { summary, rows };
}

describe('bundle preview in a real VS Code', function () {
  this.timeout(120_000);
  let hooks: CandorTestHooks;

  before(async () => {
    hooks = await candor();
    await hooks.grantConsent(['edits', 'navigation', 'files']);
    const uri = workspaceUri('src', 'payloads.ts');
    await writeFileText(uri, '// payloads\n');
    const editor = await openEditor(uri);
    for (const p of PAYLOADS) {
      await editor.edit((b) => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, `${p}\n`));
    }
    await editor.document.save();
    const other = await openEditor(workspaceUri('src', 'main.ts'));
    await other.edit((b) => b.insert(new vscode.Position(0, 0), '// first\n'));
    await other.edit((b) => b.insert(new vscode.Position(0, 0), '// second\n'));
    await other.document.save();
    await hooks.sync();
  });

  it('builds the bundle off-thread and opens it, showing the hash of the stored bytes', async () => {
    await vscode.commands.executeCommand('candor.previewBundle', { range: 'all' });
    const preview = hooks.preview();
    assert.ok(preview, 'a preview is open');
    assert.match(preview.hash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(preview.status, 'reviewing');
    assert.ok(preview.manifest && preview.manifest.counts.events > 0);
    const stored = await readFile(path.join(path.dirname(hooks.outboxDir()), 'preview', 'current.candor'));
    assert.equal(sha256(stored), preview.hash, 'preview/current.candor holds exactly the bytes shown');
    // The real webview loads in the workbench and says ready.
    await Promise.race([
      preview.whenReady(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the webview never said ready')), 30_000)),
    ]);
  });

  it('streams summary and rows in chunks, and answers body, search, versions and diff requests', async () => {
    const preview = hooks.preview()!;
    const { rows } = await allRows(preview);
    assert.equal(rows.length, preview.manifest!.counts.events);
    const edits = rows.filter((r) => r[4].includes('onerror'));
    assert.ok(edits.length > 0, 'the payload edit has a row');
    const body = replyOf(await preview.handleMessage({ type: 'body', id: 1, seq: edits[0][0] }), 'body', 1);
    assert.ok(body.text.includes(JSON.stringify(PAYLOADS[0]).slice(1, -1)), 'the body carries the recorded text as data');
    const found = replyOf(await preview.handleMessage({ type: 'search', id: 2, query: 'onerror=ALERT' }), 'searchResult', 2);
    assert.ok(found.done && found.seqs.includes(edits[0][0]));
    const versions = replyOf(await preview.handleMessage({ type: 'versions', id: 3, file: 'src/payloads.ts' }), 'versions', 3);
    assert.ok(versions.versions.length >= PAYLOADS.length);
    const last = versions.versions.length - 1;
    const text = replyOf(await preview.handleMessage({ type: 'versionText', id: 4, file: 'src/payloads.ts', index: last }), 'versionText', 4);
    assert.equal(text.text, await readFile(workspaceUri('src', 'payloads.ts').fsPath, 'utf8'), 'the last version replayed from the bundle equals the file');
    const diff = replyOf(await preview.handleMessage({ type: 'diff', id: 5, file: 'src/payloads.ts', from: 0, to: last }), 'diff', 5);
    assert.ok(diff.parts.some(([op, t]) => op === 1 && t.includes(PAYLOADS[1])));
  });

  it('carries recorded markup as data only: never in the page HTML', () => {
    const html = hooks.preview()!.html;
    for (const p of PAYLOADS) {
      assert.ok(!html.includes(p), `the page does not contain ${p}`);
    }
    assert.ok(!html.includes('alert(1)'));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(csp, 'the page has a CSP');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{24}'/);
    assert.ok(!csp.includes('unsafe'), 'no unsafe-inline or unsafe-eval');
  });

  it('ignores malformed messages and approvals of a hash it does not show', async () => {
    const preview = hooks.preview()!;
    const before = preview.hash;
    const asked = hooks.modalsAsked.length;
    assert.deepEqual(await preview.handleMessage({ type: 'approve', id: 1 }), []);
    assert.deepEqual(await preview.handleMessage({ type: 'dropEvent', id: 2, seqs: ['1'] }), []);
    assert.deepEqual(await preview.handleMessage('<script>'), []);
    const wrong = replyOf(await preview.handleMessage({ type: 'approve', id: 3, sha256: 'f'.repeat(64) }), 'done', 3);
    assert.equal(wrong.ok, false);
    assert.equal(hooks.modalsAsked.length, asked, 'no modal for a hash the panel does not show');
    assert.equal(preview.hash, before);
  });

  it('drops an event through the protocol: new hash, and the manifest lists the action', async () => {
    const preview = hooks.preview()!;
    const before = preview.hash;
    const { summary, rows } = await allRows(preview);
    // A focus or selection event: dropping it removes nothing else (an edit would take its
    // document's later edits with it, to keep replay consistent).
    const selection = rows.find((r) => ['focus', 'sel'].includes(summary.types[r[2]] ?? ''));
    assert.ok(selection, 'a focus or selection event was recorded');
    const done = replyOf(await preview.handleMessage({ type: 'dropEvent', id: 7, seqs: [selection[0]] }), 'done', 7);
    assert.equal(done.ok, true, done.message);
    assert.notEqual(preview.hash, before, 'the rebuilt bundle has a new hash');
    const actions = preview.manifest!.reviewerActions;
    assert.equal(actions.length, 1);
    assert.equal(actions[0].action, 'drop-event');
    assert.ok(actions[0].removed >= 1);
    const after = (await allRows(preview)).rows;
    assert.equal(after.length, rows.length - 1);
    assert.ok(!after.some((r) => r[0] === selection[0]), 'the dropped event is gone from the timeline');
    const stored = await readFile(path.join(path.dirname(hooks.outboxDir()), 'preview', 'current.candor'));
    assert.equal(sha256(stored), preview.hash);
  });

  it('redacts a text everywhere and can undo it', async () => {
    const preview = hooks.preview()!;
    const before = preview.hash;
    const done = replyOf(await preview.handleMessage({ type: 'redact', id: 8, text: 'onerror' }), 'done', 8);
    assert.equal(done.ok, true, done.message);
    assert.ok(preview.manifest!.reviewerActions.some((a) => a.action === 'redact-everywhere' && a.detail === '«manual:reviewer#1»'));
    assert.ok(preview.manifest!.redaction.findings.some((f) => f.rule === 'manual-reviewer'));
    const found = replyOf(await preview.handleMessage({ type: 'search', id: 9, query: 'onerror' }), 'searchResult', 9);
    assert.deepEqual(found.seqs, [], 'the text is gone from every event');
    const undone = replyOf(await preview.handleMessage({ type: 'undo', id: 10 }), 'done', 10);
    assert.equal(undone.ok, true, undone.message);
    assert.equal(preview.hash, before, 'undo rebuilds the very same bytes (the build is deterministic)');
    assert.equal(preview.manifest!.reviewerActions.length, 1, 'back to the drop only');
  });

  it('approves only after the host modal, writing exactly the previewed bytes to the outbox', async () => {
    const preview = hooks.preview()!;
    const shown = preview.hash!;
    const events = preview.manifest!.counts.events;

    hooks.answerModals(undefined); // the developer cancels
    const cancelled = replyOf(await preview.handleMessage({ type: 'approve', id: 11, sha256: shown }), 'done', 11);
    assert.equal(cancelled.ok, false);
    assert.deepEqual(await readdir(hooks.outboxDir()).catch(() => []), [], 'nothing written without a yes');

    hooks.answerModals('Share');
    const approved = replyOf(await preview.handleMessage({ type: 'approve', id: 12, sha256: shown }), 'done', 12);
    assert.equal(approved.ok, true, approved.message);
    const question = hooks.modalsAsked[hooks.modalsAsked.length - 1];
    assert.match(question, new RegExp(`^Share ${events.toLocaleString('en-US')} events? \\([0-9.]+ KB, SHA-256 ${shown.slice(0, 8)}…\\) with the outbox folder \\(uploading is not set up yet\\)\\?$`));
    const file = path.join(hooks.outboxDir(), `${shown}.candor`);
    assert.equal(sha256(await readFile(file)), shown, 'the outbox file hashes to the hash the panel showed');
    const receipt = JSON.parse(await readFile(path.join(hooks.outboxDir(), `${shown}.json`), 'utf8')) as Record<string, unknown>;
    assert.equal(receipt['sha256'], shown);
    assert.equal(receipt['events'], events);
    assert.equal(typeof receipt['approvedAt'], 'string');
    assert.equal(preview.status, 'approved');

    const again = replyOf(await preview.handleMessage({ type: 'dropEvent', id: 13, seqs: [1] }), 'done', 13);
    assert.equal(again.ok, false, 'an approved bundle no longer changes');
    assert.equal(preview.hash, shown);
  });

  it('discards: the panel closes', async () => {
    const preview = hooks.preview()!;
    replyOf(await preview.handleMessage({ type: 'discard', id: 14 }), 'done', 14);
    assert.equal(hooks.preview(), undefined);
  });

  it('does not offer approved events again: the next preview holds only what came after, and replays', async () => {
    const storage = path.dirname(hooks.outboxDir());
    const ledger = JSON.parse(await readFile(path.join(storage, 'approvals.json'), 'utf8')) as { approvals: { sha256: string; covered: SeqRange[] }[] };
    assert.equal(ledger.approvals.length, 1);
    const approved = ledger.approvals[0].covered;
    assert.ok(approved.length > 0, 'the approval recorded the log seqs it covered');
    const receipt = JSON.parse(await readFile(path.join(hooks.outboxDir(), `${ledger.approvals[0].sha256}.json`), 'utf8')) as { covered?: SeqRange[] };
    assert.deepEqual(receipt.covered, approved, 'the outbox receipt says so too');

    // Something new in a document the approved bundle already had.
    const editor = await openEditor(workspaceUri('src', 'main.ts'));
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// after the approval\n'));
    await editor.document.save();
    await hooks.sync();

    await vscode.commands.executeCommand('candor.previewBundle', { range: 'all' });
    const preview = hooks.preview();
    assert.ok(preview && preview.status === 'reviewing', 'a new preview is open');
    const { summary, rows } = await allRows(preview);
    const logged = await readEvents(hooks.logDir()!);
    assert.ok(logged.length > rows.length, 'the log holds more than the preview offers');
    for (const [seq, , type] of rows) {
      // A snapshot may carry an approved seq: it restates a document's text at the cut.
      if (summary.types[type] !== 'snap') {
        assert.ok(!rangesContain(approved, seq), `seq ${seq} (${summary.types[type]}) was approved and is offered again`);
      }
    }
    assert.ok(rows.some((r) => r[4].includes('after the approval')), 'the new edit is offered');
    // src/main.ts starts from a snapshot of its text at the cut, so the bundle replays to the file.
    const versions = replyOf(await preview.handleMessage({ type: 'versions', id: 20, file: 'src/main.ts' }), 'versions', 20);
    const last = versions.versions.length - 1;
    const text = replyOf(await preview.handleMessage({ type: 'versionText', id: 21, file: 'src/main.ts', index: last }), 'versionText', 21);
    assert.equal(text.text, await readFile(workspaceUri('src', 'main.ts').fsPath, 'utf8'));

    // Asked for explicitly, approved events can be bundled again.
    const fewer = summary.events;
    await vscode.commands.executeCommand('candor.previewBundle', { range: 'all', includeApproved: true });
    assert.ok(hooks.preview()!.manifest!.counts.events > fewer, 'including approved events gives more');
  });

  it('applies the team policy in force at build time, and the manifest says what it removed', async () => {
    const dir = path.join(path.dirname(hooks.outboxDir()), 'it-policy');
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
    const file = path.join(dir, 'team.json');
    await writeFileText(vscode.Uri.file(file), JSON.stringify({ version: 'it-team-2', exclude: ['src/payloads.ts'] }));
    const config = vscode.workspace.getConfiguration('candor');
    await config.update('teamPolicyFile', file, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('candor.previewBundle', { range: 'all', includeApproved: true });
      const manifest = hooks.preview()!.manifest!;
      assert.equal(manifest.policyVersion, 'it-team-2');
      assert.equal(manifest.exclusions.policy?.version, 'it-team-2');
      assert.ok((manifest.exclusions.policy?.events ?? 0) >= PAYLOADS.length, JSON.stringify(manifest.exclusions));
      assert.equal(manifest.exclusions.policy?.files.excluded, 1);
      assert.ok(!manifest.files.some((f) => f.f === 'src/payloads.ts'), 'the file the team forbade after recording is gone');
    } finally {
      await config.update('teamPolicyFile', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
