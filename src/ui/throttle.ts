/**
 * Runs a function at most once per interval however often it is poked, and always once after the
 * last poke (so the final state is never missed). The recording session pokes it for every event
 * it logs; the Candor view and the status bar hear about a growing log every couple of seconds.
 * No VS Code: unit-tested in plain mocha with a fake clock.
 */
import type { IDisposable } from '../util/disposable';

/** Timer functions, injectable for tests. */
export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // a pending refresh never keeps the extension host alive
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Throttle implements IDisposable {
  private last = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly fn: () => void,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  /**
   * Cheap: a comparison and, at most once per interval, a timer. Never runs `fn` synchronously,
   * so it is safe on a hot path (a recorder's event handler).
   */
  poke(): void {
    if (this.disposed || this.timer !== undefined) {
      return;
    }
    const wait = Math.max(0, this.last + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private run(): void {
    if (this.disposed) {
      return;
    }
    this.last = this.clock.now();
    this.fn();
  }
}
