import { writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDisposable } from '../util/disposable';

/** One handler's (or one part's) figures in a window. */
export interface HandlerFigures {
  calls: number;
  totalMs: number;
  maxMs: number;
  /** Calls over SLOW_MS, and their time: tells a few spikes (GC, a first touch) from a steady cost. */
  slowCalls: number;
  slowMs: number;
}

/** The longest event-loop delay seen in one second of wall time. */
export interface DelayWindow {
  /** Epoch milliseconds at the end of the window. */
  readonly at: number;
  readonly maxMs: number;
  /** The longest single Candor event handler in the window (what Candor itself blocked). */
  readonly candorMaxMs: number;
  /** Candor handler calls in the window. */
  readonly candorCalls: number;
  /** Time spent in Candor handlers in the window, summed. */
  readonly candorTotalMs: number;
  /**
   * The same per handler (`edit`, `selection`…) and per part of a handler (`edit/emit`: a name
   * with a slash is time already inside its handler's, never added to the totals above).
   */
  readonly handlers: Readonly<Record<string, HandlerFigures>>;
}

export interface PerfProbe extends IDisposable {
  /**
   * Reports how long one Candor handler ran (`handler` names it; a name with a slash is a part of
   * a handler, counted on its own only).
   */
  measure(ms: number, handler?: string): void;
  /** Sets the activation time once activate() is done. */
  activated(ms: number): void;
}

const WINDOW_MS = 1000;
const MAX_WINDOWS = 900;
const SLOW_MS = 0.1;

/**
 * Measurement support for the end-to-end benchmark: when CANDOR_PERF_OUT names a file, writes
 * activation time, per-second maxima of the extension host's event-loop delay and the time spent
 * in each Candor handler to it once a second, so a test can read the longest block inside any
 * phase (typing with and without recording) and where Candor's time per key goes. Off, and
 * costing nothing, unless that variable is set in the extension host's environment. Its own cost
 * on the hot path is two `performance.now()` calls per handler (taken by the handler) and the
 * few additions below; the file is written from a timer, outside every handler.
 */
export function startPerfProbe(env: NodeJS.ProcessEnv = process.env): PerfProbe | undefined {
  const out = env['CANDOR_PERF_OUT'];
  if (!out) {
    return undefined;
  }
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const windows: DelayWindow[] = [];
  let activationMs: number | undefined;
  let overallMax = 0;
  let candorMaxMs = 0;
  let candorCalls = 0;
  let candorTotalMs = 0;
  let handlers: Record<string, HandlerFigures> = {};
  const tick = (): void => {
    const maxMs = histogram.max / 1e6;
    histogram.reset();
    overallMax = Math.max(overallMax, maxMs);
    windows.push({ at: Date.now(), maxMs, candorMaxMs, candorCalls, candorTotalMs, handlers });
    candorMaxMs = 0;
    candorCalls = 0;
    candorTotalMs = 0;
    handlers = {};
    if (windows.length > MAX_WINDOWS) {
      windows.shift();
    }
    if (activationMs === undefined) {
      return;
    }
    const payload = { activationMs, maxEventLoopDelayMs: overallMax, samples: windows.length, windows };
    writeFile(out, JSON.stringify(payload)).catch(() => undefined);
  };
  const timer = setInterval(tick, WINDOW_MS);
  timer.unref?.();
  return {
    activated: (ms) => {
      activationMs = ms;
    },
    measure: (ms, handler = 'edit') => {
      const figures = (handlers[handler] ??= { calls: 0, totalMs: 0, maxMs: 0, slowCalls: 0, slowMs: 0 });
      figures.calls++;
      figures.totalMs += ms;
      if (ms > figures.maxMs) {
        figures.maxMs = ms;
      }
      if (ms > SLOW_MS) {
        figures.slowCalls++;
        figures.slowMs += ms;
      }
      if (handler.includes('/')) {
        return;
      }
      candorCalls++;
      candorTotalMs += ms;
      if (ms > candorMaxMs) {
        candorMaxMs = ms;
      }
    },
    dispose: () => {
      clearInterval(timer);
      tick();
      histogram.disable();
    },
  };
}
