/**
 * What the collector checks in an upload before anything is stored, with the same code the
 * extension and the `candor` CLI use: the bundle reader and verifier (src/bundle: header, limits
 * enforced while inflating, hashes, every line against the schema, the consent receipt covering
 * every event, figures, replay through every checkpoint), then the team's policy, then the privacy
 * engine (src/privacy/redact) run again over the replayed text — a secret the device missed, typed
 * one key at a time or not, sends the bundle to quarantine.
 *
 * The bundle-level checks run in a small pool of worker threads (src/collector/inspectWorker.ts):
 * the event loop that answers requests and commits stores never waits for an inflate, a replay or
 * a re-scan, and the pool's size bounds how many bundles are held for checking at once (the rest
 * wait in a queue as their bodies: a file on disk, or at most `spillBytes` in memory). The team's
 * policy is checked here, on the main thread, from the categories the worker reports.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BundleLimits, BundleManifest } from '../bundle/types';
import { DEFAULT_LIMITS } from '../bundle/types';
import type { Category } from '../model/events';
import type { Redactor } from '../privacy/redact/redact';
import { createRedactorAsync } from '../privacy/redact/redact';
import type { TeamPolicy } from '../privacy/policy/model';
import type { BodySource } from './body';
import { CollectorError } from './errors';
import type { CheckedBundle, CheckOutcome } from './inspect';
import { checkOutcome } from './inspect';
import type { FromInspectWorker, InspectTask } from './inspectWorker';

export interface Inspection {
  readonly contentId: string;
  readonly manifest: BundleManifest;
  readonly events: number;
  /** Rule ids of the secrets the re-scan found (never a value); empty when clean. */
  readonly secretRules: readonly string[];
}

/**
 * The collector's reader limits: the bundle format's defaults, except the content size, which
 * bounds what the re-scan holds (docs/collector.md, "Memory"), unless the operator changes them.
 */
export const COLLECTOR_MAX_CONTENT_BYTES = 64 * 1024 * 1024;

export function collectorLimits(overrides: Partial<BundleLimits> = {}): BundleLimits {
  return { ...DEFAULT_LIMITS, maxContentBytes: COLLECTOR_MAX_CONTENT_BYTES, ...overrides };
}

export interface InspectorOptions {
  /**
   * Inspection worker threads (default: available cores − 1, at least 1, at most 4). 0 checks on
   * the main thread, in slices between which other requests are served (tests, or a platform
   * without workers).
   */
  readonly workers?: number;
  /** The compiled worker script (default: next to this module, under tsc's or esbuild's name). */
  readonly workerFile?: string;
}

export const MAX_DEFAULT_WORKERS = 4;

export function defaultWorkers(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism() - 1));
}

function workerScript(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) {
    return explicit;
  }
  // tsc emits out/src/collector/inspectWorker.js; esbuild bundles dist/collectorInspectWorker.js.
  return [join(__dirname, 'inspectWorker.js'), join(__dirname, 'collectorInspectWorker.js')].find((p) => existsSync(p));
}

interface Pending {
  readonly task: InspectTask;
  readonly resolve: (o: CheckOutcome) => void;
  readonly reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current: Pending | undefined;
}

/** A fixed set of inspection workers with a FIFO queue; a worker that dies is replaced. */
class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextTask = 0;
  private closed = false;

  constructor(
    private readonly script: string,
    size: number,
  ) {
    for (let k = 0; k < size; k++) {
      this.slots.push(this.spawn());
    }
  }

  run(source: BodySource, sha256: string, limits: BundleLimits): Promise<CheckOutcome> {
    if (this.closed) {
      return Promise.reject(new CollectorError('unavailable', 'the collector is shutting down'));
    }
    return new Promise<CheckOutcome>((resolve, reject) => {
      this.queue.push({ task: { task: this.nextTask++, source, sha256, limits }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) {
      p.reject(new CollectorError('unavailable', 'the collector is shutting down'));
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.script);
    const slot: Slot = { worker, ready: false, current: undefined };
    worker.on('message', (msg: FromInspectWorker) => {
      if (msg.type === 'ready') {
        slot.ready = true;
      } else {
        const p = slot.current;
        slot.current = undefined;
        if (p !== undefined && p.task.task === msg.task) {
          if (msg.type === 'done') {
            p.resolve(msg.outcome);
          } else {
            p.reject(new Error(`inspection worker: ${msg.message}`));
          }
        }
      }
      this.dispatch();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const p = slot.current;
      slot.current = undefined;
      if (p !== undefined) {
        p.reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new CollectorError('too-large', 'checking this bundle needs more memory than this collector allows for one upload')
            : err,
        );
      }
    });
    worker.on('exit', () => {
      const p = slot.current;
      slot.current = undefined;
      p?.reject(new Error('an inspection worker exited during a check'));
      if (!this.closed) {
        const index = this.slots.indexOf(slot);
        if (index >= 0) {
          this.slots[index] = this.spawn();
        }
      }
    });
    // Idle workers never keep the process alive. After the listeners: adding a 'message'
    // listener refs the port again.
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) {
        break;
      }
      if (slot.ready && slot.current === undefined) {
        const p = this.queue.shift()!;
        slot.current = p;
        slot.worker.postMessage(p.task);
      }
    }
    // A worker keeps the process alive only while there is work (a task, or one waiting for a
    // worker still starting): an idle collector exits when its server closes.
    for (const slot of this.slots) {
      if (slot.current !== undefined || this.queue.length > 0) {
        slot.worker.ref();
      } else {
        slot.worker.unref();
      }
    }
  }
}

export class Inspector {
  private constructor(
    private readonly pool: WorkerPool | undefined,
    private readonly redactor: Redactor | undefined,
  ) {}

  /**
   * Starts the inspection workers (each compiles the rule set once, tens of ms), or with
   * `workers: 0` compiles it here. One inspector per process; `close()` stops the workers.
   */
  static async create(options: InspectorOptions = {}): Promise<Inspector> {
    const workers = options.workers ?? defaultWorkers();
    const script = workers > 0 ? workerScript(options.workerFile) : undefined;
    if (script !== undefined) {
      return new Inspector(new WorkerPool(script, workers), undefined);
    }
    return new Inspector(undefined, await createRedactorAsync());
  }

  /**
   * Reads and checks the upload whose SHA-256 the caller has computed (and compared with the URL's
   * id). Throws `CollectorError` with the first problem; `policyOf` gives the team's policy of a
   * version.
   */
  async inspect(source: BodySource, sha256: string, limits: BundleLimits, policyOf: (version: string) => Promise<TeamPolicy | undefined>): Promise<Inspection> {
    const outcome =
      this.pool !== undefined
        ? await this.pool.run(source, sha256, limits)
        : // Sliced: a large bundle's scan yields to the event loop, so other requests keep flowing.
          await checkOutcome(source, sha256, limits, (events) => this.redactor!.redactEventsAsync(events));
    if (!outcome.ok) {
      const { reason, message, ...extra } = outcome.error;
      throw new CollectorError(reason, message, extra);
    }
    const checked: CheckedBundle = outcome.bundle;
    const { manifest } = checked;
    const policy = await policyOf(manifest.policyVersion);
    if (policy === undefined) {
      throw new CollectorError('unknown-policy-version', `the bundle was built under policy version '${manifest.policyVersion}', which this team's collector never published`);
    }
    if (policy.categories !== undefined) {
      const allowed = new Set(policy.categories);
      // The first event (lowest seq) needing a category the policy does not allow.
      const outside = (Object.entries(checked.categories) as [Category, { seq: number; t: string }][])
        .filter(([c]) => !allowed.has(c))
        .sort((a, b) => a[1].seq - b[1].seq);
      if (outside.length > 0) {
        const [c, first] = outside[0];
        throw new CollectorError('outside-policy', `event seq ${first.seq} (${first.t}) needs category '${c}', which policy '${policy.version}' does not allow`);
      }
    }
    return { contentId: checked.contentId, manifest, events: checked.events, secretRules: checked.secretRules };
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
