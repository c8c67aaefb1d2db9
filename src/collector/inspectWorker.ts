/**
 * An inspection worker: runs `checkBundle` (src/collector/inspect.ts) for the main thread, one
 * upload at a time, so a large bundle's inflate, replay and re-scan never block the collector's
 * event loop. It compiles the privacy engine's rule set once, at start. Only plain data crosses:
 * the body (an in-memory body is transferred, not copied) or the path of its temporary file in,
 * the checked figures or the rejection out.
 *
 * Packaging: this file is its own entry point (`out/src/collector/inspectWorker.js`).
 */
import { parentPort } from 'node:worker_threads';
import type { BundleLimits } from '../bundle/types';
import { createRedactor } from '../privacy/redact/redact';
import type { BodySource } from './body';
import type { CheckOutcome } from './inspect';
import { checkOutcome } from './inspect';

/** A task for the worker. */
export interface InspectTask {
  readonly task: number;
  readonly source: BodySource;
  readonly sha256: string;
  readonly limits: BundleLimits;
}

/** The worker's answers: `ready` once, then one `done` or `failed` per task. */
export type FromInspectWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly task: number; readonly outcome: CheckOutcome }
  | { readonly type: 'failed'; readonly task: number; readonly message: string };

function serve(): void {
  const port = parentPort;
  if (port === null) {
    return;
  }
  const redactor = createRedactor();
  port.on('message', (t: InspectTask) => {
    // Re-wrapped: a transferred Buffer arrives as a plain Uint8Array.
    const source: BodySource = t.source.kind === 'memory' ? { kind: 'memory', bytes: Buffer.from(t.source.bytes.buffer, t.source.bytes.byteOffset, t.source.bytes.length) } : t.source;
    checkOutcome(source, t.sha256, t.limits, (events) => redactor.redactEvents(events)).then(
      (outcome) => port.postMessage({ type: 'done', task: t.task, outcome } satisfies FromInspectWorker),
      (err: unknown) => port.postMessage({ type: 'failed', task: t.task, message: err instanceof Error ? err.message : String(err) } satisfies FromInspectWorker),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromInspectWorker);
}

serve();
