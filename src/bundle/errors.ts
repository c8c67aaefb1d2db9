/**
 * The one error type of the bundle format. Readers (the preview, the CLI, the collector) branch
 * on `code`, never on the message: messages are for people and may change.
 */

export type BundleErrorCode =
  /** The file ends before the header, the compressed body or its trailer is complete. */
  | 'truncated'
  /** The file does not start with `CANDOR-BUNDLE `: not a bundle at all. */
  | 'bad-magic'
  /** A bundle of a format version this reader does not know. */
  | 'unknown-version'
  /** The header line is malformed (fields, digits, hex). */
  | 'bad-header'
  /** The file, the declared content size, or the inflated content exceeds a limit or its declaration. */
  | 'too-large'
  /** The compressed body does not inflate (damaged deflate data, gzip CRC or size mismatch). */
  | 'corrupt'
  /** The content's SHA-256 differs from the header's, or the file's from the one expected. */
  | 'hash-mismatch'
  /** The manifest or an event line is not exactly what the schema allows. */
  | 'schema'
  /** The manifest's counts, files, ranges or seqs do not match the events. */
  | 'counts'
  /** No consent receipt, or a receipt that does not cover an event's category. */
  | 'no-consent'
  /** A build or edit was given inputs it cannot use (bad options, unknown seq…). */
  | 'bad-input'
  /** No redaction engine is available in this build (a bundle is never built unredacted). */
  | 'no-redactor'
  /** The build was cancelled. */
  | 'cancelled'
  /** The build worker failed or exited without a result. */
  | 'worker';

/** Where in the bundle a schema or counts error was found, when it concerns one line. */
export interface BundleErrorLocation {
  /** 1-based line of the uncompressed content (1 is the manifest). */
  readonly line?: number;
  /** JSON path inside that line, e.g. `$.c[2][0]`. */
  readonly path?: string;
}

export class BundleError extends Error {
  override readonly name = 'BundleError';
  /** Brand read by `is()`: the extension and the CLI bundle each embed their own copy of this class. */
  readonly isBundleError = true;
  readonly code: BundleErrorCode;
  readonly line: number | undefined;
  readonly path: string | undefined;
  /**
   * SHA-256 of the whole file, when a streaming reader failed but could still hash the file to its
   * end (a report names the file it refused). Absent when the file was too large to read.
   */
  fileSha256: string | undefined;

  constructor(code: BundleErrorCode, message: string, where?: BundleErrorLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.line = where?.line;
    this.path = where?.path;
  }

  static is(err: unknown, code?: BundleErrorCode): err is BundleError {
    if (typeof err !== 'object' || err === null || (err as Partial<BundleError>).isBundleError !== true) {
      return false;
    }
    return code === undefined || (err as BundleError).code === code;
  }
}
