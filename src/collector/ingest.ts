/**
 * What the collector checks in an upload before anything is stored, with the same code the
 * extension and the `candor` CLI use: the bundle reader and verifier (src/bundle: header, limits
 * enforced while inflating, hashes, every line against the schema, the consent receipt covering
 * every event, figures, replay through every checkpoint), then the team's policy, then the privacy
 * engine (src/privacy/redact) run again over the replayed text — a secret the device missed, typed
 * one key at a time or not, sends the bundle to quarantine.
 */
import type { BundleManifest, BundleLimits } from '../bundle/types';
import { DEFAULT_LIMITS } from '../bundle/types';
import { readBundle } from '../bundle/format';
import { BundleError } from '../bundle/errors';
import { replayEvents } from '../replay/replay';
import type { Redactor } from '../privacy/redact/redact';
import { createRedactorAsync } from '../privacy/redact/redact';
import type { TeamPolicy } from '../privacy/policy/model';
import { CollectorError, reasonOfBundleError } from './errors';
import { categoriesOf } from './policy';

export interface Inspection {
  readonly contentId: string;
  readonly manifest: BundleManifest;
  readonly events: number;
  /** Rule ids of the secrets the re-scan found (never a value); empty when clean. */
  readonly secretRules: readonly string[];
}

/** Limits of the collector's reader: the bundle format's defaults unless the operator lowers them. */
export function collectorLimits(overrides: Partial<BundleLimits> = {}): BundleLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export class Inspector {
  private constructor(private readonly redactor: Redactor) {}

  /** Compiles the built-in rule set once (tens of ms); reuse one inspector per process. */
  static async create(): Promise<Inspector> {
    return new Inspector(await createRedactorAsync());
  }

  /**
   * Reads and checks `bytes`, whose SHA-256 the caller has already compared with the URL's id.
   * Throws `CollectorError` with the first problem; `policyOf` gives the team's policy of a version.
   */
  async inspect(bytes: Uint8Array, limits: BundleLimits, policyOf: (version: string) => Promise<TeamPolicy | undefined>): Promise<Inspection> {
    let read;
    try {
      read = await readBundle(bytes, limits);
    } catch (err) {
      if (BundleError.is(err)) {
        throw new CollectorError(reasonOfBundleError(err.code), err.message, {
          ...(err.line !== undefined ? { line: err.line } : {}),
          ...(err.path !== undefined ? { path: err.path } : {}),
        });
      }
      throw err;
    }
    const { manifest, events } = read;
    const replay = replayEvents(events);
    if (replay.issues.length > 0 || replay.stats.checkpoints !== replay.stats.checkpointsMatched) {
      const first = replay.issues.length > 0 ? `: ${replay.issues[0].message}` : '';
      throw new CollectorError('replay-mismatch', `replay does not reproduce the bundle's checkpoints${first}`);
    }
    const policy = await policyOf(manifest.policyVersion);
    if (policy === undefined) {
      throw new CollectorError('unknown-policy-version', `the bundle was built under policy version '${manifest.policyVersion}', which this team's collector never published`);
    }
    if (policy.categories !== undefined) {
      const allowed = new Set(policy.categories);
      for (const e of events) {
        for (const c of categoriesOf(e.event)) {
          if (!allowed.has(c)) {
            throw new CollectorError('outside-policy', `event seq ${e.seq} (${e.event.t}) needs category '${c}', which policy '${policy.version}' does not allow`);
          }
        }
      }
    }
    // Sliced: a large bundle's scan yields to the event loop, so other requests keep flowing.
    const scan = await this.redactor.redactEventsAsync(events);
    const secretRules = [...new Set(scan.report.findings.filter((f) => f.kind === 'secret').map((f) => f.rule))].sort();
    return { contentId: read.id, manifest, events: events.length, secretRules };
  }
}
