import { writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IDisposable } from './util/disposable';

/**
 * Measurement support for the end-to-end benchmark: when CANDOR_PERF_OUT names a file, writes
 * activation time and the longest event-loop block seen so far to it about once a second.
 * Off (and costs nothing) unless that variable is set in the extension host's environment.
 */
export function startPerfProbe(activationMs: number, env: NodeJS.ProcessEnv = process.env): IDisposable | undefined {
  const out = env['CANDOR_PERF_OUT'];
  if (!out) {
    return undefined;
  }
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const write = (): void => {
    const payload = {
      activationMs,
      maxEventLoopDelayMs: histogram.max / 1e6,
      p99EventLoopDelayMs: histogram.percentile(99) / 1e6,
      samples: histogram.count,
    };
    writeFile(out, JSON.stringify(payload)).catch(() => undefined);
  };
  const timer = setInterval(write, 1000);
  timer.unref?.();
  write();
  return {
    dispose: () => {
      clearInterval(timer);
      write();
      histogram.disable();
    },
  };
}
