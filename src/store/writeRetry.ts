import { Emitter } from './emitter';
import type { Disposable } from './emitter';
import { LogWriteError } from './errors';
import type { LogTimer, LogTimers } from './logTimers';
import { describeError } from '../model/logger';
import type { Logger } from '../model/logger';

/** Longest wait between two retries of a failing write. */
const MAX_RETRY_DELAY_MS = 30_000;
/** Shortest first wait, whatever the flush interval. */
const MIN_RETRY_DELAY_MS = 50;

/**
 * What the event log does when a write or fsync fails (eventLog.ts) — a full disk, a lost network
 * drive, an I/O error: the failure is logged and reported to `onError` listeners, the log is
 * marked failing, and the write is retried on its own with exponential backoff (from the flush
 * interval up to 30 s) until one succeeds. The failed bytes stay queued (the log keeps them and
 * refuses new records once its queue is full), so a retry, like every later flush, writes them.
 */
export class WriteRetry {
  private readonly errorEmitter = new Emitter<LogWriteError>();
  private timer: LogTimer | undefined;
  private failing = false;
  /** Failures in a row: the backoff's exponent. */
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly flushIntervalMs: number,
    private readonly timers: LogTimers,
    private readonly logger: Logger,
    private readonly retry: () => void,
  ) {}

  /** True between a failed write and the next successful one. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** Write (and fsync) failures. Listeners must not throw; one that does is logged. */
  onError(listener: (error: LogWriteError) => void): Disposable {
    return this.errorEmitter.on(listener);
  }

  /** A write failed with `err` (at `path`): reports it, schedules a retry; returns the error to throw. */
  failed(err: unknown, path: string): LogWriteError {
    const error = LogWriteError.is(err) ? err : new LogWriteError('write', path, err);
    this.failing = true;
    this.failures++;
    this.logger.warn(describeError(error));
    this.errorEmitter.fire(error, (e) => this.logger.error(`event log: onError listener failed: ${describeError(e)}`));
    this.schedule();
    return error;
  }

  /** A write succeeded; `idle` when nothing is left to write or fsync (a pending retry is moot). */
  succeeded(idle: boolean): void {
    if (this.failing) {
      this.failing = false;
      this.failures = 0;
      this.logger.info('event log: writes succeed again');
    }
    if (this.timer !== undefined && idle) {
      this.timer.cancel();
      this.timer = undefined;
    }
  }

  /** The log is closing: no more retries. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) {
      return;
    }
    const delay = Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, this.flushIntervalMs) * 2 ** Math.min(this.failures - 1, 10));
    this.timer = this.timers.after(delay, () => {
      this.timer = undefined;
      this.retry();
    });
  }
}
