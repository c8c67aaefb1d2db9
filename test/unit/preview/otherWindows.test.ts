import * as assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LoggedEvent } from '../../../src/model/events';
import { encodeRecord } from '../../../src/store/framing';
import { ApprovalLedger } from '../../../src/preview/approvals';
import type { BuildSpec } from '../../../src/preview/buildSpec';
import { parseBuildSpec, parsePreviewRange } from '../../../src/preview/buildSpec';
import { ledgerFileOf, logIdOf, OtherLogs } from '../../../src/preview/otherLogs';
import { testReceipt, writeLog } from '../bundle/helpers';

const sha = (c: string): string => c.repeat(64);

function session(first: number, sid: string, n: number, ts0: number): LoggedEvent[] {
  const out: LoggedEvent[] = [{ seq: first, event: { t: 'session', ts: ts0, op: 'start', sid } }];
  for (let k = 1; k <= n; k++) {
    out.push({ seq: first + k, event: { t: 'cmd', ts: ts0 + k, id: 'candor.showLog' } });
  }
  return out;
}

/**
 * Issue 8 item 1, last clause: each window of a workspace writes its own log, and the preview
 * offers every window's log, each with its own approvals beside it.
 */
describe('the other windows’ logs of a workspace (preview and Candor view)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'candor-windows-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('two windows recording approvals into one ledger at the same time lose neither', async () => {
    // Window 1 approves events of window 2's log while window 2 approves some of its own: two
    // ledgers (two extension hosts) on one file. A read-modify-write without a lock loses one.
    const file = path.join(root, 'approvals.json');
    const window1 = new ApprovalLedger(file);
    const window2 = new ApprovalLedger(file);
    const writes: Promise<void>[] = [];
    for (let k = 0; k < 12; k++) {
      const ledger = k % 2 === 0 ? window1 : window2;
      writes.push(ledger.record({ sha256: sha('0123456789abcdef'[k]), approvedAt: '2025-11-30T18:00:00.000Z', events: 1, covered: [[10 * k + 1, 10 * k + 5]] }));
    }
    await Promise.all(writes);
    const all = await new ApprovalLedger(file).list();
    assert.equal(all.length, 12, 'every approval of both windows is recorded');
    assert.match(await readFile(file, 'utf8'), /"version": 1/);
    assert.deepEqual(await readdir(root), ['approvals.json'], 'no lock or temporary file left behind');
  });

  it('a ledger lock left by a dead window is taken over', async () => {
    const file = path.join(root, 'approvals.json');
    await mkdir(root, { recursive: true });
    await appendFile(`${file}.lock`, '999999999 deadbeef');
    const ledger = new ApprovalLedger(file, { isAlive: () => false });
    await ledger.record({ sha256: sha('a'), approvedAt: 't', events: 1, covered: [[1, 2]] });
    assert.deepEqual(await ledger.approved(), [[1, 2]]);
  });

  it('lists each other window’s log with the events its own approvals do not cover, read-only, a torn last line tolerated', async () => {
    const own = path.join(root, 'ws-0', 'log');
    const second = path.join(root, 'ws-1', 'log');
    const third = path.join(root, 'ws-2', 'log');
    for (const dir of [own, second, third]) {
      await mkdir(dir, { recursive: true });
    }
    await writeLog(own, session(1, 'own', 4, 1000), 2);
    await writeLog(second, session(1, 'w2', 9, 2000), 3);
    await writeLog(third, session(1, 'w3', 2, 3000), 2);
    // Window 2 is writing right now: its last line is half written.
    const segs = (await readdir(second)).filter((n) => n.endsWith('.log')).sort();
    const last = path.join(second, segs[segs.length - 1]);
    const before = await readFile(last);
    await appendFile(last, encodeRecord(11, { t: 'cmd', ts: 2011, id: 'candor.showLog' }).slice(0, 12));
    const torn = await readFile(last);
    // Window 3's first 2 events were approved (in window 3 or elsewhere): its own ledger says so.
    await new ApprovalLedger(ledgerFileOf(third)).record({ sha256: sha('b'), approvedAt: 't', events: 2, covered: [[1, 2]] });

    const others = new OtherLogs(() => Promise.resolve([second, third, path.join(root, 'gone', 'log')]));
    const listed = await others.list();
    assert.deepEqual(
      listed.map((o) => [o.dir, o.id, o.events, o.unapproved]),
      [
        [second, logIdOf(second), 10, 10],
        [third, logIdOf(third), 3, 1],
        [path.join(root, 'gone', 'log'), logIdOf(path.join(root, 'gone', 'log')), 0, 0],
      ],
    );
    assert.deepEqual(listed.map((o) => o.label), ['Another window’s log (1)', 'Another window’s log (2)', 'Another window’s log (3)']);
    assert.deepEqual(await readFile(last), torn, 'reading another window’s live log writes nothing to it');
    assert.ok(!before.equals(torn));
    assert.equal((await others.find(logIdOf(third)))?.dir, third);
    assert.equal(await others.find('0'.repeat(16)), undefined, 'an id that names no listed log finds nothing');
    // One other window: no number.
    const one = new OtherLogs(() => Promise.resolve([second]));
    assert.deepEqual((await one.list()).map((o) => o.label), ['Another window’s log']);
    // Approving in window 1 into window 2's ledger: window 2's count (read by anyone) drops.
    await new ApprovalLedger(ledgerFileOf(second)).record({ sha256: sha('c'), approvedAt: 't', events: 10, covered: [[1, 10]] });
    assert.equal((await others.list())[0].unapproved, 0);
  });

  it('the preview command names another window’s log by its id, and a stored spec keeps which log it was built from', () => {
    const id = logIdOf('/x/ws-1/log');
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.deepEqual(parsePreviewRange({ range: 'all', log: id }), { range: 'all', log: id });
    assert.deepEqual(parsePreviewRange({ range: 'session', sessionId: 's', log: id, includeApproved: true }), { range: 'session', sessionId: 's', log: id, includeApproved: true });
    for (const log of ['/etc', '../x', 'ABCDEF0123456789', '0123', 7, null]) {
      assert.equal(parsePreviewRange({ range: 'all', log }), undefined, String(log));
    }
    const spec: BuildSpec = {
      label: 'x',
      selection: { to: 5 },
      receipt: testReceipt(),
      createdAt: '2025-11-30T18:00:00.000Z',
      extensionVersion: '0.0.0',
      policyVersion: '1',
      exclusions: [],
      reviewerActions: [],
      log: '/x/ws-1/log',
    };
    assert.equal(parseBuildSpec(JSON.parse(JSON.stringify(spec)))?.log, '/x/ws-1/log');
    assert.equal(parseBuildSpec({ ...spec, log: 'relative/log' }), undefined, 'only an absolute folder');
    assert.equal(parseBuildSpec({ ...spec, log: 3 }), undefined);
    assert.equal(ledgerFileOf('/x/ws-1/log'), path.join('/x/ws-1', 'approvals.json'), 'approvals live beside the log they refer to');
  });
});
