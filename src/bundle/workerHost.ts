/**
 * Host side of the bundle build worker: spawns it, relays progress, cancels, and resolves with the
 * file. Used by the extension (the worker script is dist/bundleWorker.js there) and the CLI.
 */
import { Worker } from 'node:worker_threads';
import type { BuildProgress } from './build';
import { BundleError } from './errors';
import type { SkippedRecord } from './fromLog';
import type { SeqRange } from './seqRanges';
import type { BundleManifest } from './types';
import type { HostToWorker, WorkerBuildParams, WorkerToHost } from './workerProtocol';

export interface WorkerBuildOptions {
  /** Path of the worker script: dist/bundleWorker.js when bundled, out/src/bundle/worker.js in tests. */
  readonly workerScript: string;
  readonly onProgress?: (progress: BuildProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * After a cancel, how long the worker may take to stop by itself before it is terminated
   * (a redaction step in progress only sees the cancel between steps).
   */
  readonly cancelGraceMs?: number;
}

export interface WorkerBuildResult {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly id: string;
  readonly manifest: BundleManifest;
  readonly skipped: readonly SkippedRecord[];
  readonly damaged: number;
  readonly synthesized: number;
  /** The log seqs the selection took: what approving this bundle decides. */
  readonly covered: readonly SeqRange[];
}

/** Builds a bundle in a worker thread. Rejects with `BundleError` (`cancelled` after a cancel). */
export function buildBundleInWorker(params: WorkerBuildParams, options: WorkerBuildOptions): Promise<WorkerBuildResult> {
  if (options.signal?.aborted === true) {
    return Promise.reject(new BundleError('cancelled', 'the bundle build was cancelled'));
  }
  return new Promise<WorkerBuildResult>((resolve, reject) => {
    const worker = new Worker(options.workerScript, { workerData: params });
    let settled = false;
    let cancelled = false;
    const settle = (fn: () => void): void => {
      if (settled) {
        return;
      }
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      cancelled = true;
      worker.postMessage({ type: 'cancel' } satisfies HostToWorker);
      setTimeout(() => settle(() => reject(new BundleError('cancelled', 'the bundle build was cancelled'))), options.cancelGraceMs ?? 1000).unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerToHost) => {
      switch (m.type) {
        case 'progress':
          if (!settled) {
            options.onProgress?.(m.progress);
          }
          return;
        case 'done':
          settle(() =>
            resolve({
              bytes: new Uint8Array(m.bytes),
              sha256: m.sha256,
              id: m.id,
              manifest: m.manifest,
              skipped: m.skipped,
              damaged: m.damaged,
              synthesized: m.synthesized,
              covered: m.covered,
            }),
          );
          return;
        case 'error':
          settle(() => reject(new BundleError(cancelled ? 'cancelled' : (m.code ?? 'worker'), m.message)));
          return;
      }
    });
    worker.on('error', (err) => settle(() => reject(new BundleError('worker', `the bundle worker failed: ${err.message}`, undefined, { cause: err }))));
    worker.on('exit', (code) => settle(() => reject(new BundleError('worker', `the bundle worker exited (code ${code}) without a result`))));
  });
}
