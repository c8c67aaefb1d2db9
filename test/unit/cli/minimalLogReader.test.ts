import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import * as fc from 'fast-check';
import { crc32Fallback, MinimalLogSource } from '../../../src/cli/minimalLogReader';
import type { LoggedEvent } from '../../../src/model/events';
import { fcRuns } from '../replay/helpers';
import { frame, segmentName, tempDir } from './logFiles';

async function readAll(source: MinimalLogSource, dir: string): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for await (const e of source.read(dir)) {
    out.push(e);
  }
  return out;
}

describe('cli/minimalLogReader', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const source = new MinimalLogSource();

  beforeEach(async () => {
    ({ path: dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('has a fallback CRC-32 equal to zlib.crc32, continuation included (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        assert.equal(crc32Fallback(a, 0), zlib.crc32(a));
        assert.equal(crc32Fallback(b, crc32Fallback(a, 0)), zlib.crc32(Buffer.concat([a, b])));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('keeps valid records and reports each kind of damage with its offset', async () => {
    const good = (seq: number): string => frame(seq, { t: 'cmd', ts: seq, id: `c${seq}` });
    const lines = [
      good(1),
      '\n', // an empty line
      frame(2, { t: 'cmd', ts: 2, id: 'x' }).replace(/^2/, '02'), // leading zero: bad seq
      frame(3, { t: 'cmd', id: 'no ts' }), // CRC fine, no numeric ts
      frame(4, { t: 'cmd', ts: 4, id: 'x' }).replace(/\t([0-9a-f]{8})\t/, (_m, h: string) => `\t${h.toUpperCase().replace(/^[0-9]/, 'A')}\t`), // not lowercase hex
      good(5),
      good(5), // repeated seq
      '7\tzz\t{}\n', // bad frame
      good(8),
    ];
    await writeFile(join(dir, segmentName(1)), lines.join(''));
    await writeFile(join(dir, segmentName(2)), good(6) + good(9) + good(10).slice(0, -1)); // seq 6 < 8; torn tail
    assert.deepEqual((await readAll(source, dir)).map((e) => e.seq), [1, 5, 8, 9]);
    const check = await source.verify(dir);
    assert.equal(check.records, 4);
    const offsets = lines.map((_l, k) => Buffer.byteLength(lines.slice(0, k).join('')));
    assert.deepEqual(
      check.damaged.map((d) => [d.segment, d.offset, d.reason, d.seq]),
      [
        [segmentName(1), offsets[1], 'bad-frame', undefined],
        [segmentName(1), offsets[2], 'bad-seq', undefined],
        [segmentName(1), offsets[3], 'bad-json', 3],
        [segmentName(1), offsets[4], 'bad-frame', 4],
        [segmentName(1), offsets[6], 'seq-order', 5],
        [segmentName(1), offsets[7], 'bad-frame', 7],
        [segmentName(2), 0, 'seq-order', 6],
        [segmentName(2), Buffer.byteLength(good(6) + good(9)), 'torn-tail', 10],
      ],
    );
    const stats = await source.stats(dir);
    assert.equal(stats.damaged, 8);
    assert.deepEqual(stats.segments.map((s) => [s.records, s.damaged]), [[3, 6], [1, 2]]);
  });

  it('orders segments by number and ignores other files', async () => {
    await writeFile(join(dir, 'seg-000010.log'), frame(3, { t: 'cmd', ts: 3, id: 'c' }));
    await writeFile(join(dir, 'seg-000002.log'), frame(1, { t: 'cmd', ts: 1, id: 'a' }) + frame(2, { t: 'cmd', ts: 2, id: 'b' }));
    await writeFile(join(dir, 'seg-000003.log.tmp'), frame(99, { t: 'cmd', ts: 9, id: 'z' }));
    await writeFile(join(dir, 'recovery.jsonl'), '{}\n');
    assert.deepEqual((await readAll(source, dir)).map((e) => e.seq), [1, 2, 3]);
  });

  it('decodes multi-byte UTF-8 text exactly', async () => {
    const text = 'a😀\r\n𝒳é\t"\\';
    await writeFile(join(dir, segmentName(1)), frame(1, { t: 'snap', ts: 1, f: 'ü/x.ts', v: 1, text }));
    const [e] = await readAll(source, dir);
    assert.deepEqual(e, { seq: 1, event: { t: 'snap', ts: 1, f: 'ü/x.ts', v: 1, text } });
  });
});
