import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32, decodeFrame, decodeLine, encodeRecord, Framer, hex8 } from '../../../src/store/framing';
import { scanSegment } from '../../../src/store/scan';
import { parseSegmentName, segmentName } from '../../../src/store/segments';
import { fcRuns } from './helpers';

describe('store/framing', () => {
  it('computes CRC-32 known vectors', () => {
    assert.equal(hex8(crc32('123456789')), 'cbf43926');
    assert.equal(crc32(''), 0);
    assert.equal(hex8(crc32('a')), 'e8b7be43');
    assert.equal(hex8(crc32('The quick brown fox jumps over the lazy dog')), '414fa339');
    assert.equal(hex8(crc32(Buffer.from('123456789'))), 'cbf43926');
  });

  it('CRC and byte length of a string equal those of its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }), (a, b) => {
        const s = a + '\ud800' + b + '\udc00'; // lone surrogates too
        assert.equal(crc32(s), crc32(Buffer.from(s, 'utf8')));
        const framer = new Framer();
        const line = framer.frame(42, JSON.stringify({ ts: 1, s }));
        assert.equal(framer.bytes, Buffer.byteLength(line, 'utf8'));
      }),
      { numRuns: fcRuns(200) },
    );
  });

  it('round-trips records', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.record({ ts: fc.integer(), t: fc.string(), x: fc.jsonValue() }),
        (seq, record) => {
          const line = encodeRecord(seq, record);
          assert.ok(line.endsWith('\n'));
          assert.equal(line.indexOf('\n'), line.length - 1, 'one line');
          assert.equal(line.split('\t').length, 3, 'exactly two tabs');
          const r = decodeLine(line);
          assert.ok(r.ok);
          assert.equal(r.seq, seq);
          assert.deepEqual(r.value, JSON.parse(JSON.stringify(record)));
        },
      ),
      { numRuns: fcRuns(200) },
    );
  });

  it('keeps an edit event with framing within 150 bytes', () => {
    const edit = { t: 'edit', ts: 1764470000123, f: 'src/a.ts', v: 17, c: [[120, 0, 'a']] };
    const line = encodeRecord(99_999_999, edit);
    assert.ok(Buffer.byteLength(line) <= 150, `${Buffer.byteLength(line)} B`);
  });

  it('rejects damaged lines with the right reason', () => {
    const good = encodeRecord(12, { ts: 5, t: 'x' });
    const [seq, crc, json] = good.slice(0, -1).split('\t') as [string, string, string];
    const cases: [string, string][] = [
      [`13\t${crc}\t${json}`, 'checksum'], // seq is covered by the CRC
      [`${seq}\t${crc}\t${json.replace('5', '6')}`, 'checksum'],
      [`${seq}\t${crc.toUpperCase()}\t${json}`, 'bad-frame'],
      [`${seq}\t${crc.slice(1)}\t${json}`, 'bad-frame'],
      [`012\t${crc}\t${json}`, 'bad-seq'],
      [`-12\t${crc}\t${json}`, 'bad-seq'],
      [`0\t${crc}\t${json}`, 'bad-seq'],
      [`${seq}${crc}${json}`, 'bad-frame'],
      ['', 'bad-frame'],
      [encodeRecord(3, { t: 'no ts' } as unknown as { ts: number }).slice(0, -1), 'bad-json'],
    ];
    for (const [line, reason] of cases) {
      const r = decodeLine(line);
      assert.equal(r.ok, false, line);
      assert.equal(r.ok ? '' : r.reason, reason, line);
    }
    const notJson = `7\t${hex8(crc32('7\t{"ts":1'))}\t{"ts":1`;
    const r = decodeLine(notJson);
    assert.ok(!r.ok && r.reason === 'bad-json');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodeFrame(bytes, 0, bytes.length);
        const scan = scanSegment(bytes);
        let covered = 0;
        for (const r of scan.records) {
          covered += r.end - r.start;
        }
        assert.ok(covered <= bytes.length);
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('names segments', () => {
    assert.equal(segmentName(1), 'seg-000001.log');
    assert.equal(segmentName(1234567), 'seg-1234567.log');
    assert.equal(parseSegmentName('seg-000002.log'), 2);
    assert.equal(parseSegmentName('seg-0000002.log'), undefined);
    assert.equal(parseSegmentName('seg-000000.log'), undefined);
    assert.equal(parseSegmentName('seg-000002.log.tmp'), undefined);
  });
});
