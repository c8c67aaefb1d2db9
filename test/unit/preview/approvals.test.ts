import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import type { SeqRange } from '../../../src/bundle/seqRanges';
import { countRanges, intersectRanges, normalizeRanges, subtractRanges, unionRanges } from '../../../src/bundle/seqRanges';
import { ApprovalLedger } from '../../../src/preview/approvals';
import { parsePreviewRange, selectionOf } from '../../../src/preview/buildSpec';
import { unapprovedCount } from '../../../src/preview/logSessions';
import { fcRuns } from '../bundle/helpers';

const sha = (c: string): string => c.repeat(64);

describe('approvals: which log events are already approved', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'candor-approvals-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records approvals atomically and reads them back after a reload', async () => {
    const file = path.join(dir, 'approvals.json');
    const ledger = new ApprovalLedger(file);
    assert.deepEqual(await ledger.approved(), [], 'nothing approved yet (no file)');
    await ledger.record({ sha256: sha('a'), approvedAt: '2025-11-30T18:00:00.000Z', events: 10, covered: [[1, 10]] });
    await ledger.record({ sha256: sha('b'), approvedAt: '2025-11-30T19:00:00.000Z', events: 4, covered: [[20, 22], [11, 11]] });
    assert.deepEqual(await readdir(dir), ['approvals.json'], 'no temporary file left behind');
    // A new instance (a reloaded window) sees the same.
    const again = new ApprovalLedger(file);
    assert.deepEqual(await again.approved(), [
      [1, 11],
      [20, 22],
    ]);
    assert.deepEqual((await again.list()).map((a) => a.sha256), [sha('a'), sha('b')]);
    // Recording the same bundle twice keeps one entry.
    await again.record({ sha256: sha('b'), approvedAt: '2025-11-30T19:00:00.000Z', events: 4, covered: [[20, 22]] });
    assert.equal((await again.list()).length, 2);
    await again.clear();
    assert.deepEqual(await again.approved(), []);
    await again.clear(); // idempotent
  });

  it('reads a damaged file as "nothing approved" (events offered again, never hidden), and says so', async () => {
    const file = path.join(dir, 'approvals.json');
    const ledger = new ApprovalLedger(file);
    for (const text of ['{', '{"version":2,"approvals":[]}', '{"version":1,"approvals":[{"sha256":"x"}]}', '{"version":1,"approvals":[{"sha256":"' + sha('c') + '","approvedAt":"t","events":1,"covered":[[5,2]]}]}']) {
      await writeFile(file, text);
      const warnings: string[] = [];
      assert.deepEqual(await ledger.approved((m) => warnings.push(m)), [], text);
      assert.equal(warnings.length, 1, text);
    }
    await assert.rejects(ledger.record({ sha256: 'nope', approvedAt: 't', events: 1, covered: [] }));
    await writeFile(file, '{');
    // Recording over a damaged file starts it again rather than failing the approval.
    await ledger.record({ sha256: sha('d'), approvedAt: 't', events: 1, covered: [[3, 4]] });
    assert.deepEqual(await ledger.approved(), [[3, 4]]);
    assert.match(await readFile(file, 'utf8'), /"version": 1/);
  });

  it('approved ∪ unapproved = all, disjoint, over any sequence of approvals (property)', async () => {
    const ledger = new ApprovalLedger(path.join(dir, 'approvals.json'));
    const rangesArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 30 })), { maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 250 }), fc.array(rangesArb, { maxLength: 4 }), async (lastSeq, approvals) => {
        await ledger.clear();
        for (const [k, raw] of approvals.entries()) {
          await ledger.record({ sha256: sha(String(k)), approvedAt: 't', events: 0, covered: raw.map(([a, n]): SeqRange => [a, a + n]) });
        }
        const approved = await ledger.approved();
        const all: SeqRange[] = lastSeq === 0 ? [] : [[1, lastSeq]];
        const unapproved = subtractRanges(all, approved);
        assert.deepEqual(unionRanges(unapproved, intersectRanges(all, approved)), all);
        assert.deepEqual(intersectRanges(unapproved, approved), []);
        const expected = normalizeRanges(approvals.flatMap((raw) => raw.map(([a, n]): SeqRange => [a, a + n])));
        assert.deepEqual(approved, expected, 'the union of every approval');
        // The QuickPick's count: a log of seqs 1..lastSeq, one record each.
        const span = lastSeq === 0 ? { events: 0 } : { events: lastSeq, firstSeq: 1, lastSeq };
        assert.equal(unapprovedCount(span, approved), countRanges(unapproved));
      }),
      { numRuns: fcRuns(50) },
    );
  });

  it('a preview leaves approved seqs out by default, and keeps them when asked to', () => {
    const approved: SeqRange[] = [[1, 10]];
    assert.deepEqual(selectionOf({ range: 'all' }, 500, approved), { to: 500, exclude: [[1, 10]] });
    assert.deepEqual(selectionOf({ range: 'time', from: 1, to: 9999 }, 500, approved), { from: 1, to: 500, exclude: [[1, 10]] });
    assert.deepEqual(selectionOf({ range: 'session', sessionId: 's' }, 500, approved), { sessionId: 's', to: 500, exclude: [[1, 10]] });
    assert.deepEqual(selectionOf({ range: 'all', includeApproved: true }, 500, approved), { to: 500 });
    assert.deepEqual(selectionOf({ range: 'all' }, 500, []), { to: 500 });
    assert.deepEqual(parsePreviewRange({ range: 'all', includeApproved: true }), { range: 'all', includeApproved: true });
    assert.deepEqual(parsePreviewRange({ range: 'all', includeApproved: false }), { range: 'all' });
    assert.equal(parsePreviewRange({ range: 'all', includeApproved: 'yes' }), undefined);
  });
});
