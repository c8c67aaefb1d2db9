/**
 * Wires the on-device redaction engine (src/privacy/redact) to the bundle's `Redactor` seam.
 *
 * STATUS: the engine has not landed yet (no src/privacy/redact/ when this was written), so
 * `createDefaultRedactor` refuses with `BundleError('no-redactor')` rather than building an
 * unredacted bundle: redaction before the preview is an invariant, not an option. When the
 * engine lands, this file is the only one to change: map its `redactEvents(events, options)` (or
 * its worker variant) onto `Redactor.redact`, passing `options.manual` as literal rules whose
 * placeholder is `manualPlaceholder(n)` (src/bundle/edits.ts), and map its report onto
 * `BundleRedactionReport`.
 */
import { BundleError } from './errors';
import type { Redactor } from './types';

export interface DefaultRedactorOptions {
  /** Absolute workspace folder paths: absolute paths outside them are redacted. */
  readonly workspaceRoots?: readonly string[];
}

export function createDefaultRedactor(_options: DefaultRedactorOptions = {}): Redactor {
  return {
    redact(): Promise<never> {
      return Promise.reject(
        new BundleError('no-redactor', 'the on-device redaction engine is not available in this build; a bundle is never built unredacted'),
      );
    },
  };
}
