import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { LoggedEvent } from '../../model/events';
import type { MachineIdentity } from '../identity';
import { redactEventsAsync } from './redact';
import type { RedactionResult } from './redact';
import type { RedactionReport } from './report';

/**
 * Redaction in a worker thread, so the extension host's event loop never waits for it.
 *
 * Events travel in chunks both ways: a structured clone of a whole 100k-event day (≈ 28 MB) in
 * one postMessage would itself block the sending thread for longer than the 50 ms budget; chunks
 * of a few thousand events cost a few ms each, and the main side yields between them.
 *
 * Only plain data crosses the thread boundary, so the worker builds its detector from `identity`,
 * `workspaceRoots` and `manual` (a custom `Detector` object cannot be posted).
 *
 * Packaging: this file is its own entry point (`out/src/privacy/redact/worker.js`); a bundled
 * extension must emit it as a separate file and pass its path as `workerFile`.
 */

/** Plain-data options that can cross to the worker. */
export interface WorkerRedactOptions {
  readonly identity?: MachineIdentity;
  readonly workspaceRoots?: readonly string[];
  readonly manual?: readonly string[];
}

export interface InWorkerOptions extends WorkerRedactOptions {
  /** The compiled worker script (default: this module's own file). */
  readonly workerFile?: string;
  /** Events per message (default 4000). */
  readonly chunk?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/** Messages to the worker. */
export type ToWorker =
  | { readonly type: 'start'; readonly options: WorkerRedactOptions }
  | { readonly type: 'events'; readonly events: readonly LoggedEvent[] }
  | { readonly type: 'end' };

/** Messages from the worker. */
export type FromWorker =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'events'; readonly events: readonly LoggedEvent[] }
  | { readonly type: 'done'; readonly report: RedactionReport }
  | { readonly type: 'error'; readonly message: string };

/** Marker in `workerData` telling this module it runs as the redaction worker. */
const WORKER_MARK = 'candor-redaction-worker';
const DEFAULT_CHUNK = 4000;

/** Redacts `events` in a worker thread; same result as `redactEvents` with the same options. */
export async function redactInWorker(events: readonly LoggedEvent[], options: InWorkerOptions = {}): Promise<RedactionResult> {
  const worker = new Worker(options.workerFile ?? join(__dirname, 'worker.js'), { workerData: WORKER_MARK });
  const chunk = Math.max(1, options.chunk ?? DEFAULT_CHUNK);
  const out: LoggedEvent[] = [];
  const done = new Promise<RedactionReport>((resolve, reject) => {
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'progress':
          options.onProgress?.(msg.fraction);
          break;
        case 'events':
          out.push(...msg.events);
          break;
        case 'done':
          resolve(msg.report);
          break;
        case 'error':
          reject(new Error(`redaction worker: ${msg.message}`));
          break;
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`redaction worker exited (code ${code}) before it finished`)));
    options.signal?.addEventListener('abort', () => reject(abortError(options.signal)), { once: true });
  });
  // A rejection while the chunks are still being sent must not go unhandled.
  done.catch(() => undefined);
  try {
    const plain: WorkerRedactOptions = { identity: options.identity, workspaceRoots: options.workspaceRoots, manual: options.manual };
    post(worker, { type: 'start', options: plain });
    for (let k = 0; k < events.length; k += chunk) {
      options.signal?.throwIfAborted();
      post(worker, { type: 'events', events: events.slice(k, k + chunk) });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    post(worker, { type: 'end' });
    const report = await done;
    return { events: out, report };
  } finally {
    await worker.terminate();
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('redaction aborted');
}

function post(target: Worker | MessagePort, msg: ToWorker | FromWorker): void {
  target.postMessage(msg);
}

/** The worker side: collects the events, redacts them, sends them back in chunks. */
function serve(port: MessagePort): void {
  const events: LoggedEvent[] = [];
  let options: WorkerRedactOptions = {};
  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'start':
        options = msg.options;
        break;
      case 'events':
        for (const e of msg.events) {
          events.push(e);
        }
        break;
      case 'end':
        redactEventsAsync(events, { ...options, sliceMs: 50, onProgress: (fraction) => post(port, { type: 'progress', fraction }) }).then(
          (result) => {
            for (let k = 0; k < result.events.length; k += DEFAULT_CHUNK) {
              post(port, { type: 'events', events: result.events.slice(k, k + DEFAULT_CHUNK) });
            }
            post(port, { type: 'done', report: result.report });
          },
          (err: unknown) => post(port, { type: 'error', message: err instanceof Error ? err.message : String(err) }),
        );
        break;
    }
  });
}

if (!isMainThread && parentPort !== null && workerData === WORKER_MARK) {
  serve(parentPort);
}
