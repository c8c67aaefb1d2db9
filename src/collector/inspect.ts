/**
 * The bundle-level half of an upload's checks, the part that needs no database: it runs in an
 * inspection worker (src/collector/inspectWorker.ts) or, with no workers, on the main thread.
 *
 * The body is read by the shared streaming reader (src/bundle/stream.ts) from memory or from the
 * temporary file the request was spilled to, so the file is never held whole here. The privacy
 * engine's re-scan (src/privacy/redact) is the one part that needs every event at once: it makes
 * several passes over the stream (detect, spread found values, rewrite), so the events are kept for
 * it — bounded by the collector's content limit, see "Memory" in docs/collector.md.
 */
import { createReadStream } from 'node:fs';
import { streamBundle } from '../bundle/stream';
import { BundleError } from '../bundle/errors';
import type { BundleLimits, BundleManifest } from '../bundle/types';
import type { Category, LoggedEvent } from '../model/events';
import type { Redactor } from '../privacy/redact/redact';
import { replayEvents } from '../replay/replay';
import type { BodySource } from './body';
import type { ErrorBody } from './errors';
import { CollectorError, reasonOfBundleError } from './errors';
import { categoriesOf } from './policy';

/** The first event that needs each category (to name it when a policy does not allow it). */
export type CategoryUse = Partial<Record<Category, { readonly seq: number; readonly t: string }>>;

export interface CheckedBundle {
  /** SHA-256 of the content (the id in the bundle's header). */
  readonly contentId: string;
  readonly manifest: BundleManifest;
  readonly events: number;
  readonly categories: CategoryUse;
  /** Rule ids of the secrets the re-scan found (never a value); empty when clean. */
  readonly secretRules: readonly string[];
}

/** A worker's answer: plain data, cloned across threads. */
export type CheckOutcome = { readonly ok: true; readonly bundle: CheckedBundle } | { readonly ok: false; readonly error: ErrorBody };

function streamOf(source: BodySource): Uint8Array | AsyncIterable<Uint8Array> {
  return source.kind === 'memory' ? source.bytes : createReadStream(source.path, { highWaterMark: 1024 * 1024 });
}

/**
 * Reads and checks a bundle whose file SHA-256 is `expectedSha256`: header, limits enforced while
 * inflating, hashes, every line against the schema, the consent receipt covering every event,
 * figures (the shared reader), a replay through every checkpoint, then the re-scan.
 * `scan(events)` is the privacy engine run (sliced on the main thread, whole in a worker).
 */
export async function checkBundle(
  source: BodySource,
  expectedSha256: string,
  limits: BundleLimits,
  scan: (events: readonly LoggedEvent[]) => Promise<ReturnType<Redactor['redactEvents']>> | ReturnType<Redactor['redactEvents']>,
): Promise<CheckedBundle> {
  const events: LoggedEvent[] = [];
  const categories: { [C in Category]?: { seq: number; t: string } } = {};
  let read;
  try {
    read = await streamBundle(streamOf(source), {
      ...limits,
      expectedSha256,
      onEvent: (e) => {
        events.push(e);
        for (const c of categoriesOf(e.event)) {
          categories[c] ??= { seq: e.seq, t: e.event.t };
        }
      },
    });
  } catch (err) {
    if (BundleError.is(err)) {
      throw new CollectorError(reasonOfBundleError(err.code), err.message, {
        ...(err.line !== undefined ? { line: err.line } : {}),
        ...(err.path !== undefined ? { path: err.path } : {}),
      });
    }
    throw err;
  }
  const replay = replayEvents(events);
  if (replay.issues.length > 0 || replay.stats.checkpoints !== replay.stats.checkpointsMatched) {
    const first = replay.issues.length > 0 ? `: ${replay.issues[0].message}` : '';
    throw new CollectorError('replay-mismatch', `replay does not reproduce the bundle's checkpoints${first}`);
  }
  const result = await scan(events);
  const secretRules = [...new Set(result.report.findings.filter((f) => f.kind === 'secret').map((f) => f.rule))].sort();
  return { contentId: read.id, manifest: read.manifest, events: events.length, categories, secretRules };
}

/** `checkBundle` as plain data: a `CollectorError` becomes its body, anything else propagates. */
export async function checkOutcome(...args: Parameters<typeof checkBundle>): Promise<CheckOutcome> {
  try {
    return { ok: true, bundle: await checkBundle(...args) };
  } catch (err) {
    if (CollectorError.is(err)) {
      return { ok: false, error: err.body() };
    }
    throw err;
  }
}
