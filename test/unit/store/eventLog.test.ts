import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDiskFull, LogLockedError, LogWriteError } from '../../../src/store/errors';
import { EventLog } from '../../../src/store/eventLog';
import type { EventLogOptions, RotateEvent } from '../../../src/store/eventLog';
import { readLogAll } from '../../../src/store/reader';
import { listSegments } from '../../../src/store/segments';
import { createNodeFs } from '../../../src/store/fsBackend';
import type { TestRecord } from './helpers';
import { capturingLogger, fsError, instrumentedFs, rec, removeDir, tempDir, tick } from './helpers';
import { ManualClock } from './manualClock';

const dropRecord = (n: number, ts: number): TestRecord => ({ t: 'drop', ts, n });

describe('store/EventLog', () => {
  let dir: string;
  const open: EventLog<TestRecord>[] = [];
  const cleanups: (() => void)[] = [];

  async function openLog(options: Omit<EventLogOptions<TestRecord>, 'dir'> = {}): Promise<EventLog<TestRecord>> {
    const log = await EventLog.open<TestRecord>({ dir, ...options });
    open.push(log);
    return log;
  }

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    await Promise.all(open.splice(0).map((l) => l.close().catch(() => undefined)));
    await removeDir(dir);
  });

  it('appends, closes and reads back in order', async () => {
    const log = await openLog();
    for (let i = 0; i < 1000; i++) {
      assert.equal(log.append(rec(i, 1000 + i, i % 7 === 0 ? 'é€😀\t\n"' : undefined)), true);
    }
    await log.close();
    await log.close(); // idempotent
    assert.deepEqual(
      { ...log.stats, bytesWritten: 0 },
      {
        appended: 1000, written: 1000, dropped: 0, discarded: 0, bytesWritten: 0, segments: 1, activeSegment: 1,
        lastSeq: 1000, writtenSeq: 1000, syncedSeq: 1000, queueLength: 0, queueBytes: 0, failing: false,
      },
    );
    assert.equal(log.stats.bytesWritten, (await stat(join(dir, 'seg-000001.log'))).size);
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(damaged, []);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.deepEqual(entries[7].record, rec(7, 1007, 'é€😀\t\n"'));
    assert.equal(log.append(rec(1)), false, 'no append after close');
    assert.deepEqual(await readdir(dir), ['seg-000001.log'], 'lock released');
  });

  it('continues the sequence after reopening', async () => {
    const a = await openLog();
    a.append(rec(1));
    a.append(rec(2));
    await a.close();
    const b = await openLog();
    assert.equal(b.recovery.nextSeq, 3);
    b.append(rec(3));
    await b.close();
    const { entries } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(entries.map((e) => [e.seq, e.record.n]), [[1, 1], [2, 2], [3, 3]]);
  });

  it('makes no fs call per append: one write when the timer fires', async () => {
    const clock = new ManualClock();
    const h = instrumentedFs();
    const log = await openLog({ fs: h.fs, flushIntervalMs: 60, now: clock.now, timers: clock.timers });
    h.reset();
    for (let i = 0; i < 100; i++) {
      log.append(rec(i));
    }
    assert.equal(h.total(), 0, 'append touches no file');
    clock.advance(59);
    await log.whenIdle();
    assert.equal(h.total(), 0, 'nothing before the interval');
    clock.advance(1);
    await log.whenIdle();
    assert.equal(h.calls['write'], 1, 'one batched write');
    assert.equal(log.stats.written, 100);
  });

  it('flushes as soon as flushMaxEvents are queued, in one write', async () => {
    const h = instrumentedFs();
    const log = await openLog({ fs: h.fs, flushIntervalMs: 60_000 });
    h.reset();
    for (let i = 0; i < 499; i++) {
      log.append(rec(i));
    }
    await tick();
    await tick();
    assert.equal(h.total(), 0, 'below the threshold: no fs call');
    log.append(rec(499));
    assert.equal(h.total(), 0, 'append itself still touches nothing');
    await tick();
    assert.equal(h.calls['write'], 1);
    await log.flush();
    assert.equal(h.calls['write'], 1, 'one write for 500 events');
    assert.equal(log.stats.written, 500);
  });

  it('fsyncs at most once per fsyncIntervalMs, and on sync() and close()', async () => {
    let now = 0;
    const h = instrumentedFs();
    const log = await openLog({ fs: h.fs, now: () => now, flushIntervalMs: 60_000 });
    h.reset();
    for (let step = 0; step < 50; step++) {
      for (let i = 0; i < 10; i++) {
        log.append(rec(step * 10 + i));
      }
      await log.flush();
      now += 100; // 5 s in all
    }
    const syncs = h.calls['datasync'] ?? 0;
    assert.equal(h.calls['write'], 50);
    assert.ok(syncs >= 4 && syncs <= 6, `${syncs} fsyncs in 5 s`);
    log.append(rec(1000));
    await log.sync();
    assert.equal(h.calls['datasync'], syncs + 1, 'sync() forces one');
    assert.equal(log.stats.syncedSeq, 501);
    await log.sync();
    assert.equal(h.calls['datasync'], syncs + 1, 'nothing new written: no fsync');
    log.append(rec(1001));
    await log.close();
    assert.equal(h.calls['datasync'], syncs + 2, 'close() fsyncs');
  });

  it('fsyncs written data within about one interval even without further writes', async () => {
    const clock = new ManualClock();
    const h = instrumentedFs();
    const log = await openLog({ fs: h.fs, fsyncIntervalMs: 50, flushIntervalMs: 10, now: clock.now, timers: clock.timers });
    log.append(rec(1));
    await log.flush(); // first write: fsync right away (none before)
    const first = h.calls['datasync'] ?? 0;
    clock.advance(20);
    log.append(rec(2));
    await log.flush();
    assert.equal(h.calls['datasync'], first, 'within the interval: deferred');
    clock.advance(29);
    await log.whenIdle();
    assert.equal(h.calls['datasync'], first, 'still within the interval');
    clock.advance(1);
    await log.whenIdle();
    assert.equal(h.calls['datasync'], first + 1, 'trailing fsync');
    assert.equal(log.stats.syncedSeq, 2);
  });

  it('rotates segments, firing onRotate before the first record of the new one', async () => {
    const log = await openLog({ segmentMaxBytes: 1000 });
    const rotations: RotateEvent[] = [];
    log.onRotate((e) => {
      rotations.push(e);
      log.append({ t: 'snap', ts: 0, n: e.segment }); // re-snapshot: must open the segment
    });
    for (let i = 0; i < 60; i++) {
      log.append(rec(i, 1000 + i, 'x'.repeat(40)));
    }
    await log.close();
    const segs = await listSegments(createNodeFs(), dir);
    assert.ok(segs.length >= 4, `${segs.length} segments`);
    assert.equal(log.stats.segments, segs.length);
    assert.deepEqual(rotations.map((r) => r.segment), segs.slice(1).map((s) => s.index));
    for (const seg of segs) {
      const text = await readFile(seg.path, 'utf8');
      assert.ok(Buffer.byteLength(text) <= 1000, `${seg.name} within the limit`);
      assert.ok(text.endsWith('\n'));
      if (seg.index > 1) {
        const first = JSON.parse(text.split('\n')[0].split('\t')[2]) as TestRecord;
        assert.deepEqual(first, { t: 'snap', ts: 0, n: seg.index }, `${seg.name} starts with its snapshot`);
      }
    }
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(damaged, []);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: entries.length }, (_, i) => i + 1));
    assert.equal(entries.filter((e) => e.record.t === 'x').length, 60);
    assert.equal(rotations[0].firstSeq, entries.find((e) => e.record.t === 'snap')!.seq);
  });

  it('puts a record larger than segmentMaxBytes in a segment of its own', async () => {
    const log = await openLog({ segmentMaxBytes: 100 });
    log.append(rec(1, 1, 'y'.repeat(300)));
    log.append(rec(2, 2, 'y'.repeat(300)));
    await log.close();
    assert.equal((await listSegments(createNodeFs(), dir)).length, 2);
    assert.equal((await readLogAll(dir)).entries.length, 2);
  });

  it('keeps what a rotation listener appends together at the start of the new segment, even when large', async () => {
    const log = await openLog({ segmentMaxBytes: 400 });
    let fired = 0;
    log.onRotate(() => {
      fired++;
      for (let k = 0; k < 5; k++) {
        log.append({ t: 'snap', ts: 0, n: k, s: 's'.repeat(100) }); // 5 × ~150 B > 400 B
      }
    });
    for (let i = 0; i < 10; i++) {
      log.append(rec(i, i, 'x'.repeat(100)));
    }
    await log.close();
    const segs = await listSegments(createNodeFs(), dir);
    assert.equal(fired, segs.length - 1);
    for (const seg of segs.slice(1)) {
      const kinds = (await readFile(seg.path, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l.split('\t')[2]) as TestRecord).t);
      assert.deepEqual(kinds.slice(0, 6), ['snap', 'snap', 'snap', 'snap', 'snap', 'x'], seg.name);
    }
    const { entries } = await readLogAll<TestRecord>(dir);
    assert.equal(entries.filter((e) => e.record.t === 'x').length, 10);
  });

  it('turns flush() and sync() after close() into no-ops, and refuses appends', async () => {
    const h = instrumentedFs();
    const log = await openLog({ fs: h.fs });
    log.append(rec(1));
    await log.close();
    h.reset();
    assert.equal(log.append(rec(2)), false);
    await log.flush();
    await log.sync();
    assert.equal(h.total(), 0);
    assert.equal(log.stats.dropped, 1);
  });

  describe('write failures', () => {
    it('reports ENOSPC through onError, keeps the batch and writes it once the disk recovers', async () => {
      let full = true;
      const h = instrumentedFs();
      const logger = capturingLogger();
      const log = await openLog({ fs: h.fs, flushIntervalMs: 60_000, logger });
      h.faults = {
        write: () => {
          if (full) {
            throw fsError('ENOSPC');
          }
          return undefined;
        },
      };
      const errors: LogWriteError[] = [];
      log.onError((e) => errors.push(e));
      for (let i = 0; i < 100; i++) {
        assert.equal(log.append(rec(i)), true);
      }
      const failed = await log.flush().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(LogWriteError.is(failed));
      assert.equal(failed.code, 'ENOSPC');
      assert.equal(failed.isDiskFull, true);
      assert.equal(errors.length, 1);
      assert.equal(isDiskFull(errors[0]), true);
      assert.equal(log.stats.failing, true);
      assert.equal(log.stats.queueLength, 100);
      for (let i = 100; i < 150; i++) {
        assert.equal(log.append(rec(i)), true, 'append never throws, still accepts while there is room');
      }
      full = false;
      await log.flush();
      assert.equal(log.stats.failing, false);
      assert.equal(log.stats.written, 150);
      assert.equal(log.stats.queueLength, 0);
      await log.close();
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(damaged, []);
      assert.deepEqual(entries.map((e) => e.record.n), Array.from({ length: 150 }, (_, i) => i), 'no loss, no duplicate');
      assert.ok(logger.lines.some((l) => l.includes('ENOSPC')));
    });

    it('resumes a short write exactly where it stopped', async () => {
      let writes = 0;
      let full = true;
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs, flushIntervalMs: 60_000 });
      h.faults = {
        write: (length) => {
          writes++;
          if (writes === 1) {
            return Math.floor(length / 3); // the disk takes a third, then is full
          }
          if (full) {
            throw fsError('ENOSPC');
          }
          return undefined;
        },
      };
      for (let i = 0; i < 50; i++) {
        log.append(rec(i, i, 'z'.repeat(i)));
      }
      await assert.rejects(log.flush(), (e: unknown) => LogWriteError.is(e) && e.isDiskFull);
      full = false;
      await log.close();
      const { entries, damaged } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(damaged, []);
      assert.equal(entries.length, 50);
    });

    it('reports failures of background flushes without unhandled rejections, and retries them', async () => {
      let failuresLeft = 2;
      const clock = new ManualClock();
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs, flushIntervalMs: 20, now: clock.now, timers: clock.timers });
      h.faults = {
        write: () => {
          if (failuresLeft > 0) {
            failuresLeft--;
            throw fsError('EIO');
          }
          return undefined;
        },
      };
      const errors: LogWriteError[] = [];
      log.onError((e) => errors.push(e));
      log.append(rec(1));
      const waits: number[] = [];
      while (log.stats.written < 1 && waits.length < 10) {
        const before = clock.now();
        assert.ok(clock.runNext(), 'a flush or retry is always scheduled until the write succeeds');
        waits.push(clock.now() - before);
        await log.whenIdle();
      }
      assert.deepEqual(waits, [20, 50, 100], 'the flush interval, then retries with backoff');
      assert.equal(errors.length, 2);
      assert.equal(errors[0].code, 'EIO');
      assert.equal(errors[0].isDiskFull, false);
      assert.equal(log.stats.written, 1, 'retried on its own');
    });

    it('reports a failing fsync and retries it', async () => {
      let fail = true;
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs });
      h.faults = {
        datasync: () => {
          if (fail) {
            throw fsError('EIO');
          }
        },
      };
      log.append(rec(1));
      await assert.rejects(log.sync(), (e: unknown) => LogWriteError.is(e) && e.op === 'sync');
      assert.equal(log.stats.syncedSeq, 0);
      fail = false;
      await log.sync();
      assert.equal(log.stats.syncedSeq, 1);
    });

    it('close() releases the lock and rejects when records could not be written', async () => {
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs });
      h.faults = {
        write: () => {
          throw fsError('ENOSPC');
        },
      };
      log.append(rec(1));
      await assert.rejects(log.close(), (e: unknown) => LogWriteError.is(e) && e.isDiskFull);
      assert.equal(log.stats.queueLength, 1);
      const again = await EventLog.open<TestRecord>({ dir });
      await again.close();
    });
  });

  describe('bounded queue', () => {
    it('refuses and counts records beyond queueMaxEvents while the disk is stuck, then writes a drop record', async () => {
      let release: () => void = () => undefined;
      let gate: Promise<void> | undefined = new Promise((resolve) => (release = resolve));
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs, queueMaxEvents: 100, flushMaxEvents: 10, makeDropRecord: dropRecord });
      h.faults = { write: async () => (gate === undefined ? undefined : gate.then(() => undefined)) };
      h.reset();
      cleanups.push(() => release());
      for (let i = 0; i < 10; i++) {
        log.append(rec(i));
      }
      await tick(); // the threshold flush starts and blocks
      await tick();
      assert.equal(h.calls['write'], 1);
      let accepted = 0;
      for (let i = 10; i < 210; i++) {
        if (log.append(rec(i))) {
          accepted++;
        }
      }
      assert.equal(accepted, 90, 'the in-flight batch counts against the bound');
      assert.equal(log.stats.dropped, 110);
      assert.equal(log.stats.queueLength, 100);
      gate = undefined;
      release();
      await log.flush();
      await log.close();
      const { entries } = await readLogAll<TestRecord>(dir);
      assert.equal(entries.length, 101);
      assert.deepEqual(entries.slice(0, 100).map((e) => e.record.n), Array.from({ length: 100 }, (_, i) => i));
      assert.deepEqual(entries[100].record, { t: 'drop', ts: entries[100].record.ts, n: 110 });
      assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 101 }, (_, i) => i + 1));
    });

    it('bounds queued bytes too, and writes the drop record before the next accepted record', async () => {
      const h = instrumentedFs();
      const log = await openLog({ fs: h.fs, queueMaxBytes: 2000, flushIntervalMs: 60_000, makeDropRecord: dropRecord });
      let accepted = 0;
      for (let i = 0; i < 100; i++) {
        if (log.append(rec(i, i, 'q'.repeat(50)))) {
          accepted++;
        }
      }
      assert.ok(accepted > 0 && accepted < 100);
      assert.ok(log.stats.queueBytes <= 2000);
      await log.flush(); // the queue drains; the drop record is queued after it
      log.append(rec(1000));
      await log.close();
      const { entries } = await readLogAll<TestRecord>(dir);
      assert.deepEqual(entries.slice(accepted).map((e) => e.record.t), ['drop', 'x']);
      assert.equal(entries[accepted].record.n, 100 - accepted);
    });
  });

  describe('lock', () => {
    it('rejects a second writer on the same directory', async () => {
      const a = await openLog();
      await assert.rejects(EventLog.open({ dir }), (e: unknown) => LogLockedError.is(e) && e.pid === process.pid);
      await a.close();
      const b = await openLog();
      await b.close();
    });

    it('takes over a stale lock (dead pid)', async () => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      assert.ok(dead !== undefined);
      await writeFile(join(dir, 'candor.lock'), JSON.stringify({ pid: dead, token: 'old' }));
      const logger = capturingLogger();
      const log = await openLog({ logger });
      const lock = JSON.parse(await readFile(join(dir, 'candor.lock'), 'utf8')) as { pid: number };
      assert.equal(lock.pid, process.pid);
      assert.ok(logger.lines.some((l) => l.includes('stale lock')));
      await log.close();
    });

    it('takes over an empty (half-created) lock file', async () => {
      await writeFile(join(dir, 'candor.lock'), '');
      const log = await openLog();
      await log.close();
    });

    it('respects a lock held by another live process', async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
      try {
        await writeFile(join(dir, 'candor.lock'), JSON.stringify({ pid: child.pid }));
        await assert.rejects(EventLog.open({ dir }), (e: unknown) => LogLockedError.is(e) && e.pid === child.pid);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
