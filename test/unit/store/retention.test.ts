import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogLockedError } from '../../../src/store/errors';
import { EventLog } from '../../../src/store/eventLog';
import { createNodeFs } from '../../../src/store/fsBackend';
import { readLogAll } from '../../../src/store/reader';
import { deleteLog, enforceRetention } from '../../../src/store/retention';
import { listSegments } from '../../../src/store/segments';
import type { TestRecord } from './helpers';
import { rec, removeDir, tempDir } from './helpers';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 5, 1);
const nodeFs = createNodeFs();

/** Writes records with the given timestamps, 4 per segment. */
async function writeDays(dir: string, timestamps: readonly number[]): Promise<void> {
  const probe = Buffer.byteLength(JSON.stringify(rec(0, NOW, 'x'.repeat(60)))) + 30;
  const log = await EventLog.open<TestRecord>({ dir, segmentMaxBytes: probe * 4 });
  timestamps.forEach((ts, i) => log.append(rec(i + 1, ts, 'x'.repeat(60))));
  await log.close();
}

describe('store/retention', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('deletes closed segments whose newest record is older than maxAgeDays', async () => {
    // Segments: [40d ×4] [40d ×3, 20d] [5d ×4] [1d ×2] (active)
    const ts = [
      ...Array<number>(4).fill(NOW - 40 * DAY),
      ...Array<number>(3).fill(NOW - 40 * DAY), NOW - 20 * DAY,
      ...Array<number>(4).fill(NOW - 5 * DAY),
      NOW - DAY, NOW - DAY,
    ];
    await writeDays(dir, ts);
    const before = await listSegments(nodeFs, dir);
    assert.equal(before.length, 4);
    const result = await enforceRetention(dir, { maxAgeDays: 30, now: NOW });
    assert.deepEqual(result.deleted.map((d) => [d.segment, d.reason]), [['seg-000001.log', 'age']]);
    assert.equal(result.remainingSegments, 3);
    const again = await enforceRetention(dir, { maxAgeDays: 10, now: NOW });
    assert.deepEqual(again.deleted.map((d) => d.segment), ['seg-000002.log']);
    const { entries } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(entries.map((e) => e.seq), [9, 10, 11, 12, 13, 14]);
  });

  it('never deletes the active segment, however old', async () => {
    await writeDays(dir, Array<number>(10).fill(NOW - 400 * DAY));
    const result = await enforceRetention(dir, { maxAgeDays: 1, maxBytes: 0, now: NOW });
    assert.equal(result.deleted.length, 2);
    const left = await listSegments(nodeFs, dir);
    assert.deepEqual(left.map((s) => s.name), ['seg-000003.log']);
    assert.equal(result.remainingBytes, (await stat(left[0].path)).size);
  });

  it('deletes the oldest closed segments until the log fits in maxBytes', async () => {
    await writeDays(dir, Array.from({ length: 18 }, (_, i) => NOW - (18 - i) * 60_000));
    const segs = await listSegments(nodeFs, dir);
    assert.equal(segs.length, 5);
    const sizes = await Promise.all(segs.map(async (s) => (await stat(s.path)).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    const maxBytes = total - sizes[0] - 1; // must drop two
    const result = await enforceRetention(dir, { maxAgeDays: 30, maxBytes, now: NOW });
    assert.deepEqual(result.deleted.map((d) => [d.segment, d.reason]), [['seg-000001.log', 'size'], ['seg-000002.log', 'size']]);
    assert.ok(result.remainingBytes <= maxBytes);
    assert.equal(result.remainingBytes, total - sizes[0] - sizes[1]);
  });

  it('works while the writer has the log open, and the writer carries on', async () => {
    const log = await EventLog.open<TestRecord>({ dir, segmentMaxBytes: 300 });
    for (let i = 1; i <= 20; i++) {
      log.append(rec(i, NOW - 100 * DAY, 'x'.repeat(40)));
    }
    await log.flush();
    const result = await enforceRetention(dir, { maxAgeDays: 30, now: NOW });
    assert.ok(result.deleted.length > 0);
    log.append(rec(21, NOW));
    await log.close();
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(damaged, []);
    assert.equal(entries[entries.length - 1].seq, 21);
  });

  it('deleteLog removes segments, journal and lock, then the directory', async () => {
    await writeDays(dir, [NOW, NOW, NOW, NOW, NOW]);
    await writeFile(join(dir, 'recovery.jsonl'), '{}\n');
    await writeFile(join(dir, 'seg-000002.log.tmp'), 'x');
    await writeFile(join(dir, 'candor.lock'), JSON.stringify({ pid: process.pid }));
    await deleteLog(dir);
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
    await deleteLog(dir); // nothing there: fine
  });

  it('deleteLog leaves files it does not own, and refuses while another process holds the lock', async () => {
    await writeDays(dir, [NOW]);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'candor.lock'), JSON.stringify({ pid: child.pid }));
      await assert.rejects(deleteLog(dir), (e: unknown) => LogLockedError.is(e));
    } finally {
      child.kill('SIGKILL');
    }
    await writeFile(join(dir, 'candor.lock'), JSON.stringify({ pid: 2 ** 30 }));
    await deleteLog(dir);
    assert.deepEqual(await readdir(dir), ['notes.txt']);
  });
});
