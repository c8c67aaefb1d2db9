/**
 * The event log writer: append-only, batched, bounded, crash-safe. See framing.ts for the format.
 *
 * `append` is synchronous and touches no file: it frames the record into an in-memory queue.
 * A flush (one write per segment touched, normally one) runs ≤ `flushIntervalMs` after the first
 * queued record or as soon as `flushMaxEvents` are queued; fsync runs at most once per
 * `fsyncIntervalMs`, plus on `sync()` and `close()`. All file operations run one at a time on a
 * promise chain. A failed write keeps its bytes and is retried (with backoff, and on every flush);
 * meanwhile the queue keeps memory bounded by refusing (and counting) new records.
 */
import { LogWriteError } from './errors';
import { Emitter } from './emitter';
import type { Disposable } from './emitter';
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
import { segmentFile } from './segments';

export type { EventLogOptions, EventLogStats, RotateEvent } from './eventLogOptions';

/** Queued records bound for one segment. */
interface Piece {
  readonly segment: number;
  lines: string[];
  /** Each line's record time (`ts`) and size in bytes, until the piece is materialized. */
  stamps: number[];
  sizes: number[];
  /** The encoded lines once the piece is being written. */
  data: Buffer | undefined;
  /** Bytes of `data` already written. */
  offset: number;
  count: number;
  bytes: number;
  lastSeq: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

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
      return new EventLog<T>(config, fs, logger, now, options.makeDropRecord, lock, options.beforeWrite, recovery, {
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
  private readonly errorEmitter = new Emitter<LogWriteError>();
  private readonly rotateEmitter = new Emitter<RotateEvent>();

  // Queue: sealed pieces in order, then the open piece appends go to.
  private pieces: Piece[] = [];
  private open: Piece;
  private queuedEvents = 0;
  private queuedBytes = 0;
  /** Records appended since the last flush started. */
  private unflushed = 0;
  /** Segment the open piece is bound for, and its projected size. */
  private targetSegment: number;
  private projectedBytes: number;
  private notifyingRotate = false;

  private nextSeq: number;
  private appendedCount = 0;
  private writtenCount = 0;
  private droppedCount = 0;
  private discardedCount = 0;
  private pendingDrops = 0;
  private dropWarned = false;
  private bytesWrittenCount = 0;
  private writtenSeq: number;
  private syncedSeq: number;

  // File state (touched only on the operation chain).
  private handle: StoreFileHandle | undefined;
  private handleSegment: number;
  private highestSegment: number;
  private segmentCount: number;
  private dirty = false;
  private lastFsyncAt = Number.NEGATIVE_INFINITY;

  private chain: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushSoonPending = false;
  private failing = false;
  private failures = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly config: Config,
    private readonly fs: StoreFs,
    private readonly logger: Logger,
    private readonly now: () => number,
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
    this.handle = active.handle;
    this.handleSegment = active.index;
    this.highestSegment = active.index;
    this.segmentCount = active.segments;
    this.targetSegment = active.index;
    this.projectedBytes = active.bytes;
    this.open = newPiece(active.index);
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
        await this.fsyncIfDue(false);
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
        await this.fsyncIfDue(true);
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
    this.seal();
    let i = this.pieces.findIndex((p) => p.data === undefined);
    if (i < 0) {
      return 0;
    }
    let k = -1;
    for (; i < this.pieces.length; i++) {
      k = this.pieces[i].stamps.findIndex((ts) => ts > cutoff);
      if (k >= 0) {
        break;
      }
    }
    if (k < 0) {
      return 0;
    }
    const piece = this.pieces[i];
    const firstSeq = piece.lastSeq - piece.count + 1 + k;
    let removed = 0;
    let removedBytes = 0;
    const take = (p: Piece, from: number): number => {
      let bytes = 0;
      for (let j = from; j < p.count; j++) {
        bytes += p.sizes[j];
      }
      if (p.segment === this.targetSegment) {
        this.projectedBytes -= bytes;
      }
      removed += p.count - from;
      removedBytes += bytes;
      return bytes;
    };
    piece.bytes -= take(piece, k);
    for (const later of this.pieces.slice(i + 1)) {
      take(later, 0);
    }
    piece.lines.length = k;
    piece.stamps.length = k;
    piece.sizes.length = k;
    piece.count = k;
    piece.lastSeq = firstSeq - 1;
    // A piece left empty goes too (an empty piece would write nothing but still open its segment).
    this.pieces.length = k === 0 ? i : i + 1;
    this.queuedEvents -= removed;
    this.queuedBytes -= removedBytes;
    this.appendedCount -= removed;
    this.discardedCount += removed;
    this.nextSeq = firstSeq;
    return removed;
  }

  /** Write (and fsync) failures. Listeners must not throw; one that does is logged. */
  onError(listener: (error: LogWriteError) => void): Disposable {
    return this.errorEmitter.on(listener);
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
      bytesWritten: this.bytesWrittenCount,
      segments: this.segmentCount,
      activeSegment: this.targetSegment,
      lastSeq: this.nextSeq - 1,
      writtenSeq: this.writtenSeq,
      syncedSeq: this.syncedSeq,
      queueLength: this.queuedEvents,
      queueBytes: this.queuedBytes,
      failing: this.failing,
    };
  }

  // ---- queue (synchronous) ----

  /** Frames `json` into the open piece; false if the queue has no room. */
  private enqueue(json: string, ts: number): boolean {
    const config = this.config;
    if (this.queuedEvents >= config.queueMaxEvents) {
      return false;
    }
    let line = this.framer.frame(this.nextSeq, json);
    let bytes = this.framer.bytes;
    if (this.queuedBytes + bytes > config.queueMaxBytes) {
      return false;
    }
    // While rotation listeners run, what they append stays together at the start of the new
    // segment (which may then exceed the limit): a segment must begin with its snapshots.
    if (!this.notifyingRotate && this.projectedBytes > 0 && this.projectedBytes + bytes > config.segmentMaxBytes) {
      const seq = this.nextSeq;
      this.startSegment();
      if (this.nextSeq !== seq) {
        // Listeners appended: re-frame at the new seq and re-check room.
        line = this.framer.frame(this.nextSeq, json);
        bytes = this.framer.bytes;
        if (this.queuedEvents >= config.queueMaxEvents || this.queuedBytes + bytes > config.queueMaxBytes) {
          return false;
        }
      }
    }
    const piece = this.open;
    piece.lines.push(line);
    piece.stamps.push(ts);
    piece.sizes.push(bytes);
    piece.count++;
    piece.bytes += bytes;
    piece.lastSeq = this.nextSeq++;
    this.appendedCount++;
    this.queuedEvents++;
    this.queuedBytes += bytes;
    this.projectedBytes += bytes;
    if (++this.unflushed >= config.flushMaxEvents) {
      this.flushSoon();
    } else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.backgroundFlush();
      }, config.flushIntervalMs);
      this.flushTimer.unref();
    }
    return true;
  }

  private startSegment(): void {
    this.seal();
    const previous = this.targetSegment;
    this.targetSegment++;
    this.projectedBytes = 0;
    this.open = newPiece(this.targetSegment);
    if (this.rotateEmitter.size > 0) {
      this.notifyingRotate = true;
      try {
        this.rotateEmitter.fire({ segment: this.targetSegment, previous, firstSeq: this.nextSeq }, (err) =>
          this.logger.error(`event log: onRotate listener failed: ${describeError(err)}`),
        );
      } finally {
        this.notifyingRotate = false;
      }
    }
  }

  private seal(): void {
    if (this.open.count > 0) {
      this.pieces.push(this.open);
      this.open = newPiece(this.targetSegment);
    }
  }

  private dropOne(): false {
    this.droppedCount++;
    this.pendingDrops++;
    if (!this.dropWarned) {
      this.dropWarned = true;
      this.logger.warn(
        `event log: queue full (${this.queuedEvents} records, ${this.queuedBytes} B${this.failing ? ', writes failing' : ''}); dropping records`,
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
    if (this.queuedEvents * 2 > this.config.queueMaxEvents || this.queuedBytes * 2 > this.config.queueMaxBytes) {
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

  private flushSoon(): void {
    if (!this.flushSoonPending) {
      this.flushSoonPending = true;
      setImmediate(() => {
        this.flushSoonPending = false;
        this.backgroundFlush();
      });
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
      const error = LogWriteError.is(err) ? err : new LogWriteError('write', this.activePath(), err);
      this.failing = true;
      this.failures++;
      this.logger.warn(describeError(error));
      this.errorEmitter.fire(error, (e) => this.logger.error(`event log: onError listener failed: ${describeError(e)}`));
      this.scheduleRetry();
      throw error;
    }
    if (this.failing) {
      this.failing = false;
      this.failures = 0;
      this.logger.info('event log: writes succeed again');
    }
    if (this.retryTimer !== undefined && this.queuedEvents === 0 && !this.dirty) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) {
      return;
    }
    const delay = Math.min(
      MAX_RETRY_DELAY_MS,
      Math.max(50, this.config.flushIntervalMs) * 2 ** Math.min(this.failures - 1, 10),
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.backgroundFlush();
    }, delay);
    this.retryTimer.unref();
  }

  /** Writes all queued pieces, rotating segments as they require. Throws LogWriteError. */
  private async writePending(): Promise<void> {
    this.seal();
    this.unflushed = 0;
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    while (this.pieces.length > 0) {
      const piece = this.coalesceHead();
      const handle = await this.ensureSegment(piece.segment);
      await this.writePiece(handle, piece);
      this.pieces.shift();
      this.writtenCount += piece.count;
      this.writtenSeq = piece.lastSeq;
      this.queuedEvents -= piece.count;
      this.queuedBytes -= piece.bytes;
    }
    if (this.pendingDrops > 0) {
      this.emitDropRecord();
    }
  }

  /** The first piece, merged with the following pieces bound for the same segment. */
  private coalesceHead(): Piece {
    const head = this.pieces[0];
    let data = materialize(head);
    while (this.pieces.length > 1 && this.pieces[1].segment === head.segment) {
      const next = this.pieces[1];
      data = Buffer.concat([data.subarray(head.offset), materialize(next).subarray(next.offset)]);
      head.data = data;
      head.offset = 0;
      head.count += next.count;
      head.bytes += next.bytes;
      head.lastSeq = next.lastSeq;
      this.pieces.splice(1, 1);
    }
    return head;
  }

  private async writePiece(handle: StoreFileHandle, piece: Piece): Promise<void> {
    const data = materialize(piece);
    while (piece.offset < data.length) {
      let n: number;
      try {
        n = await handle.write(data, piece.offset, data.length - piece.offset);
      } catch (err) {
        throw new LogWriteError('write', this.activePath(), err);
      }
      if (!(n > 0)) {
        throw new LogWriteError('write', this.activePath(), Object.assign(new Error('no bytes written'), { code: 'EIO' }));
      }
      piece.offset += n;
      this.bytesWrittenCount += n;
      this.dirty = true;
    }
  }

  /** The handle of segment `index`, closing (after fsync) the current one if it is another. */
  private async ensureSegment(index: number): Promise<StoreFileHandle> {
    if (this.handle !== undefined && this.handleSegment === index) {
      return this.handle;
    }
    if (this.handle !== undefined) {
      await this.fsyncIfDue(true);
      const old = this.handle;
      this.handle = undefined;
      try {
        await old.close();
      } catch (err) {
        this.logger.warn(`event log: closing ${segmentFile(this.dir, this.handleSegment).name} failed: ${describeError(err)}`);
      }
    }
    const seg = segmentFile(this.dir, index);
    try {
      this.handle = await this.fs.open(seg.path, 'a');
    } catch (err) {
      throw new LogWriteError('open', seg.path, err);
    }
    this.handleSegment = index;
    if (index > this.highestSegment) {
      this.segmentCount += index - this.highestSegment;
      this.highestSegment = index;
      await this.fs.syncDir(this.dir);
      this.logger.info(`event log: started ${seg.name}`);
    }
    return this.handle;
  }

  /** fsyncs if data was written since the last fsync and (unless `force`) the interval has passed. */
  private async fsyncIfDue(force: boolean): Promise<void> {
    if (!this.dirty || this.handle === undefined) {
      return;
    }
    const elapsed = this.now() - this.lastFsyncAt;
    if (!force && elapsed < this.config.fsyncIntervalMs) {
      this.scheduleFsync(this.config.fsyncIntervalMs - elapsed);
      return;
    }
    const seq = this.writtenSeq;
    try {
      await this.handle.datasync();
    } catch (err) {
      throw new LogWriteError('sync', this.activePath(), err);
    }
    this.dirty = false;
    this.syncedSeq = seq;
    this.lastFsyncAt = this.now();
    if (this.fsyncTimer !== undefined) {
      clearTimeout(this.fsyncTimer);
      this.fsyncTimer = undefined;
    }
  }

  /** A trailing fsync, so written data becomes durable within about one interval. */
  private scheduleFsync(delay: number): void {
    if (this.fsyncTimer !== undefined || this.closed) {
      return;
    }
    this.fsyncTimer = setTimeout(
      () => {
        this.fsyncTimer = undefined;
        this.run(() => this.guard(() => this.fsyncIfDue(false))).catch(() => undefined);
      },
      Math.max(1, Math.ceil(delay)),
    );
    this.fsyncTimer.unref();
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
          if (this.queuedEvents > 0) {
            await this.writePending(); // the drop record, if one was queued
          }
          await this.fsyncIfDue(true);
        }),
      );
    } catch (err) {
      failure = LogWriteError.is(err) ? err : new LogWriteError('close', this.activePath(), err);
    }
    await this.run(async () => {
      const handle = this.handle;
      this.handle = undefined;
      if (handle !== undefined) {
        try {
          await handle.close();
        } catch (err) {
          this.logger.warn(`event log: close failed: ${describeError(err)}`);
        }
      }
    });
    await this.lock.release();
    this.clearTimers();
    if (failure !== undefined) {
      this.logger.error(`event log: closed with ${this.queuedEvents} record(s) unwritten`);
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
    for (const timer of [this.flushTimer, this.fsyncTimer, this.retryTimer]) {
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    }
    this.flushTimer = undefined;
    this.fsyncTimer = undefined;
    this.retryTimer = undefined;
  }

  private activePath(): string {
    return segmentFile(this.dir, this.handleSegment).path;
  }
}

function newPiece(segment: number): Piece {
  return { segment, lines: [], stamps: [], sizes: [], data: undefined, offset: 0, count: 0, bytes: 0, lastSeq: 0 };
}

function materialize(piece: Piece): Buffer {
  if (piece.data === undefined) {
    piece.data = Buffer.from(piece.lines.join(''), 'utf8');
    piece.lines = [];
    piece.stamps = [];
    piece.sizes = [];
  }
  return piece.data;
}
