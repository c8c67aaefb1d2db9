/**
 * Background upkeep of a running collector: erase bundles past their retention and sweep bundle
 * files no row refers to. Runs at start and then hourly; several processes may run it at once
 * (each erase is its own transaction, and erasing twice is a no-op).
 */
import type { CollectorStore } from './store';

const HOUR_MS = 60 * 60 * 1000;

export interface Maintenance {
  stop(): void;
  /** One pass now (tests and `serve` at start). */
  runOnce(): Promise<void>;
}

export function startMaintenance(store: CollectorStore, log: (msg: string) => void, everyMs = HOUR_MS): Maintenance {
  let running: Promise<void> | undefined;
  const runOnce = async (): Promise<void> => {
    const purged = await store.purgeExpired();
    const swept = await store.sweepOrphans();
    if (purged + swept > 0) {
      log(`retention: erased ${purged} expired bundle(s); removed ${swept} unreferenced file(s)`);
    }
  };
  const tick = (): void => {
    if (running !== undefined) {
      return;
    }
    running = runOnce()
      .catch((err: unknown) => log(`retention pass failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return { stop: () => clearInterval(timer), runOnce };
}
