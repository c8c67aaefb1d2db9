import type { LogTimer, LogTimers } from '../../../src/store/logTimers';

interface Pending {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock the test moves by hand: `now` for the log's `now` option, `timers` for its `timers`
 * option. Nothing happens until `advance` or `runNext`, so no test sleeps or races the wall clock.
 */
export class ManualClock {
  private time: number;
  private order = 0;
  private pending: Pending[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly timers: LogTimers = {
    after: (ms: number, fn: () => void): LogTimer => {
      const p: Pending = { at: this.time + ms, order: this.order++, fn, cancelled: false };
      this.pending.push(p);
      return {
        cancel: () => {
          p.cancelled = true;
        },
      };
    },
  };

  /** Timers scheduled and not yet run or cancelled. */
  get scheduled(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let next = this.due(until); next !== undefined; next = this.due(until)) {
      this.time = next.at;
      this.fire(next);
    }
    this.time = until;
  }

  /** Moves time to the next pending timer and runs it; false when none is pending. */
  runNext(): boolean {
    const next = this.due(Number.POSITIVE_INFINITY);
    if (next === undefined) {
      return false;
    }
    this.time = Math.max(this.time, next.at);
    this.fire(next);
    return true;
  }

  private due(until: number): Pending | undefined {
    this.pending = this.pending.filter((p) => !p.cancelled);
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.at <= until && (best === undefined || p.at < best.at || (p.at === best.at && p.order < best.order))) {
        best = p;
      }
    }
    return best;
  }

  private fire(p: Pending): void {
    p.cancelled = true;
    p.fn();
  }
}
