/**
 * Entry of the bundle build worker (worker_threads; bundled by esbuild as dist/bundleWorker.js).
 * Bundling, redaction and compression of a day take about a second of CPU, far past the 50 ms the
 * extension host may be blocked, so they run here. Protocol: src/bundle/workerProtocol.ts.
 */
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { BuildControl, BuiltBundle } from './build';
import { buildBundle } from './build';
import { BundleError } from './errors';
import { buildBundleFromLog } from './fromLog';
import type { LogBundle } from './fromLog';
import { createDefaultRedactor } from './redactorAdapter';
import type { Redactor } from './types';
import type { HostToWorker, WorkerBuildParams, WorkerToHost } from './workerProtocol';

/** Progress messages at most this often: each is a postMessage the host must handle. */
const PROGRESS_INTERVAL_MS = 50;

/** Slices of the engine's sliced redaction: long enough to be cheap, short enough to see a cancel. */
const REDACTION_SLICE_MS = 50;

async function loadRedactor(params: WorkerBuildParams): Promise<Redactor> {
  const modulePath = params.redactorModule;
  if (modulePath === undefined) {
    return createDefaultRedactor({ ...params.redaction, sliceMs: REDACTION_SLICE_MS });
  }
  const mod = (await import(pathToFileURL(modulePath).href)) as { createRedactor?: unknown };
  if (typeof mod.createRedactor !== 'function') {
    throw new BundleError('bad-input', `${modulePath} does not export createRedactor()`);
  }
  return (mod.createRedactor as () => Redactor)();
}

/** Runs one build for `params`, talking to the host over `port`. Exported for in-thread tests. */
export async function runBuildWorker(port: MessagePort, params: WorkerBuildParams): Promise<void> {
  const controller = new AbortController();
  const onMessage = (m: HostToWorker): void => {
    if (m.type === 'cancel') {
      controller.abort();
    }
  };
  port.on('message', onMessage);
  const post = (m: WorkerToHost, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  let lastPost = 0;
  let lastPhase = '';
  const control: BuildControl = {
    signal: controller.signal,
    onProgress: (progress) => {
      const now = Date.now();
      if (progress.phase !== lastPhase || now - lastPost >= PROGRESS_INTERVAL_MS) {
        lastPhase = progress.phase;
        lastPost = now;
        post({ type: 'progress', progress });
      }
    },
  };
  try {
    const redactor = await loadRedactor(params);
    const source = params.source;
    let built: BuiltBundle;
    let fromLog: Pick<LogBundle, 'skipped' | 'damaged' | 'synthesized' | 'covered'> = { skipped: [], damaged: 0, synthesized: 0, covered: [] };
    if (source.kind === 'log') {
      const b = await buildBundleFromLog(source.dir, { ...params.params, ...source.selection, redactor }, control);
      built = b;
      fromLog = { skipped: b.skipped, damaged: b.damaged, synthesized: b.synthesized, covered: b.covered };
    } else {
      built = await buildBundle({ ...params.params, events: source.events, redactor }, control);
    }
    // A standalone copy, so the transfer hands over exactly the file and not a pooled slab.
    const bytes = new Uint8Array(built.bytes).buffer;
    post(
      {
        type: 'done',
        bytes,
        sha256: built.sha256,
        id: built.id,
        manifest: built.manifest,
        ...fromLog,
      },
      [bytes],
    );
  } catch (err) {
    post(
      BundleError.is(err)
        ? { type: 'error', code: err.code, message: err.message }
        : { type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) },
    );
  } finally {
    port.off('message', onMessage);
  }
}

if (!isMainThread && parentPort !== null && typeof workerData === 'object' && workerData !== null) {
  void runBuildWorker(parentPort, workerData as WorkerBuildParams);
}
