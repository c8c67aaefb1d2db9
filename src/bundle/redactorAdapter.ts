/**
 * Wires the on-device redaction engine (src/privacy/redact) to the bundle's `Redactor` seam.
 *
 * The bundle build already runs in its own worker (src/bundle/worker.ts), so this calls the
 * engine's sliced `redactEventsAsync` directly rather than its separate redaction worker: the
 * slices let a cancel message in between them, and nothing is cloned across threads twice.
 * The reviewer's redact-everywhere texts go to the engine as its `manual` literals, which it
 * applies to replayed text (so a text typed key by key is caught too) and to every other string.
 */
import type { MachineIdentity } from '../privacy/identity';
import { redactEventsAsync } from '../privacy/redact/redact';
import { BundleError } from './errors';
import type { Redactor, RedactOptions, RedactorOutput } from './types';

export interface DefaultRedactorOptions {
  /** This machine's user, home, hostname and git identity, redacted wherever they appear. */
  readonly identity?: MachineIdentity;
  /** Absolute workspace folder paths: absolute paths outside them are redacted. */
  readonly workspaceRoots?: readonly string[];
  /**
   * Work between two yields, in ms. The engine's default (8) suits the extension host; a worker
   * can take longer slices (less overhead) and still see a cancel within a tenth of a second.
   */
  readonly sliceMs?: number;
}

export function createDefaultRedactor(options: DefaultRedactorOptions = {}): Redactor {
  return {
    async redact(events, redactOptions: RedactOptions): Promise<RedactorOutput> {
      const { manual, signal, onProgress } = redactOptions;
      try {
        const result = await redactEventsAsync(events, {
          identity: options.identity,
          workspaceRoots: options.workspaceRoots,
          sliceMs: options.sliceMs,
          manual,
          signal,
          onProgress,
        });
        const { engine, findings, eventsChanged } = result.report;
        // The manifest carries the summary; the per-placeholder detail stays with the preview.
        return { events: result.events, report: { engine, findings, eventsChanged } };
      } catch (err) {
        if (signal?.aborted === true) {
          throw new BundleError('cancelled', 'the bundle build was cancelled', undefined, { cause: err });
        }
        throw err;
      }
    },
  };
}
