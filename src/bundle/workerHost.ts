/**
 * Host side of the bundle build worker: spawns it, relays progress, cancels, and resolves with the
 * file. Used by the extension (the worker script is dist/bundleWorker.js there) and the CLI.
 */
import { WorkerRpcClient } from '../util/workerRpc';
import type { BuildProgress } from './build';
import { BundleError } from './errors';
import type { SkippedRecord } from './fromLog';
import type { SeqRange } from './seqRanges';
import type { BundleManifest } from './types';
import type { BuildMethods, WorkerBuildParams } from './workerProtocol';
import { bundleErrorFromWire } from './workerProtocol';

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
export async function buildBundleInWorker(params: WorkerBuildParams, options: WorkerBuildOptions): Promise<WorkerBuildResult> {
  const cancelledError = (): BundleError => new BundleError('cancelled', 'the bundle build was cancelled');
  if (options.signal?.aborted === true) {
    throw cancelledError();
  }
  let cancelled = false;
  const client = new WorkerRpcClient<BuildMethods>(options.workerScript, {
    // After a cancel, whatever the worker reports is the cancel (it stopped mid-step).
    fromWorker: (wire) => bundleErrorFromWire(cancelled ? { message: wire.message, code: 'cancelled' } : wire, 'worker'),
    crashed: (err) => new BundleError('worker', `the bundle worker failed: ${err.message}`, undefined, { cause: err }),
    exited: (code) => new BundleError('worker', `the bundle worker exited (code ${code}) without a result`),
    disposed: cancelledError,
  });
  let grace: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    cancelled = true;
    grace = setTimeout(() => void client.terminate(cancelledError()), options.cancelGraceMs ?? 1000);
    grace.unref();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const m = await client.request('build', params, { signal: options.signal, onProgress: options.onProgress });
    return {
      bytes: new Uint8Array(m.bytes),
      sha256: m.sha256,
      id: m.id,
      manifest: m.manifest,
      skipped: m.skipped,
      damaged: m.damaged,
      synthesized: m.synthesized,
      covered: m.covered,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(grace);
    client.dispose();
  }
}
