import * as assert from 'node:assert/strict';
import { LogWriteError } from '../../../src/store/errors';
import { FlushScheduler } from '../../../src/store/flushScheduler';
import { WriteQueue } from '../../../src/store/writeQueue';
import { WriteRetry } from '../../../src/store/writeRetry';
import { capturingLogger, fsError, tick } from './helpers';
import { ManualClock } from './manualClock';

describe('store/FlushScheduler (when the event log writes)', () => {
  function setup(flushMaxEvents = 3): { clock: ManualClock; scheduler: FlushScheduler; calls: string[] } {
    const clock = new ManualClock();
    const calls: string[] = [];
    const scheduler = new FlushScheduler({ flushIntervalMs: 100, flushMaxEvents }, clock.timers, {
      flush: () => calls.push(`flush@${clock.now()}`),
      fsync: () => calls.push(`fsync@${clock.now()}`),
    });
    return { clock, scheduler, calls };
  }

  it('flushes one interval after the first record queued, not after each', () => {
    const { clock, scheduler, calls } = setup(10);
    const start = clock.now();
    scheduler.queued();
    clock.advance(60);
    scheduler.queued();
    clock.advance(39);
    assert.deepEqual(calls, []);
    clock.advance(1);
    assert.deepEqual(calls, [`flush@${start + 100}`]);
  });

  it('flushes on the next turn once flushMaxEvents are queued', async () => {
    const { clock, scheduler, calls } = setup(3);
    scheduler.queued();
    scheduler.queued();
    scheduler.queued();
    assert.deepEqual(calls, [], 'never inside queued()');
    await tick();
    assert.equal(calls.length, 1);
    assert.equal(clock.scheduled, 1, 'the interval timer is still set until a write starts');
    scheduler.writing();
    assert.equal(clock.scheduled, 0);
  });

  it('a write starting cancels the interval; the next record starts it afresh', () => {
    const { clock, scheduler, calls } = setup(10);
    scheduler.queued();
    clock.advance(50);
    scheduler.writing();
    clock.advance(100);
    assert.deepEqual(calls, []);
    scheduler.queued();
    clock.advance(100);
    assert.equal(calls.length, 1);
  });

  it('runs one trailing fsync per deferral, cancelled by an fsync that runs first', () => {
    const { clock, scheduler, calls } = setup();
    const start = clock.now();
    scheduler.fsyncIn(40.2);
    scheduler.fsyncIn(10); // one is pending already
    clock.advance(41);
    assert.deepEqual(calls, [`fsync@${start + 41}`], 'rounded up to whole ms');
    scheduler.fsyncIn(40);
    scheduler.fsynced();
    clock.advance(100);
    assert.equal(calls.length, 1);
  });

  it('schedules nothing once stopped', () => {
    const { clock, scheduler, calls } = setup();
    scheduler.queued();
    scheduler.fsyncIn(10);
    scheduler.stop();
    scheduler.queued();
    scheduler.fsyncIn(10);
    assert.equal(clock.scheduled, 0);
    clock.advance(1000);
    assert.deepEqual(calls, []);
  });
});

describe('store/WriteRetry (failed writes: report, back off, retry)', () => {
  function setup(): { clock: ManualClock; retry: WriteRetry; retries: number[]; errors: LogWriteError[]; logger: ReturnType<typeof capturingLogger> } {
    const clock = new ManualClock();
    const retries: number[] = [];
    const logger = capturingLogger();
    const retry = new WriteRetry(20, clock.timers, logger, () => retries.push(clock.now()));
    const errors: LogWriteError[] = [];
    retry.onError((e) => errors.push(e));
    return { clock, retry, retries, errors, logger };
  }

  it('reports each failure and retries with doubling delays from max(50, interval), up to 30 s', () => {
    const { clock, retry, retries, errors } = setup();
    const start = clock.now();
    const delays: number[] = [];
    let last = start;
    for (let k = 0; k < 13; k++) {
      const error = retry.failed(fsError('ENOSPC'), '/log/seg-000001.log');
      assert.equal(error.isDiskFull, true);
      assert.ok(clock.runNext());
      delays.push(clock.now() - last);
      last = clock.now();
    }
    assert.deepEqual(delays, [50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000]);
    assert.equal(retries.length, 13);
    assert.equal(errors.length, 13);
    assert.equal(retry.isFailing, true);
  });

  it('keeps one retry pending however many failures come before it', () => {
    const { clock, retry } = setup();
    retry.failed(fsError('EIO'), 'p');
    retry.failed(fsError('EIO'), 'p');
    assert.equal(clock.scheduled, 1);
  });

  it('a success clears the failing state; an idle success calls off the pending retry', () => {
    const { clock, retry, retries, logger } = setup();
    retry.failed(new LogWriteError('write', 'p', fsError('EIO')), 'p');
    retry.succeeded(false);
    assert.equal(retry.isFailing, false);
    assert.equal(clock.scheduled, 1, 'something is left to write: the retry stays');
    retry.succeeded(true);
    assert.equal(clock.scheduled, 0);
    clock.advance(60_000);
    assert.deepEqual(retries, []);
    assert.ok(logger.lines.some((l) => l.includes('writes succeed again')));
  });

  it('does not retry once stopped', () => {
    const { clock, retry, retries } = setup();
    retry.failed(fsError('EIO'), 'p');
    retry.stop();
    retry.failed(fsError('EIO'), 'p');
    clock.advance(60_000);
    assert.deepEqual(retries, []);
  });
});

describe('store/WriteQueue (framed records waiting to be written)', () => {
  function fill(queue: WriteQueue, from: number, to: number, segment = false): void {
    for (let seq = from; seq <= to; seq++) {
      if (segment && seq === from) {
        queue.nextSegment();
      }
      queue.push(`${seq}\n`, 1000 + seq, `${seq}\n`.length, seq);
    }
  }

  it('coalesces sealed pieces bound for the same segment into one write', () => {
    const queue = new WriteQueue(1, 0);
    fill(queue, 1, 3);
    queue.seal();
    fill(queue, 4, 5);
    queue.seal();
    fill(queue, 6, 7, true);
    queue.seal();
    const head = queue.head();
    assert.equal(head.segment, 1);
    assert.equal(head.data?.toString(), '1\n2\n3\n4\n5\n');
    assert.equal(head.lastSeq, 5);
    assert.equal(queue.shift(), head);
    assert.equal(queue.events, 2);
    const next = queue.head();
    assert.equal(next.segment, 2);
    queue.shift();
    assert.equal(queue.drained, true);
    assert.deepEqual([queue.events, queue.bytes], [0, 0]);
  });

  it('discardAfter takes back the records after the cutoff and everything queued after them', () => {
    const queue = new WriteQueue(1, 100);
    fill(queue, 1, 5);
    queue.seal();
    fill(queue, 6, 8);
    const bytesBefore = queue.bytes;
    const taken = queue.discardAfter(1000 + 4);
    assert.deepEqual(taken, { removed: 4, firstSeq: 5 });
    assert.equal(queue.events, 4);
    assert.equal(queue.bytes, bytesBefore - '5\n6\n7\n8\n'.length);
    assert.equal(queue.projectedBytes, 100 + '1\n2\n3\n4\n'.length);
    assert.equal(queue.head().data?.toString(), '1\n2\n3\n4\n');
    assert.equal(queue.discardAfter(0), undefined, 'a piece being written is never taken back');
  });
});
