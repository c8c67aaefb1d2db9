import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventLog } from '../../../src/store/eventLog';
import { logStats, readLog } from '../../../src/store/reader';
import type { DroppedSpan } from '../../../src/store/recovery';
import { removeDir, tempDir } from './helpers';

interface R {
  readonly t: string;
  readonly ts: number;
}

describe('store/reader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
    const log = await EventLog.open<R>({ dir, segmentMaxBytes: 200 });
    const kinds = ['edit', 'edit', 'sel', 'edit', 'file', 'edit', 'sel', 'edit'];
    kinds.forEach((t, i) => log.append({ t, ts: 5000 + i * 10 }));
    await log.close();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('streams records in seq order across segments, from a given seq', async () => {
    const seqs: number[] = [];
    for await (const { seq, record } of readLog<R>(dir, { fromSeq: 3 })) {
      seqs.push(seq);
      assert.equal(record.ts, 5000 + (seq - 1) * 10);
    }
    assert.deepEqual(seqs, [3, 4, 5, 6, 7, 8]);
  });

  it('reports figures and skips damage without modifying the files', async () => {
    const stats = await logStats(dir);
    assert.ok(stats.segments >= 2);
    assert.deepEqual(stats.byType, { edit: 5, sel: 2, file: 1 });
    assert.equal(stats.records, 8);
    assert.equal(stats.firstTs, 5000);
    assert.equal(stats.lastTs, 5070);
    assert.equal(stats.damaged, 0);
    const path = join(dir, 'seg-000001.log');
    const data = await readFile(path);
    data[3] ^= 1;
    await writeFile(path, data);
    const damage: DroppedSpan[] = [];
    const seqs: number[] = [];
    for await (const { seq } of readLog(dir, { onDamage: (d) => damage.push(d) })) {
      seqs.push(seq);
    }
    assert.deepEqual(seqs, [2, 3, 4, 5, 6, 7, 8]);
    assert.equal(damage.length, 1);
    assert.equal(damage[0].segment, 'seg-000001.log');
    assert.deepEqual(await readFile(path), data, 'unchanged');
    const after = await logStats(dir);
    assert.equal(after.damaged, 1);
    assert.equal(after.records, 7);
  });

  it('reads an empty or missing log as empty', async () => {
    const seqs: number[] = [];
    for await (const { seq } of readLog(join(dir, 'missing'))) {
      seqs.push(seq);
    }
    assert.deepEqual(seqs, []);
    assert.equal((await logStats(join(dir, 'missing'))).records, 0);
  });
});
