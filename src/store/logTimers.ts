/**
 * The timers the event log schedules its batched flushes, trailing fsyncs and write retries with.
 * Injectable (`EventLogOptions.timers`) so that tests move time forward by hand instead of
 * sleeping; the default is Node's timers.
 */

/** A scheduled call that can be called off. */
export interface LogTimer {
  cancel(): void;
}

export interface LogTimers {
  /** Calls `fn` once, `ms` from now. A pending call must not keep the process alive. */
  after(ms: number, fn: () => void): LogTimer;
}

/** Node's timers, unref'd: a pending flush or retry never holds the extension host or CLI open. */
export function nodeTimers(): LogTimers {
  return {
    after(ms: number, fn: () => void): LogTimer {
      const timer = setTimeout(fn, ms);
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
