/**
 * The event log writer: append-only, batched, bounded, crash-safe. See framing.ts for the format.
 *
 * `append` is synchronous and touches no file: it frames the record into an in-memory queue
 * (writeQueue.ts). A flush (one write per segment touched, normally one) runs ≤ `flushIntervalMs`
 * after the first queued record or as soon as `flushMaxEvents` are queued; fsync runs at most once
 * per `fsyncIntervalMs`, plus on `sync()` and `close()` (when: flushScheduler.ts). All file
 * operations run one at a time on a promise chain. A failed write keeps its bytes and is retried
 * (with backoff, and on every flush: writeRetry.ts); meanwhile the queue keeps memory bounded by
 * refusing (and counting) new records. This file orders it all: seqs, drops, discards and
 * rotation around the queue (writeQueue.ts), and the file operations (segmentWriter.ts).
 *
 * Slightly over 450 lines: what is left (seqs, drops, discards and rotation around the queue, the
 * operation chain, open and close) shares its state on every call.
 */
import { LogWriteError } from './errors';
import { Emitter } from './emitter';
import type { Disposable } from './emitter';
import { FlushScheduler } from './flushScheduler';
import { createNodeFs } from './fsBackend';
import type { StoreFileHandle, StoreFs } from './fsBackend';
import type { Config, EventLogOptions, EventLogStats, RotateEvent } from './eventLogOptions';
import { resolveConfig } from './eventLogOptions';
import { Framer } from './framing';
import type { TimedRecord } from './framing';
import { acquireLock } from './lock';
import type { LogLock } from './lock';
import { describeError, nullLogger } from '../model/logger';
import type { Logger } from '../model/logger';
import { recoverLog } from './recovery';
import type { RecoveryReport } from './recovery';
import { nodeTimers } from './logTimers';
import type { LogTimers } from './logTimers';
import { segmentFile } from './segments';
import { SegmentWriter } from './segmentWriter';
import { WriteQueue } from './writeQueue';
import { WriteRetry } from './writeRetry';

export type { EventLogOptions, EventLogStats, RotateEvent } from './eventLogOptions';

export class EventLog<T extends TimedRecord> {
  /**
   * Opens (creating if needed) the log in `options.dir`: takes the directory's lock (rejects with
   * LogLockedError if another live process holds it), recovers and repairs the segments, and opens
   * the last segment for appending.
   */
  static async open<T extends TimedRecord>(options: EventLogOptions<T>): Promise<EventLog<T>> {
    const config = resolveConfig(options);
    const fs = options.fs ?? createNodeFs();
    const logger = options.logger ?? nullLogger;
    const now = options.now ?? Date.now;
    try {
      await fs.mkdirp(config.dir);
    } catch (err) {
      throw new LogWriteError('open', config.dir, err);
    }
    const lock = await acquireLock(fs, config.dir, logger);
    try {
      const recovery = await recoverLog(config.dir, { repair: true, fs, logger, now });
      const last = recovery.segments[recovery.segments.length - 1];
      const active = segmentFile(config.dir, last?.index ?? 1);
      let handle: StoreFileHandle;
      try {
        handle = await fs.open(active.path, 'a');
      } catch (err) {
        throw new LogWriteError('open', active.path, err);
      }
      if (last === undefined) {
        await fs.syncDir(config.dir);
      }
      const timers = options.timers ?? nodeTimers();
      return new EventLog<T>(config, fs, logger, now, timers, options.makeDropRecord, lock, options.beforeWrite, recovery, {
        handle,
        index: active.index,
        bytes: last?.bytes ?? 0,
        segments: Math.max(1, recovery.segments.length),
      });
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  readonly dir: string;
  /** What recovery found and repaired when the log was opened. */
  readonly recovery: RecoveryReport;

  private readonly framer = new Framer();
  private readonly rotateEmitter = new Emitter<RotateEvent>();
  private readonly queue: WriteQueue;
  private readonly scheduler: FlushScheduler;
  private readonly retry: WriteRetry;
  private notifyingRotate = false;

  private nextSeq: number;
  private appendedCount = 0;
  private writtenCount = 0;
  private droppedCount = 0;
  private discardedCount = 0;
  private pendingDrops = 0;
  private dropWarned = false;
  private writtenSeq: number;
  private syncedSeq: number;

  /** The segment files (touched only on the operation chain). */
  private readonly files: SegmentWriter;

  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly config: Config,
    fs: StoreFs,
    private readonly logger: Logger,
    private readonly now: () => number,
    timers: LogTimers,
    private readonly makeDropRecord: ((dropped: number, ts: number) => T) | undefined,
    private readonly lock: LogLock,
    private readonly beforeWrite: (() => Promise<void>) | undefined,
    recovery: RecoveryReport,
    active: { handle: StoreFileHandle; index: number; bytes: number; segments: number },
  ) {
    this.dir = config.dir;
    this.recovery = recovery;
    this.nextSeq = recovery.nextSeq;
    this.writtenSeq = recovery.lastSeq;
    this.syncedSeq = recovery.lastSeq;
    this.queue = new WriteQueue(active.index, active.bytes);
    this.scheduler = new FlushScheduler(config, timers, {
      flush: () => this.backgroundFlush(),
      fsync: () => {
        this.run(() => this.guard(() => this.files.fsyncIfDue(false))).catch(() => undefined);
      },
    });
    this.retry = new WriteRetry(config.flushIntervalMs, timers, logger, () => this.backgroundFlush());
    this.files = new SegmentWriter(config.dir, fs, logger, now, config.fsyncIntervalMs, {
      deferFsync: (delay) => this.scheduler.fsyncIn(delay),
      synced: () => {
        this.syncedSeq = this.writtenSeq;
        this.scheduler.fsynced();
      },
    }, active);
  }

  /**
   * Queues `record`. Synchronous, no file access, never throws. Returns false (and counts a drop)
   * when the queue is full, the log is closed or the record cannot be serialised.
   */
  append(record: T): boolean {
    if (this.closed) {
      this.droppedCount++;
      return false;
    }
    if (this.pendingDrops > 0) {
      this.emitDropRecord();
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(record);
    } catch (err) {
      this.logger.error(`event log: record not serialisable: ${describeError(err)}`);
    }
    if (json === undefined || !this.enqueue(json, record.ts)) {
      return this.dropOne();
    }
    return true;
  }

  /**
   * Writes everything queued (fsyncing if the interval has passed). Rejects with LogWriteError.
   * Once the log is closing, the same as `close()`.
   */
  flush(): Promise<void> {
    if (this.closing !== undefined) {
      return this.closing;
    }
    return this.run(() =>
      this.guard(async () => {
        await this.checkBeforeWrite();
        await this.writePending();
        await this.files.fsyncIfDue(false);
      }),
    );
  }

  /**
   * Writes everything queued and fsyncs: resolves once every record appended before is durable.
   * Rejects with LogWriteError. Once the log is closing, the same as `close()`.
   */
  sync(): Promise<void> {
    if (this.closing !== undefined) {
      return this.closing;
    }
    return this.run(() =>
      this.guard(async () => {
        await this.checkBeforeWrite();
        await this.writePending();
        await this.files.fsyncIfDue(true);
      }),
    );
  }

  /**
   * Flushes, fsyncs, closes the segment and releases the lock. Idempotent. Rejects with the
   * LogWriteError if queued records could not be written (they are then lost, and counted in
   * `stats.queueLength` at that point); the file and lock are released regardless.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /**
   * Takes back every queued record whose `ts` is after `cutoff`, and every record queued after the
   * first such one: they are never written, and their seqs are given again. Used when consent was
   * withdrawn at `cutoff` in another window and this one learns of it before writing. Records
   * already handed to the OS, or in a write that failed and is being retried, are kept (they were
   * queued before any write that could have seen the withdrawal). Returns how many were taken back.
   */
  discardAfter(cutoff: number): number {
    const taken = this.queue.discardAfter(cutoff);
    if (taken === undefined) {
      return 0;
    }
    this.appendedCount -= taken.removed;
    this.discardedCount += taken.removed;
    this.nextSeq = taken.firstSeq;
    return taken.removed;
  }

  /**
   * Resolves once every file operation started so far (and any it chains) has settled: lets a
   * test that moved an injected clock see the flush, fsync or retry that the move started.
   */
  async whenIdle(): Promise<void> {
    let chain: Promise<void>;
    do {
      chain = this.chain;
      await chain;
    } while (chain !== this.chain);
  }

  /** Write (and fsync) failures. Listeners must not throw; one that does is logged. */
  onError(listener: (error: LogWriteError) => void): Disposable {
    return this.retry.onError(listener);
  }

  /**
   * A new segment starts. Fires synchronously inside `append`, before the record that opens the
   * new segment is queued: records the listener appends (e.g. snapshots of open documents) are the
   * first of the new segment, kept together even if they exceed `segmentMaxBytes`, so each segment
   * can be replayed on its own.
   */
  onRotate(listener: (event: RotateEvent) => void): Disposable {
    return this.rotateEmitter.on(listener);
  }

  get stats(): EventLogStats {
    return {
      appended: this.appendedCount,
      written: this.writtenCount,
      dropped: this.droppedCount,
      discarded: this.discardedCount,
      bytesWritten: this.files.bytesWritten,
      segments: this.files.segments,
      activeSegment: this.queue.targetSegment,
      lastSeq: this.nextSeq - 1,
      writtenSeq: this.writtenSeq,
      syncedSeq: this.syncedSeq,
      queueLength: this.queue.events,
      queueBytes: this.queue.bytes,
      failing: this.retry.isFailing,
    };
  }

  // ---- queue (synchronous) ----

  /** Frames `json` into the open piece; false if the queue has no room. */
  private enqueue(json: string, ts: number): boolean {
    const config = this.config;
    const queue = this.queue;
    if (queue.events >= config.queueMaxEvents) {
      return false;
    }
    let line = this.framer.frame(this.nextSeq, json);
    let bytes = this.framer.bytes;
    if (queue.bytes + bytes > config.queueMaxBytes) {
      return false;
    }
    // While rotation listeners run, what they append stays together at the start of the new
    // segment (which may then exceed the limit): a segment must begin with its snapshots.
    if (!this.notifyingRotate && queue.projectedBytes > 0 && queue.projectedBytes + bytes > config.segmentMaxBytes) {
      const seq = this.nextSeq;
      this.startSegment();
      if (this.nextSeq !== seq) {
        // Listeners appended: re-frame at the new seq and re-check room.
        line = this.framer.frame(this.nextSeq, json);
        bytes = this.framer.bytes;
        if (queue.events >= config.queueMaxEvents || queue.bytes + bytes > config.queueMaxBytes) {
          return false;
        }
      }
    }
    queue.push(line, ts, bytes, this.nextSeq++);
    this.appendedCount++;
    this.scheduler.queued();
    return true;
  }

  private startSegment(): void {
    const previous = this.queue.nextSegment();
    if (this.rotateEmitter.size > 0) {
      this.notifyingRotate = true;
      try {
        this.rotateEmitter.fire({ segment: this.queue.targetSegment, previous, firstSeq: this.nextSeq }, (err) =>
          this.logger.error(`event log: onRotate listener failed: ${describeError(err)}`),
        );
      } finally {
        this.notifyingRotate = false;
      }
    }
  }

  private dropOne(): false {
    this.droppedCount++;
    this.pendingDrops++;
    if (!this.dropWarned) {
      this.dropWarned = true;
      this.logger.warn(
        `event log: queue full (${this.queue.events} records, ${this.queue.bytes} B${this.retry.isFailing ? ', writes failing' : ''}); dropping records`,
      );
    }
    return false;
  }

  /**
   * Queues the "N records dropped" record once the queue is at most half full (so that it is not
   * squeezed between refusals, and the records after it have room).
   */
  private emitDropRecord(): void {
    const make = this.makeDropRecord;
    if (make === undefined) {
      this.pendingDrops = 0;
      return;
    }
    if (this.queue.events * 2 > this.config.queueMaxEvents || this.queue.bytes * 2 > this.config.queueMaxBytes) {
      return;
    }
    const n = this.pendingDrops;
    const ts = this.now();
    let json: string | undefined;
    try {
      json = JSON.stringify(make(n, ts));
    } catch (err) {
      this.logger.error(`event log: drop record failed: ${describeError(err)}`);
    }
    if (json === undefined) {
      this.pendingDrops = 0;
      return;
    }
    if (this.enqueue(json, ts)) {
      this.pendingDrops = 0;
      this.dropWarned = false;
      this.logger.warn(`event log: ${n} record(s) were dropped (queue full)`);
    }
  }

  /** A flush nobody awaits: failures are reported through onError only. */
  private backgroundFlush(): void {
    if (this.closed) {
      return;
    }
    this.flush().catch(() => undefined);
  }

  // ---- file operations (on the chain) ----

  private run<R>(op: () => Promise<R>): Promise<R> {
    const result = this.chain.then(op);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Runs `op`; on failure marks the log failing, reports, schedules a retry and rethrows. */
  private async guard(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (err) {
      throw this.retry.failed(err, this.activePath());
    }
    this.retry.succeeded(this.queue.events === 0 && !this.files.dirty);
  }

  /** Writes all queued pieces, rotating segments as they require. Throws LogWriteError. */
  private async writePending(): Promise<void> {
    const queue = this.queue;
    queue.seal();
    this.scheduler.writing();
    while (!queue.drained) {
      const piece = queue.head();
      await this.files.write(piece);
      queue.shift();
      this.writtenCount += piece.count;
      this.writtenSeq = piece.lastSeq;
    }
    if (this.pendingDrops > 0) {
      this.emitDropRecord();
    }
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    let failure: LogWriteError | undefined;
    try {
      await this.run(() =>
        this.guard(async () => {
          await this.checkBeforeWrite();
          await this.writePending();
          if (this.queue.events > 0) {
            await this.writePending(); // the drop record, if one was queued
          }
          await this.files.fsyncIfDue(true);
        }),
      );
    } catch (err) {
      failure = LogWriteError.is(err) ? err : new LogWriteError('close', this.activePath(), err);
    }
    await this.run(() => this.files.close());
    await this.lock.release();
    this.clearTimers();
    if (failure !== undefined) {
      this.logger.error(`event log: closed with ${this.queue.events} record(s) unwritten`);
      throw failure;
    }
  }

  /** The `beforeWrite` hook (a consent check); a hook that fails is logged and the write goes on. */
  private async checkBeforeWrite(): Promise<void> {
    if (this.beforeWrite === undefined) {
      return;
    }
    try {
      await this.beforeWrite();
    } catch (err) {
      this.logger.error(`event log: beforeWrite hook failed: ${describeError(err)}`);
    }
  }

  private clearTimers(): void {
    this.scheduler.stop();
    this.retry.stop();
  }

  private activePath(): string {
    return this.files.path;
  }
}
