/**
 * Every rejection the collector makes: an HTTP status and a stable, machine-readable `reason`.
 * Clients (the extension's uploader, scripts) branch on `reason`, never on `message`.
 * docs/collector-api.md lists them all; `REASONS` is the table the docs test compares with.
 */
import type { BundleErrorCode } from '../bundle/errors';

export const REASONS = {
  // Requests
  'bad-id': 400,
  'bad-request': 400,
  'unsupported-media-type': 415,
  'unsupported-encoding': 415,
  'body-too-large': 413,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'rate-limited': 429,
  // The bundle itself (the shared bundle reader's codes, prefixed by nothing: same words)
  'bad-magic': 400,
  'unknown-version': 400,
  'bad-header': 400,
  'too-large': 413,
  truncated: 400,
  corrupt: 400,
  'hash-mismatch': 400,
  schema: 400,
  counts: 400,
  'no-consent': 400,
  'replay-mismatch': 400,
  // The bundle against this collector
  'unknown-policy-version': 400,
  'outside-policy': 400,
  'id-conflict': 409,
  'content-conflict': 409,
  erased: 410,
  quarantined: 403,
  'bad-policy': 400,
  internal: 500,
  unavailable: 503,
} as const;

export type Reason = keyof typeof REASONS;

export interface ErrorBody {
  readonly reason: Reason;
  readonly message: string;
  /** For `schema`/`counts`: 1-based line of the bundle content and JSON path, when known. */
  readonly line?: number;
  readonly path?: string;
  /** For `content-conflict`: the id already stored with the same content. */
  readonly existingId?: string;
}

export class CollectorError extends Error {
  override readonly name = 'CollectorError';
  readonly isCollectorError = true;
  readonly status: number;

  constructor(
    readonly reason: Reason,
    message: string,
    readonly extra: Omit<ErrorBody, 'reason' | 'message'> = {},
  ) {
    super(message);
    this.status = REASONS[reason];
  }

  body(): ErrorBody {
    return { reason: this.reason, message: this.message, ...this.extra };
  }

  static is(err: unknown): err is CollectorError {
    return typeof err === 'object' && err !== null && (err as Partial<CollectorError>).isCollectorError === true;
  }
}

/** The shared reader's error codes that can reach the collector, mapped to collector reasons. */
export function reasonOfBundleError(code: BundleErrorCode): Reason {
  switch (code) {
    case 'truncated':
    case 'bad-magic':
    case 'unknown-version':
    case 'bad-header':
    case 'too-large':
    case 'corrupt':
    case 'hash-mismatch':
    case 'schema':
    case 'counts':
    case 'no-consent':
      return code;
    default:
      // Build-side codes (bad-input, cancelled, worker…) never come out of a read; treat as schema.
      return 'schema';
  }
}
