import type { LogTimer, LogTimers } from './logTimers';

/**
 * When the event log writes and fsyncs (eventLog.ts), apart from how: a flush runs
 * ≤ `flushIntervalMs` after the first record queued since the last write, or on the next turn of
 * the event loop once `flushMaxEvents` are queued; a fsync deferred by the interval runs as a
 * trailing call, so written data is durable within about one interval even if nothing else is
 * written. The log says what happened (`queued`, `writing`, `fsynced`); the scheduler calls back
 * `flush` and `fsync`.
 */
export class FlushScheduler {
  private flushTimer: LogTimer | undefined;
  private fsyncTimer: LogTimer | undefined;
  private soonPending = false;
  /** Records queued since the last write started. */
  private unflushed = 0;
  private stopped = false;

  constructor(
    private readonly config: { readonly flushIntervalMs: number; readonly flushMaxEvents: number },
    private readonly timers: LogTimers,
    private readonly calls: { readonly flush: () => void; readonly fsync: () => void },
  ) {}

  /** A record was queued: starts the interval, or flushes soon once enough are queued. */
  queued(): void {
    if (this.stopped) {
      return;
    }
    if (++this.unflushed >= this.config.flushMaxEvents) {
      this.flushSoon();
    } else if (this.flushTimer === undefined) {
      this.flushTimer = this.timers.after(this.config.flushIntervalMs, () => {
        this.flushTimer = undefined;
        this.calls.flush();
      });
    }
  }

  /** A write of everything queued starts: the interval starts afresh with the next record. */
  writing(): void {
    this.unflushed = 0;
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
  }

  /** Data was written but its fsync deferred: fsync in `delay` ms unless one runs before. */
  fsyncIn(delay: number): void {
    if (this.fsyncTimer !== undefined || this.stopped) {
      return;
    }
    this.fsyncTimer = this.timers.after(Math.max(1, Math.ceil(delay)), () => {
      this.fsyncTimer = undefined;
      this.calls.fsync();
    });
  }

  /** A fsync ran: the trailing one is not needed. */
  fsynced(): void {
    this.fsyncTimer?.cancel();
    this.fsyncTimer = undefined;
  }

  /** The log is closing: nothing is scheduled any more. */
  stop(): void {
    this.stopped = true;
    this.writing();
    this.fsynced();
  }

  private flushSoon(): void {
    if (!this.soonPending) {
      this.soonPending = true;
      // No time passes here (only the current task ends), so this is not an injected timer.
      setImmediate(() => {
        this.soonPending = false;
        this.calls.flush();
      });
    }
  }
}
