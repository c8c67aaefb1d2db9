import * as assert from 'node:assert/strict';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { EventLog } from '../../../src/store/eventLog';
import { encodeRecord } from '../../../src/store/framing';
import { readLogAll } from '../../../src/store/reader';
import { recoverLog } from '../../../src/store/recovery';
import { scanSegment } from '../../../src/store/scan';
import { listSegments } from '../../../src/store/segments';
import { createNodeFs } from '../../../src/store/fsBackend';
import type { TestRecord } from './helpers';
import { capturingLogger, fcRuns, noSyncFs, rec, removeDir, tempDir } from './helpers';

const nodeFs = createNodeFs();
const fastFs = noSyncFs();

async function writeLog(dir: string, records: readonly TestRecord[], segmentMaxBytes = 4 << 20): Promise<void> {
  const log = await EventLog.open<TestRecord>({ dir, segmentMaxBytes, fs: fastFs });
  for (const r of records) {
    assert.ok(log.append(r));
  }
  await log.close();
}

const seg1 = (dir: string): string => join(dir, 'seg-000001.log');

describe('store/recovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('drops a torn tail, journals it, repairs the segment and continues the sequence', async () => {
    await writeLog(dir, [rec(1), rec(2), rec(3)]);
    const full = await readFile(seg1(dir));
    await truncate(seg1(dir), full.length - 5);
    const logger = capturingLogger();
    const log = await EventLog.open<TestRecord>({ dir, logger, now: () => Date.UTC(2025, 0, 2) });
    assert.equal(log.recovery.records, 2);
    assert.equal(log.recovery.nextSeq, 3);
    assert.equal(log.recovery.dropped.length, 1);
    const d = log.recovery.dropped[0];
    assert.equal(d.reason, 'torn-tail');
    assert.equal(d.segment, 'seg-000001.log');
    assert.equal(d.seq, 3);
    assert.equal(d.offset + d.bytes, full.length - 5);
    assert.deepEqual(log.recovery.rewritten, ['seg-000001.log']);
    assert.ok(logger.lines.some((l) => l.startsWith('warn') && l.includes('torn-tail')));
    log.append(rec(30));
    await log.close();
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(damaged, []);
    assert.deepEqual(entries.map((e) => [e.seq, e.record.n]), [[1, 1], [2, 2], [3, 30]]);
    const journal = (await readFile(join(dir, 'recovery.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as object);
    assert.deepEqual(journal, [
      { time: '2025-01-02T00:00:00.000Z', segment: 'seg-000001.log', offset: d.offset, bytes: d.bytes, reason: 'torn-tail', seq: 3 },
    ]);
    assert.deepEqual((await readdir(dir)).sort(), ['recovery.jsonl', 'seg-000001.log']);
  });

  it('keeps every intact record around a damaged one, in the same and later segments', async () => {
    await writeLog(dir, Array.from({ length: 30 }, (_, i) => rec(i + 1, i, 'p'.repeat(20))), 600);
    const segs = await listSegments(nodeFs, dir);
    assert.ok(segs.length >= 3);
    const data = await readFile(segs[0].path);
    const second = data.indexOf(0x0a) + 1;
    data[second + 20] ^= 0x04; // inside record 2
    await writeFile(segs[0].path, data);
    const report = await recoverLog(dir);
    assert.deepEqual(report.dropped.map((d) => [d.segment, d.reason, d.seq]), [['seg-000001.log', 'checksum', 2]]);
    assert.equal(report.records, 29);
    assert.equal(report.nextSeq, 31);
    const { entries } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(entries.map((e) => e.record.n), Array.from({ length: 30 }, (_, i) => i + 1).filter((n) => n !== 2));
  });

  it('recovers both records when the LF between them is damaged', async () => {
    await writeLog(dir, [rec(1), rec(2), rec(3)]);
    const data = await readFile(seg1(dir));
    data[data.indexOf(0x0a)] = 0x2a; // '\n' -> '*'
    await writeFile(seg1(dir), data);
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(entries.map((e) => e.record.n), [1, 2, 3]);
    assert.deepEqual(damaged, []);
  });

  it('is read-only unless asked to repair', async () => {
    await writeLog(dir, [rec(1), rec(2)]);
    await writeFile(seg1(dir), Buffer.concat([await readFile(seg1(dir)), Buffer.from('garbage')]));
    const before = await readFile(seg1(dir));
    const report = await recoverLog(dir);
    assert.equal(report.dropped.length, 1);
    assert.deepEqual(report.rewritten, []);
    assert.deepEqual(await readFile(seg1(dir)), before);
    assert.deepEqual(await readdir(dir), ['seg-000001.log']);
  });

  it('rejects a record whose seq does not increase', async () => {
    const lines = [encodeRecord(1, rec(1)), encodeRecord(2, rec(2)), encodeRecord(2, rec(22)), encodeRecord(3, rec(3))];
    await writeFile(seg1(dir), lines.join(''));
    const report = await recoverLog(dir);
    assert.deepEqual(report.dropped.map((d) => [d.reason, d.seq]), [['seq-order', 2]]);
    assert.equal(report.nextSeq, 4);
  });

  it('handles a missing directory, empty segments and leftover temp files', async () => {
    assert.equal((await recoverLog(join(dir, 'nope'))).nextSeq, 1);
    await writeFile(seg1(dir), '');
    await writeFile(join(dir, 'seg-000001.log.tmp'), 'half a rewrite');
    const log = await EventLog.open<TestRecord>({ dir });
    assert.equal(log.recovery.nextSeq, 1);
    await log.close();
    assert.deepEqual(await readdir(dir), ['seg-000001.log']);
  });

  it('never throws on garbage segments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 3 }), async (files) => {
        for (let i = 0; i < files.length; i++) {
          await writeFile(join(dir, `seg-00000${i + 1}.log`), files[i]);
        }
        const report = await recoverLog(dir);
        assert.ok(report.nextSeq >= 1);
      }),
      { numRuns: fcRuns(100) },
    );
  });

  describe('property: random truncations and bit flips', () => {
    interface Placed {
      readonly seg: number;
      readonly start: number;
      /** Offset of its LF. */
      readonly end: number;
    }
    type Damage =
      | { readonly kind: 'truncate'; readonly seg: number; readonly pos: number }
      /** A bit flip anywhere, or in a TAB or LF (where resynchronisation matters). */
      | { readonly kind: 'flip' | 'flip-separator'; readonly seg: number; readonly pos: number; readonly bit: number };

    const recordArb = fc.record({
      s: fc.string({ unit: 'binary', maxLength: 40 }),
      k: fc.integer({ min: -5, max: 5 }),
    });
    const damageArb: fc.Arbitrary<Damage> = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), seg: fc.nat(), pos: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), seg: fc.nat(), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({
        kind: fc.constant('flip-separator' as const),
        seg: fc.nat(),
        pos: fc.nat(),
        bit: fc.integer({ min: 0, max: 7 }),
      }),
    );

    it('never throws, keeps every untouched record, accepts no damaged one, and stays appendable', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArb, { minLength: 1, maxLength: 50 }),
          fc.integer({ min: 120, max: 1500 }),
          fc.array(damageArb, { minLength: 1, maxLength: 6 }),
          async (payloads, segmentMaxBytes, damages) => {
            const d = join(dir, `run-${run++}`);
            const records = payloads.map((p, i) => ({ t: 'x', ts: 1000 + i, n: i + 1, s: p.s + String(p.k) }));
            await writeLog(d, records, segmentMaxBytes);

            const segs = await listSegments(nodeFs, d);
            const original = await Promise.all(segs.map((s) => readFile(s.path)));
            const placed = new Map<number, Placed>();
            original.forEach((bytes, seg) => {
              for (const r of scanSegment(bytes).records) {
                placed.set(r.seq, { seg, start: r.start, end: r.end });
              }
            });
            assert.equal(placed.size, records.length);

            // Damage the files; remember which bytes changed or were cut.
            const damaged = original.map((b) => Buffer.from(b));
            const cut = original.map((b) => b.length);
            for (const dmg of damages) {
              const seg = dmg.seg % segs.length;
              if (dmg.kind === 'truncate') {
                cut[seg] = Math.min(cut[seg], dmg.pos % (original[seg].length + 1));
              } else if (damaged[seg].length > 0) {
                damaged[seg][dmg.pos % damaged[seg].length] ^= 1 << dmg.bit;
              }
            }
            for (let i = 0; i < segs.length; i++) {
              await writeFile(segs[i].path, damaged[i].subarray(0, cut[i]));
            }
            const changed = (seg: number, from: number, to: number): boolean => {
              if (to >= cut[seg]) {
                return true;
              }
              for (let i = from; i <= to; i++) {
                if (damaged[seg][i] !== original[seg][i]) {
                  return true;
                }
              }
              return false;
            };

            // Recover (repairing), then check what survived.
            const log = await EventLog.open<TestRecord>({ dir: d, fs: fastFs });
            const { entries, damaged: stillDamaged } = await readLogAll<TestRecord>(d);
            assert.deepEqual(stillDamaged, [], 'repaired segments read clean');
            const bySeq = new Map(entries.map((e) => [e.seq, e.record]));
            for (const [seq, where] of placed) {
              const touched = changed(where.seg, where.start, where.end); // LF included
              const contentTouched = changed(where.seg, where.start, where.end - 1);
              const got = bySeq.get(seq);
              if (got !== undefined) {
                assert.ok(!contentTouched, `damaged record ${seq} must not be accepted`);
                assert.deepEqual(got, records[seq - 1], `record ${seq} intact`);
              } else {
                assert.ok(touched, `untouched record ${seq} must survive`);
              }
            }
            const seqs = entries.map((e) => e.seq);
            assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
            const lastSeq = seqs.length > 0 ? seqs[seqs.length - 1] : 0;
            assert.equal(log.recovery.nextSeq, lastSeq + 1);

            // Append after recovery and read back consistently.
            log.append({ t: 'x', ts: 1, n: -1 });
            log.append({ t: 'x', ts: 2, n: -2 });
            await log.close();
            const again = await readLogAll<TestRecord>(d);
            assert.deepEqual(again.damaged, []);
            assert.deepEqual(
              again.entries.map((e) => e.seq),
              [...seqs, lastSeq + 1, lastSeq + 2],
            );
            assert.deepEqual(again.entries.slice(-2).map((e) => e.record.n), [-1, -2]);
            const reopened = await recoverLog(d);
            assert.deepEqual(reopened.dropped, []);
            await removeDir(d);
          },
        ),
        { numRuns: fcRuns(200) },
      );
    });
  });
});
