/**
 * Entry of the bundle build worker (worker_threads; bundled by esbuild as dist/bundleWorker.js).
 * Bundling, redaction and compression of a day take about a second of CPU, far past the 50 ms the
 * extension host may be blocked, so they run here. Protocol: src/bundle/workerProtocol.ts.
 */
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort } from 'node:worker_threads';
import type { IDisposable } from '../util/disposable';
import type { RpcContext } from '../util/workerRpc';
import { serveRpc } from '../util/workerRpc';
import type { BuildControl, BuildProgress, BuiltBundle } from './build';
import { buildBundle } from './build';
import { BundleError } from './errors';
import { buildBundleFromLog } from './fromLog';
import type { LogBundle } from './fromLog';
import { createDefaultRedactor } from './redactorAdapter';
import type { Redactor } from './types';
import type { BuildMethods, WorkerBuildOutput, WorkerBuildParams } from './workerProtocol';
import { bundleErrorToWire } from './workerProtocol';

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

/**
 * Runs one build for `params`: progress (at most every PROGRESS_INTERVAL_MS, and at each new phase)
 * and the cancel go through `ctx`; the file is transferred with the reply. Exported for in-thread tests.
 */
export async function runBuild(params: WorkerBuildParams, ctx: RpcContext<BuildProgress>): Promise<WorkerBuildOutput> {
  let lastPost = 0;
  let lastPhase = '';
  const control: BuildControl = {
    signal: ctx.signal,
    onProgress: (progress) => {
      const now = Date.now();
      if (progress.phase !== lastPhase || now - lastPost >= PROGRESS_INTERVAL_MS) {
        lastPhase = progress.phase;
        lastPost = now;
        ctx.progress(progress);
      }
    },
  };
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
  ctx.transfer(bytes);
  return { bytes, sha256: built.sha256, id: built.id, manifest: built.manifest, ...fromLog };
}

/** Serves build calls from `port` (the host starts one worker per build). */
export function serveBuildWorker(port: MessagePort): IDisposable {
  return serveRpc<BuildMethods>(port, { build: runBuild }, { encodeError: bundleErrorToWire });
}

if (!isMainThread && parentPort !== null) {
  serveBuildWorker(parentPort);
}
