import { writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDisposable } from '../util/disposable';

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
}

export interface PerfProbe extends IDisposable {
  /** Reports how long one Candor handler ran. */
  measure(ms: number): void;
  /** Sets the activation time once activate() is done. */
  activated(ms: number): void;
}

const WINDOW_MS = 1000;
const MAX_WINDOWS = 900;

/**
 * Measurement support for the end-to-end benchmark: when CANDOR_PERF_OUT names a file, writes
 * activation time and per-second maxima of the extension host's event-loop delay to it once a
 * second, so a test can read the longest block inside any phase (typing with and without
 * recording). Off, and costing nothing, unless that variable is set in the extension host's
 * environment.
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
  const tick = (): void => {
    const maxMs = histogram.max / 1e6;
    histogram.reset();
    overallMax = Math.max(overallMax, maxMs);
    windows.push({ at: Date.now(), maxMs, candorMaxMs, candorCalls, candorTotalMs });
    candorMaxMs = 0;
    candorCalls = 0;
    candorTotalMs = 0;
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
    measure: (ms) => {
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
