import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SeqRange } from '../../../src/bundle/seqRanges';
import { rangesContain } from '../../../src/bundle/seqRanges';
import type { CandorEvent, LoggedEvent, SessionEvent } from '../../../src/model/events';
import { EventLog } from '../../../src/store/eventLog';
import { UNCLEAN_END_NOTE } from '../../../src/recording/recordingSession';
import type { CandorTestHooks, PreviewTestHandle } from '../../../src/recording/testHooks';
import { logIdOf } from '../../../src/preview/otherLogs';
import type { PreviewRow, PreviewSummary, PreviewToWebview } from '../../../src/preview/protocol';
import type { PeerCommand, PeerReply, PeerState } from '../peerMailbox';
import { awaitMessage, writeMessage } from '../peerMailbox';
import { candor, openEditor, rawLogText, readEvents, waitFor, workspaceUri } from '../util';

/**
 * Two browser tabs of one code-server on one folder: two windows of one workspace, each with its
 * own extension host and its own `storageUri`. This suite runs in the first; the second runs
 * test/integration/peer.ts and obeys it through files (IntegrationRun.secondWindow).
 */
class Peer {
  private n = 0;
  constructor(private readonly dir: string) {}

  async send(cmd: PeerCommand): Promise<PeerReply> {
    const n = ++this.n;
    await writeMessage(this.dir, `cmd-${n}.json`, cmd);
    const reply = await awaitMessage<PeerReply>(this.dir, `reply-${n}.json`, 60_000);
    assert.ok(reply.ok, `peer ${cmd.op}: ${reply.error ?? ''}`);
    return reply;
  }

  async state(): Promise<PeerState> {
    const reply = await this.send({ op: 'state' });
    assert.ok(reply.state);
    return reply.state;
  }
}

function replyOf<T extends PreviewToWebview['type']>(posted: readonly unknown[], type: T, id?: number): Extract<PreviewToWebview, { type: T }> {
  const m = (posted as PreviewToWebview[]).find((p) => p.type === type && (id === undefined || !('id' in p) || p.id === id));
  assert.ok(m, `the host replied with '${type}' (got ${(posted as PreviewToWebview[]).map((p) => p.type).join(', ') || 'nothing'})`);
  return m as Extract<PreviewToWebview, { type: T }>;
}

/** The summary and rows a preview posts after `ready` (as the webview gets them). */
function rowsOf(posted: readonly unknown[], hash: string | undefined): { summary: PreviewSummary; rows: PreviewRow[] } {
  const { summary } = replyOf(posted, 'bundle');
  const chunks = new Map<number, readonly PreviewRow[]>();
  for (const m of posted as PreviewToWebview[]) {
    if (m.type === 'rows' && m.sha256 === hash) {
      chunks.set(m.offset, m.rows);
    }
  }
  const rows: PreviewRow[] = [];
  for (let chunk = chunks.get(0); chunk !== undefined; chunk = chunks.get(rows.length)) {
    rows.push(...chunk);
  }
  assert.equal(rows.length, summary.events, 'every row once');
  return { summary, rows };
}

/** No row of the bundle is an approved log event (a snapshot may restate a document's text at the cut). */
function assertNoneApproved(summary: PreviewSummary, rows: readonly PreviewRow[], approved: readonly SeqRange[], where: string): void {
  for (const [seq, , type] of rows) {
    if (summary.types[type] !== 'snap') {
      assert.ok(!rangesContain(approved, seq), `${where}: seq ${seq} (${summary.types[type]}) was approved and is offered again`);
    }
  }
}

async function lastText(preview: PreviewTestHandle, file: string): Promise<string> {
  const versions = replyOf(await preview.handleMessage({ type: 'versions', id: 901, file }), 'versions', 901);
  const text = replyOf(await preview.handleMessage({ type: 'versionText', id: 902, file, index: versions.versions.length - 1 }), 'versionText', 902);
  return text.text;
}

function sessions(events: readonly LoggedEvent[]): SessionEvent[] {
  return events.map((e) => e.event).filter((e): e is SessionEvent => e.t === 'session');
}

describe('two windows on one workspace (issue 8 item 1)', function () {
  this.timeout(120_000);
  let hooks: CandorTestHooks;
  let peer: Peer;
  let peerLog: string;

  before(async () => {
    hooks = await candor();
    const dir = process.env.CANDOR_PEER_DIR;
    assert.ok(dir, 'the run opens a second window (secondWindow: true)');
    peer = new Peer(dir);
    const ready = await awaitMessage<PeerReply>(dir, 'ready.json', 110_000);
    assert.ok(ready.state?.logDir);
    peerLog = ready.state.logDir;
    assert.notEqual(peerLog, hooks.logDir(), 'each window has its own storageUri, so its own log');
  });

  after(async () => {
    await peer?.send({ op: 'exit' }).catch(() => undefined);
  });

  it('(a) the second window records nothing before consent it can see, and records once it is given here', async () => {
    assert.equal(hooks.state().state, 'off');
    assert.equal((await peer.state()).state, 'off');
    // Into a file window 2 never touches after consent (a later first touch snapshots the document).
    await peer.send({ op: 'type', file: 'README.md', text: 'W2-BEFORE-CONSENT' });
    await peer.send({ op: 'sync' });
    assert.equal(await rawLogText(peerLog), '', 'nothing written in window 2 before consent');

    const granted = Date.now();
    await hooks.grantConsent(['edits', 'navigation', 'files']);
    assert.equal(hooks.state().state, 'recording');
    await waitFor('window 2 to follow the grant', async () => ((await peer.state()).state === 'recording' ? true : undefined), 10_000);
    console.log(`      [figure] window 2 followed the grant in ${Date.now() - granted} ms (upper bound, includes the mailbox)`);

    await peer.send({ op: 'type', file: 'src/héllo.ts', text: 'W2-AFTER-CONSENT' });
    await peer.send({ op: 'sync' });
    const events = await readEvents(peerLog);
    const text = JSON.stringify(events);
    assert.ok(text.includes('"T"') && events.some((e) => e.event.t === 'edit'), 'window 2 recorded its typing');
    assert.ok(!text.includes('W2-BEFORE'), 'typing before consent is nowhere');
    assert.ok(!events.some((e) => e.event.t === 'edit' && e.event.f === 'README.md'), 'no edit of README.md, typed before consent');
    const started = sessions(events);
    assert.equal(started[0]?.op, 'start', 'window 2 opened its own session');
  });

  it('(a2) a preview built here offers window 2’s log; approving its events here marks them approved in both windows', async () => {
    await peer.send({ op: 'sync' });
    // Window 2 opens a preview of its own log now: the approval made here below makes it stale.
    const stale = (await peer.send({ op: 'preview', arg: { range: 'all' } })).preview;
    assert.ok(stale?.hash !== undefined && stale.status === 'reviewing', 'window 2 previews its own log');

    // This window's Candor view lists window 2's log with what it holds unapproved.
    const row = (await hooks.view().sessions()).find((r) => r.label.startsWith('Another window’s log'));
    assert.ok(row, 'the Candor view lists window 2’s log');
    assert.match(row.description, /^\d[\d,]* events? not yet approved$/);

    // The real command, naming window 2's log by its id (as the QuickPick's and the view's choices do).
    const id = logIdOf(peerLog);
    await vscode.commands.executeCommand('candor.previewBundle', { range: 'all', log: id });
    const preview = hooks.preview();
    assert.ok(preview?.hash !== undefined && preview.status === 'reviewing', 'a preview of window 2’s log is open here');
    assert.ok((await lastText(preview, 'src/héllo.ts')).includes('W2-AFTER-CONSENT'), 'it holds the edits typed in window 2');
    const shown = preview.hash;
    hooks.answerModals('Share');
    const done = replyOf(await preview.handleMessage({ type: 'approve', id: 31, sha256: shown }), 'done', 31);
    assert.equal(done.ok, true, done.message);

    // Recorded beside window 2's log (its seqs), not beside this window's.
    const ledger = JSON.parse(await readFile(path.join(path.dirname(peerLog), 'approvals.json'), 'utf8')) as { approvals: { sha256: string; covered: SeqRange[] }[] };
    const entry = ledger.approvals.find((a) => a.sha256 === shown);
    assert.ok(entry && entry.covered.length > 0, 'window 2’s approvals.json records the seqs approved here');
    const own = await readFile(path.join(path.dirname(hooks.logDir()!), 'approvals.json'), 'utf8').catch(() => '');
    assert.ok(!own.includes(shown), 'this window’s approvals are its own log’s');

    // Window 2 types on: the next previews hold that, and none of what was approved here.
    await peer.send({ op: 'type', file: 'src/héllo.ts', text: 'W2-LATER' });
    await peer.send({ op: 'sync' });
    await vscode.commands.executeCommand('candor.previewBundle', { range: 'all', log: id });
    const again = hooks.preview();
    assert.ok(again?.hash !== undefined && again.hash !== shown && again.status === 'reviewing', 'a new preview of window 2’s log');
    const next = rowsOf(await again.handleMessage({ type: 'ready' }), again.hash);
    assertNoneApproved(next.summary, next.rows, entry.covered, 'window 1');
    assert.ok((await lastText(again, 'src/héllo.ts')).includes('W2-LATER'), 'what window 2 typed since is offered');

    // Nor in window 2: its stale preview is refused before any modal, and a new one leaves them out.
    const asked = (await peer.send({ op: 'view' })).modalsAsked;
    const refused = await peer.send({ op: 'previewMessage', message: { type: 'approve', id: 32, sha256: stale.hash }, answers: [null] });
    const no = replyOf(refused.posted ?? [], 'done', 32);
    assert.equal(no.ok, false);
    assert.match(no.message, /approved since this preview was built/);
    assert.equal(refused.modalsAsked, asked, 'refused without asking');
    const fresh = await peer.send({ op: 'preview', arg: { range: 'all' } });
    assert.ok(fresh.preview?.hash !== undefined && fresh.preview.hash !== stale.hash && fresh.preview.status === 'reviewing', 'window 2 builds a new preview');
    const posted = (await peer.send({ op: 'previewMessage', message: { type: 'ready' } })).posted ?? [];
    const mine = rowsOf(posted, fresh.preview.hash);
    assertNoneApproved(mine.summary, mine.rows, entry.covered, 'window 2');
    assert.ok(mine.rows.length < (await readEvents(peerLog)).length, 'window 2’s preview leaves out what was approved in window 1');
    const peerRows = (await peer.send({ op: 'view' })).rows ?? [];
    assert.ok(peerRows.some((r) => /approved/.test(r.description)), `window 2’s view counts the approval made here (${JSON.stringify(peerRows)})`);
  });

  it('(b) Stop in this window stops window 2 before its next write: 20 keys typed there after it are in no log', async () => {
    const editor = await openEditor(workspaceUri('src', 'main.ts'));
    for (const ch of 'W1-EDIT') {
      await vscode.commands.executeCommand('type', { text: ch });
    }
    void editor;
    hooks.answerModals('Stop');
    const stopped = Date.now();
    await vscode.commands.executeCommand('candor.stopRecording');
    assert.equal(hooks.state().state, 'withdrawn');
    // At once, without waiting for window 2 to notice: 20 keys.
    await peer.send({ op: 'type', file: 'src/héllo.ts', text: '¤'.repeat(20) });
    await waitFor('window 2 to stop', async () => ((await peer.state()).state === 'withdrawn' ? true : undefined), 10_000);
    console.log(`      [figure] window 2 showed the withdrawal ${Date.now() - stopped} ms after Stop (upper bound, includes 20 keys and the mailbox)`);
    await peer.send({ op: 'sync' });
    const raw = await rawLogText(peerLog);
    assert.ok(!raw.includes('¤'), 'none of the 20 keys typed after the withdrawal reached window 2’s log');
    const events = await readEvents(peerLog);
    const last = events[events.length - 1]?.event;
    assert.equal(last?.t, 'session');
    assert.equal(last.op, 'stop', 'window 2’s log ends with its stop record');
    assert.match(last.note ?? '', /another window/, 'which says why');
    const { shared } = await hooks.localDataFolders();
    const record = JSON.parse(await readFile(path.join(shared!, 'consent.json'), 'utf8')) as { changedAt: number };
    console.log(`      [figure] window 2 wrote its stop record ${last.ts - record.changedAt} ms after the withdrawal was written`);
    const ownRaw = await rawLogText(hooks.logDir()!);
    assert.ok(!ownRaw.includes('¤'));
    // Typing on in window 2 writes nothing.
    const before = raw;
    await peer.send({ op: 'type', file: 'src/héllo.ts', text: 'AFTER' });
    await peer.send({ op: 'sync' });
    assert.equal(await rawLogText(peerLog), before, 'nothing more is written in window 2');
  });

  it('(c) the workspace’s local data lists both windows’ logs, which hold the edits made in each', async () => {
    const { shared, logs } = await hooks.localDataFolders();
    assert.ok(shared);
    assert.equal(logs[0], hooks.logDir());
    assert.ok(logs.includes(peerLog), 'window 2’s log is listed in window 1 (preview, reveal, delete)');
    const own = await rawLogText(hooks.logDir()!);
    assert.ok(own.includes('"W"') || own.includes('W1'), 'window 1’s edits are in its log');
    const other = await rawLogText(peerLog);
    assert.ok(other.includes('"C"') || other.includes('CONSENT'), 'window 2’s edits are in its log');
    const record = JSON.parse(await readFile(path.join(shared, 'consent.json'), 'utf8')) as { consent: { state: string } };
    assert.equal(record.consent.state, 'withdrawn', 'one consent record for the workspace');
  });

  it('(item 16) a session its writer left open is closed by an "unclean" record when the log is next opened', async () => {
    const dir = hooks.logDir()!;
    // What a killed extension host leaves: a session start and an edit, and no pause or stop.
    const log = await EventLog.open<CandorEvent>({ dir });
    const lastTs = Date.now() - 5_000;
    log.append({ t: 'session', ts: lastTs - 1000, op: 'start', sid: 'crashed-session', cats: ['edits'] });
    log.append({ t: 'cmd', ts: lastTs, id: 'candor.previewBundle' });
    await log.close();
    await hooks.grantConsent(['edits']);
    await hooks.sync();
    const events = await readEvents(dir);
    const unclean = sessions(events).find((s) => s.sid === 'crashed-session' && s.op === 'stop');
    assert.ok(unclean, 'the crashed session is closed in the log');
    assert.equal(unclean.unclean, true);
    assert.equal(unclean.ts, lastTs, 'at the time of its last record, the latest known');
    assert.equal(unclean.note, UNCLEAN_END_NOTE);
    assert.match(unclean.note ?? '', /cannot be known/);
    hooks.answerModals('Stop');
    await vscode.commands.executeCommand('candor.stopRecording');
  });
});
