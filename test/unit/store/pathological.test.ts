/**
 * Logs no writer produces: blank-line floods, a directory where a segment should be, CRLF line
 * ends, duplicate keys and other non-canonical JSON, timestamps outside the Date range, deep
 * nesting. Every checksum here is recomputed, so each case reaches the checks after the CRC.
 */
import * as assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { EventLog } from '../../../src/store/eventLog';
import { crc32, decodeLine, encodeRecord, hex8 } from '../../../src/store/framing';
import { logStats, readLogAll } from '../../../src/store/reader';
import { recoverLog } from '../../../src/store/recovery';
import { enforceRetention } from '../../../src/store/retention';
import { scanSegment } from '../../../src/store/scan';
import type { TestRecord } from './helpers';
import { fcRuns, noSyncFs, rec, removeDir, tempDir } from './helpers';

/** A line framed around `json` exactly as given (the writer would stringify; this does not). */
function rawLine(seq: number, json: string, eol = '\n'): string {
  // The checksum covers whatever precedes the LF (a CR too): these lines pass the CRC on purpose.
  const body = json + eol.slice(0, -1);
  return `${seq}\t${hex8(crc32(`${seq}\t${body}`))}\t${body}\n`;
}

const seg1 = (dir: string): string => join(dir, 'seg-000001.log');

describe('store/pathological logs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  describe('blank-line floods', () => {
    it('recovers a segment followed by 2.56M blank lines: no throw, every record kept, one span dropped', async () => {
      const good = [1, 2, 3].map((n) => encodeRecord(n, rec(n))).join('');
      const blanks = 2_560_000;
      await writeFile(seg1(dir), Buffer.concat([Buffer.from(good), Buffer.alloc(blanks, 0x0a), Buffer.from(encodeRecord(4, rec(4)))]));
      const report = await recoverLog(dir);
      assert.equal(report.records, 4);
      assert.equal(report.lastSeq, 4);
      assert.deepEqual(
        report.dropped.map((d) => [d.offset, d.bytes, d.reason]),
        [[good.length, blanks, 'bad-frame']],
      );
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4]);
      assert.equal(damaged.length, 1);
      const stats = await logStats(dir);
      assert.equal(stats.records, 4);
      assert.equal(stats.damaged, 1);
      assert.equal(stats.damagedBytes, blanks);
    });

    it('repairs the flood away and keeps writing after it', async () => {
      await writeFile(seg1(dir), encodeRecord(1, rec(1)) + '\n'.repeat(200_000) + encodeRecord(2, rec(2)));
      const log = await EventLog.open<TestRecord>({ dir, fs: noSyncFs() });
      assert.equal(log.recovery.records, 2);
      assert.equal(log.recovery.dropped.length, 1);
      log.append(rec(3));
      await log.close();
      assert.equal(await readFile(seg1(dir), 'utf8'), [1, 2, 3].map((n) => encodeRecord(n, rec(n))).join(''));
    });

    it('keeps a damaged record that claims a seq apart from the blank lines around it', () => {
      const bad = '7\tzzzzzzzz\t{"ts":1}\n';
      const data = Buffer.from(encodeRecord(1, rec(1)) + '\n\n' + bad + '\n\n\n' + encodeRecord(2, rec(2)));
      const scan = scanSegment(data);
      assert.deepEqual(scan.records.map((r) => r.seq), [1, 2]);
      assert.deepEqual(scan.damage.map((d) => [d.bytes, d.reason, d.seq]), [[2, 'bad-frame', undefined], [bad.length, 'bad-frame', 7], [3, 'bad-frame', undefined]]);
    });
  });

  describe('a segment that is not a file', () => {
    it('is reported by a read-only recovery, the reader, stats and retention, never thrown', async () => {
      await writeFile(seg1(dir), encodeRecord(1, rec(1)));
      await mkdir(join(dir, 'seg-000002.log'));
      await writeFile(join(dir, 'seg-000003.log'), encodeRecord(2, rec(2)));
      const report = await recoverLog(dir);
      assert.equal(report.records, 2);
      assert.deepEqual(report.dropped, [{ segment: 'seg-000002.log', offset: 0, bytes: 0, reason: 'not-a-file' }]);
      assert.deepEqual(report.segments.map((s) => [s.name, s.records, s.damaged]), [['seg-000001.log', 1, 0], ['seg-000002.log', 0, 1], ['seg-000003.log', 1, 0]]);
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(entries.map((e) => e.seq), [1, 2]);
      assert.deepEqual(damaged.map((d) => [d.segment, d.reason]), [['seg-000002.log', 'not-a-file']]);
      assert.equal((await logStats(dir)).damaged, 1);
      const retention = await enforceRetention(dir, { maxAgeDays: 1, now: Date.UTC(2030, 0, 1) });
      assert.deepEqual(retention.deleted.map((d) => d.segment), ['seg-000001.log']);
      assert.ok((await stat(join(dir, 'seg-000002.log'))).isDirectory(), 'a directory is never deleted');
    });

    it('is moved aside when the writer opens the log, which then appends where it was', async () => {
      await writeFile(seg1(dir), encodeRecord(1, rec(1)));
      await mkdir(join(dir, 'seg-000002.log'));
      await writeFile(join(dir, 'seg-000002.log', 'inside'), 'kept');
      const log = await EventLog.open<TestRecord>({ dir, fs: noSyncFs(), now: () => Date.UTC(2025, 0, 2) });
      assert.deepEqual(log.recovery.dropped.map((d) => d.reason), ['not-a-file']);
      log.append(rec(2));
      await log.close();
      const names = await readdir(dir);
      const aside = names.filter((n) => n.startsWith('seg-000002.log.'));
      assert.equal(aside.length, 1, names.join(', '));
      assert.equal(await readFile(join(dir, aside[0], 'inside'), 'utf8'), 'kept', 'nothing inside it is lost');
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(entries.map((e) => [e.seq, e.record.n]), [[1, 1], [2, 2]]);
      assert.deepEqual(damaged, []);
      const journal = (await readFile(join(dir, 'recovery.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { reason: string });
      assert.deepEqual(journal.map((j) => j.reason), ['not-a-file']);
    });
  });

  describe('only the canonical form the writer emits', () => {
    const json = JSON.stringify(rec(2));
    const cases: [string, string, string][] = [
      ['CRLF line end', rawLine(2, json, '\r\n'), 'non-canonical'],
      ['a CR inside', rawLine(2, json.replace(',', ',\r')), 'non-canonical'],
      ['a space between tokens', rawLine(2, json.replace(',', ', ')), 'non-canonical'],
      ['a duplicate key', rawLine(2, json.replace('{', '{"ts":5,')), 'non-canonical'],
      ['a duplicate seq-like key', rawLine(2, '{"t":"x","ts":1,"n":2,"n":3}'), 'non-canonical'],
      ['a number not in shortest form', rawLine(2, json.replace('"n":2', '"n":2.0')), 'non-canonical'],
      ['an exponent', rawLine(2, '{"ts":1e3}'), 'non-canonical'],
      ['-0', rawLine(2, '{"ts":-0}'), 'non-canonical'],
      ['a needless escape', rawLine(2, '{"t":"\\u0078","ts":1}'), 'non-canonical'],
      ['an escaped slash', rawLine(2, '{"t":"a\\/b","ts":1}'), 'non-canonical'],
      ['a BOM', rawLine(2, '\ufeff' + json), 'bad-json'],
      ['ts above the Date range', rawLine(2, '{"ts":8640000000000001}'), 'bad-json'],
      ['ts below the Date range', rawLine(2, '{"ts":-8640000000000001}'), 'bad-json'],
      ['ts 1e308', rawLine(2, `{"ts":${String(1e308)}}`), 'bad-json'],
      ['a string ts', rawLine(2, '{"ts":"1"}'), 'bad-json'],
      ['an array', rawLine(2, '[1]'), 'bad-json'],
      ['10^5 nested arrays', rawLine(2, `{"ts":1,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'bad-json'],
      ['10^5 nested objects', rawLine(2, `{"ts":1,"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), 'bad-json'],
    ];
    for (const [name, line, reason] of cases) {
      it(`rejects ${name} (${reason}) and keeps its neighbours`, () => {
        assert.deepEqual(decodeLine(line), { ok: false, reason, seq: 2 });
        const data = Buffer.from(encodeRecord(1, rec(1)) + line + encodeRecord(3, rec(3)));
        const scan = scanSegment(data);
        assert.deepEqual(scan.records.map((r) => r.seq), [1, 3]);
        assert.deepEqual(scan.damage.map((d) => [d.bytes, d.reason, d.seq]), [[Buffer.byteLength(line), reason, 2]]);
      });
    }

    it('accepts the limits of the Date range and nesting of 64', () => {
      for (const ts of [8.64e15, -8.64e15, 0]) {
        assert.ok(decodeLine(rawLine(1, JSON.stringify({ ts }))).ok, String(ts));
      }
      const nested = `{"ts":1,"x":${'['.repeat(63)}${']'.repeat(63)}}`;
      assert.ok(decodeLine(rawLine(1, nested)).ok);
      assert.ok(!decodeLine(rawLine(1, `{"ts":1,"x":${'['.repeat(64)}${']'.repeat(64)}}`)).ok);
    });

    it('rejects bytes that are not UTF-8, even when they decode to the same text', () => {
      // F0 90 80 (a truncated 4-byte sequence) decodes to one U+FFFD, as does EF BF BD itself.
      const make = (bytes: number[]): Buffer => {
        const body = Buffer.concat([Buffer.from('{"t":"'), Buffer.from(bytes), Buffer.from('","ts":1}')]);
        const head = Buffer.from('2\t');
        const crc = hex8(crc32(Buffer.concat([head, body])));
        return Buffer.concat([head, Buffer.from(`${crc}\t`), body, Buffer.from('\n')]);
      };
      assert.ok(decodeLine(make([0xef, 0xbf, 0xbd])).ok);
      assert.deepEqual(decodeLine(make([0xf0, 0x90, 0x80])), { ok: false, reason: 'non-canonical', seq: 2 });
      assert.deepEqual(decodeLine(make([0xff])), { ok: false, reason: 'non-canonical', seq: 2 });
    });

    it('keeps __proto__ keys as plain data and never changes Object.prototype', () => {
      const line = rawLine(1, '{"ts":1,"__proto__":{"polluted":true}}');
      const r = decodeLine(line);
      assert.ok(r.ok);
      assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    });

    it('accepts everything the writer emits (any JSON record round-trips)', () => {
      fc.assert(
        fc.property(fc.record({ ts: fc.integer(), t: fc.string({ unit: 'binary' }), x: fc.jsonValue({ maxDepth: 5 }) }), (record) => {
          const r = decodeLine(encodeRecord(9, record));
          assert.ok(r.ok, JSON.stringify(record));
        }),
        { numRuns: fcRuns(300) },
      );
    });

    it('the writer repairs a CRLF record away as damage, losing nothing else', async () => {
      await writeFile(seg1(dir), encodeRecord(1, rec(1)) + rawLine(2, JSON.stringify(rec(2)), '\r\n') + encodeRecord(3, rec(3)));
      const log = await EventLog.open<TestRecord>({ dir, fs: noSyncFs() });
      assert.deepEqual(log.recovery.dropped.map((d) => [d.reason, d.seq]), [['non-canonical', 2]]);
      assert.equal(log.recovery.nextSeq, 4);
      await log.close();
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(entries.map((e) => e.seq), [1, 3]);
      assert.deepEqual(damaged, []);
    });
  });

  describe('a record check given by the caller', () => {
    it('rejects records it refuses as bad-record, with its reason, keeping the rest', async () => {
      await writeFile(seg1(dir), [1, 2, 3].map((n) => encodeRecord(n, rec(n))).join(''));
      await appendFile(seg1(dir), encodeRecord(4, rec(4)));
      const check = (seq: number): string | undefined => (seq === 2 ? 'seq 2 is not wanted' : undefined);
      const report = await recoverLog(dir, { check });
      assert.equal(report.records, 3);
      assert.deepEqual(report.dropped.map((d) => [d.reason, d.seq, d.detail]), [['bad-record', 2, 'seq 2 is not wanted']]);
      const { entries, damaged } = await readLogAll<TestRecord>(dir, { check });
      assert.deepEqual(entries.map((e) => e.seq), [1, 3, 4]);
      assert.deepEqual(damaged.map((d) => [d.reason, d.detail]), [['bad-record', 'seq 2 is not wanted']]);
    });
  });
});
