/**
 * The streaming bundle reader: the one place where a bundle's bytes are checked. The file is hashed
 * and inflated chunk by chunk, the content is cut into lines as it inflates, and each line is
 * parsed, checked against the schema and against the writer's canonical bytes, and handed on
 * before the next one is read. Nothing here holds more than one line, the manifest and the running
 * figures (whose size the manifest bounds), so reading costs the same memory for a bundle of ten
 * events as for two million: see "Reading with bounded memory" in docs/bundle-format.md.
 *
 * Order of errors, as a reader without streaming would report them: the file's size and expected
 * SHA-256, then the header, the gzip framing and the content hash, then the content. A content
 * error found while streaming is therefore held until the whole member has been inflated and
 * hashed (without parsing any further), so a forged or damaged file is reported as such.
 *
 * One file though over 450 lines: the header, gzip framing, content hash and line checks are one
 * pass over the bytes, and the order of errors above is only visible when they are read together.
 */
import * as nodeBuffer from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { LoggedEvent } from '../model/events';
import { BundleError } from './errors';
import { canonicalJson, eventLine } from './json';
import { FigureChecker } from './manifest';
import type { BundleLimits, BundleManifest } from './types';
import { DEFAULT_LIMITS } from './types';
import { validateEventLine, validateManifest } from './validate';

/** The first bytes of every v1 gzip member: ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255. */
export const GZIP_HEADER: readonly number[] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff];

/** A header line is ~100 bytes; looking further for its LF only wastes time on a non-bundle. */
export const MAX_HEADER_BYTES = 128;

/** Inflated output is handed over in pieces of this size: the reader's working set, not the content's. */
const INFLATE_CHUNK = 64 * 1024;

/** An in-memory file is fed to the inflater in slices of this size (no copy). */
const FEED_CHUNK = 1024 * 1024;

export interface StreamReadOptions extends Partial<BundleLimits> {
  /** The file SHA-256 the caller expects (e.g. the one the developer approved). */
  readonly expectedSha256?: string;
  /**
   * Called with every event, in seq order, as soon as its line has been checked. The bundle may
   * still turn out invalid later: a caller acts on events only once the read has succeeded.
   */
  readonly onEvent?: (e: LoggedEvent, line: number) => void;
}

export interface StreamedBundle {
  /** SHA-256 (hex) of the file. */
  readonly sha256: string;
  /** SHA-256 (hex) of the content: the bundle id. */
  readonly id: string;
  readonly fileBytes: number;
  readonly contentBytes: number;
  readonly manifest: BundleManifest;
}

export function limitsOf(options: Partial<BundleLimits>): BundleLimits {
  return {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxContentBytes: options.maxContentBytes ?? DEFAULT_LIMITS.maxContentBytes,
    maxEvents: options.maxEvents ?? DEFAULT_LIMITS.maxEvents,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes,
    maxFiles: options.maxFiles ?? DEFAULT_LIMITS.maxFiles,
    maxDocumentChars: options.maxDocumentChars ?? DEFAULT_LIMITS.maxDocumentChars,
    maxLiveChars: options.maxLiveChars ?? DEFAULT_LIMITS.maxLiveChars,
  };
}

// ── CRC-32, incremental ─────────────────────────────────────────────────────────────────────

const CRC_TABLE: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of `data` continuing from `crc` (0 to start): zlib's native one where the runtime has it. */
export function crc32Update(data: Uint8Array, crc: number): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (typeof native === 'function') {
    return native(data, crc);
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) {
    c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/**
 * Strict UTF-8 check: `buffer.isUtf8` (native, Node ≥ 18.14) where present, else a fatal decoder.
 */
function isUtf8(data: Uint8Array): boolean {
  const native = (nodeBuffer as { isUtf8?: (input: Uint8Array) => boolean }).isUtf8;
  if (typeof native === 'function') {
    return native(data);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

// ── the header line ─────────────────────────────────────────────────────────────────────────

export interface Header {
  readonly length: number;
  readonly contentBytes: number;
  readonly id: string;
}

/** Parses and checks the header line at the start of `bytes` (the file, or at least its first 128 bytes). */
export function readHeader(bytes: Uint8Array, limits: Pick<BundleLimits, 'maxContentBytes'> = DEFAULT_LIMITS): Header {
  const magic = 'CANDOR-BUNDLE ';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEADER_BYTES)).toString('latin1');
  if (!head.startsWith(magic)) {
    if (head.length < magic.length && magic.startsWith(head)) {
      throw new BundleError('truncated', `the file ends inside the bundle header (${bytes.length} bytes)`);
    }
    throw new BundleError('bad-magic', "not a Candor bundle: the file does not start with 'CANDOR-BUNDLE '");
  }
  // The version is checked before the rest of the line: a later version may change the rest.
  const version = /^[^ \n]*/.exec(head.slice(magic.length))![0];
  const lf = head.indexOf('\n');
  if (version !== '1' && /^[0-9]+$/.test(version)) {
    throw new BundleError(
      'unknown-version',
      `bundle format version ${version.length > 20 ? `${version.slice(0, 20)}…` : version} is not supported: this Candor reads version 1 (a newer Candor may read it)`,
    );
  }
  if (lf < 0) {
    if (bytes.length < MAX_HEADER_BYTES) {
      throw new BundleError('truncated', `the file ends inside the bundle header (${bytes.length} bytes)`);
    }
    throw new BundleError('bad-header', `the bundle header line has no end within ${MAX_HEADER_BYTES} bytes`);
  }
  const m = /^CANDOR-BUNDLE 1 (0|[1-9][0-9]{0,15}) ([0-9a-f]{64})$/.exec(head.slice(0, lf));
  if (m === null) {
    throw new BundleError('bad-header', `malformed bundle header line: ${JSON.stringify(head.slice(0, lf))}`);
  }
  const contentBytes = Number(m[1]);
  if (contentBytes > limits.maxContentBytes) {
    throw new BundleError('too-large', `the bundle declares ${contentBytes} bytes of content; the limit is ${limits.maxContentBytes}`);
  }
  if (contentBytes === 0) {
    throw new BundleError('bad-header', 'the bundle declares empty content (it must hold at least the manifest)');
  }
  return { length: lf + 1, contentBytes, id: m[2] };
}

// ── the content, line by line ───────────────────────────────────────────────────────────────

/**
 * Checks the uncompressed content as it arrives: `push` any slices, then `end`. Each line must be
 * valid UTF-8, parse as JSON, pass the validators, and be byte for byte what the writer emits for
 * the value it parsed to (canonical JSON for the manifest, `eventLine` for events): so CRLF line
 * ends, spaces, escapes written another way, numbers written another way, keys in another order
 * and duplicate keys (whose value `JSON.parse` silently takes from the last) are all refused, and
 * one content has exactly one id. Throws `BundleError` at the first problem.
 */
export class ContentChecker {
  private readonly limits: BundleLimits;
  private readonly onEvent: ((e: LoggedEvent, line: number) => void) | undefined;
  private readonly pieces: Buffer[] = [];
  private pieceBytes = 0;
  private line = 0;
  private manifestValue: BundleManifest | undefined;
  private figures: FigureChecker | undefined;
  private declared = 0;
  private events = 0;
  private lastSeq = 0;

  constructor(limits: BundleLimits, onEvent?: (e: LoggedEvent, line: number) => void) {
    this.limits = limits;
    this.onEvent = onEvent;
  }

  get manifest(): BundleManifest | undefined {
    return this.manifestValue;
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    for (;;) {
      const lf = buf.indexOf(0x0a, start);
      const end = lf < 0 ? buf.length : lf;
      if (this.pieceBytes + end - start > this.limits.maxLineBytes) {
        throw new BundleError('too-large', `line ${this.line + 1} is longer than ${this.limits.maxLineBytes} bytes (the limit for one line)`, { line: this.line + 1 });
      }
      if (lf < 0) {
        if (end > start) {
          // A copy: the inflater may reuse its output buffer.
          this.pieces.push(Buffer.from(buf.subarray(start, end)));
          this.pieceBytes += end - start;
        }
        return;
      }
      let bytes: Buffer;
      if (this.pieces.length === 0) {
        bytes = buf.subarray(start, end);
      } else {
        this.pieces.push(buf.subarray(start, end));
        bytes = Buffer.concat(this.pieces, this.pieceBytes + end - start);
        this.pieces.length = 0;
        this.pieceBytes = 0;
      }
      this.lineDone(bytes);
      start = lf + 1;
    }
  }

  /** The content ended: checks what only the whole can tell. Returns the manifest. */
  end(): BundleManifest {
    if (this.pieceBytes > 0) {
      throw new BundleError('schema', 'the content must end with a line feed');
    }
    const manifest = this.manifestValue;
    if (manifest === undefined) {
      throw new BundleError('schema', 'the content has no manifest line');
    }
    if (this.events !== this.declared) {
      throw new BundleError('counts', `the manifest declares ${this.declared} events, the bundle holds ${this.events} event lines`, { line: 1, path: '$.counts.events' });
    }
    this.figures!.finish();
    return manifest;
  }

  private lineDone(bytes: Buffer): void {
    const n = ++this.line;
    if (!isUtf8(bytes)) {
      throw new BundleError('schema', `line ${n} is not valid UTF-8`, { line: n });
    }
    if (n > 1 && this.events >= this.declared) {
      throw new BundleError('counts', `the manifest declares ${this.declared} events, the bundle holds more event lines`, { line: 1, path: '$.counts.events' });
    }
    const text = bytes.toString('utf8');
    const raw = parseLine(text, n);
    if (n === 1) {
      const manifest = validateManifest(raw);
      if (canonicalJson(manifest) !== text) {
        throw notCanonical(n);
      }
      this.declared = manifest.counts.events;
      if (this.declared > this.limits.maxEvents) {
        throw new BundleError('too-large', `the bundle declares ${this.declared} events; the limit is ${this.limits.maxEvents}`);
      }
      if (manifest.files.length > this.limits.maxFiles) {
        throw new BundleError('too-large', `the manifest lists ${manifest.files.length} files; the limit is ${this.limits.maxFiles}`, { line: 1, path: '$.files' });
      }
      this.manifestValue = manifest;
      this.figures = new FigureChecker(manifest);
      return;
    }
    const e = validateEventLine(raw, n);
    if (eventLine(e) !== text) {
      throw notCanonical(n);
    }
    if (e.seq <= this.lastSeq) {
      throw new BundleError('schema', `line ${n}: seq ${e.seq} does not follow ${this.lastSeq} (seqs must increase)`, { line: n, path: '$.seq' });
    }
    this.lastSeq = e.seq;
    this.events++;
    this.figures!.add(e, n);
    this.onEvent?.(e, n);
  }
}

function notCanonical(n: number): BundleError {
  return new BundleError(
    'schema',
    `line ${n} is not in canonical form (the exact bytes the writer emits: key order, no spaces or CR, one key once, numbers and escapes as JSON.stringify writes them)`,
    { line: n },
  );
}

function parseLine(line: string, n: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (err) {
    throw new BundleError('schema', `line ${n} is not valid JSON${n === 1 ? ' (the manifest)' : ''}`, { line: n }, { cause: err });
  }
}

// ── the file ────────────────────────────────────────────────────────────────────────────────

function zlibCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let k = 0; k < bytes.length; k += FEED_CHUNK) {
    yield bytes.subarray(k, Math.min(bytes.length, k + FEED_CHUNK));
  }
  if (bytes.length === 0) {
    yield bytes;
  }
}

/** Inflates the deflate data it is fed, capped at `declared` output bytes, handing output to `sink`. */
class Inflater {
  private readonly zs: zlib.InflateRaw;
  private readonly done: Promise<void>;
  private outBytes = 0;
  private ended = false;
  /** The first error: a framing error from zlib or the cap, or a content error from the sink. */
  failure: unknown;
  /** A framing error (it ends the read at once; a content error lets the member be hashed to its end). */
  fatal = false;

  constructor(
    private readonly declared: number,
    private readonly sink: (chunk: Buffer) => void,
  ) {
    this.zs = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
    this.zs.on('data', (chunk: Buffer) => this.onData(chunk));
    this.done = new Promise<void>((resolve) => {
      this.zs.once('end', () => {
        this.ended = true;
        resolve();
      });
      this.zs.on('error', (err) => {
        this.fail(zlibError(err), true);
        resolve();
      });
      this.zs.once('close', () => resolve());
    });
  }

  get outputBytes(): number {
    return this.outBytes;
  }

  /** Input bytes the inflater consumed (after `finish`: where the deflate stream ended). */
  get consumed(): number {
    return this.zs.bytesWritten;
  }

  /** True once the deflate stream reached its end marker. */
  get streamEnded(): boolean {
    return this.ended;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.fatal || this.ended || chunk.length === 0) {
      return;
    }
    if (!this.zs.write(chunk)) {
      await new Promise<void>((resolve) => {
        const go = (): void => {
          this.zs.off('drain', go);
          this.zs.off('close', go);
          resolve();
        };
        this.zs.on('drain', go);
        this.zs.on('close', go);
      });
    }
  }

  async finish(): Promise<void> {
    if (!this.fatal && !this.ended) {
      this.zs.end();
    }
    await this.done;
  }

  private onData(chunk: Buffer): void {
    this.outBytes += chunk.length;
    if (this.outBytes > this.declared) {
      this.fail(new BundleError('too-large', `the content inflates beyond the ${this.declared} bytes the header declares`), true);
      return;
    }
    try {
      this.sink(chunk);
    } catch (err) {
      this.fail(err, !BundleError.is(err));
    }
  }

  private fail(err: unknown, fatal: boolean): void {
    if (this.failure === undefined || (fatal && !this.fatal)) {
      this.failure = err;
    }
    if (fatal) {
      this.fatal = true;
      this.zs.destroy();
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function zlibError(err: unknown): BundleError {
  if (zlibCode(err) === 'Z_BUF_ERROR') {
    return new BundleError('truncated', 'the file ends inside the compressed content', undefined, { cause: err });
  }
  return new BundleError('corrupt', `the compressed content is damaged (${err instanceof Error ? err.message : String(err)})`, undefined, { cause: err });
}

/**
 * Reads and checks a bundle completely, from its bytes or from a stream of them (e.g. a file read
 * stream): header, size limits, decompression with a hard cap, the content hash, the manifest and
 * every event line against the schema and the canonical form, the consent receipt against every
 * event, and the manifest's figures against the events. Throws `BundleError` with the first
 * problem found (in the order the file comment above gives).
 */
export async function streamBundle(source: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: StreamReadOptions = {}): Promise<StreamedBundle> {
  const limits = limitsOf(options);
  if (source instanceof Uint8Array && source.length > limits.maxFileBytes) {
    throw new BundleError('too-large', `the bundle file is ${source.length} bytes; the limit is ${limits.maxFileBytes}`);
  }
  const input = source instanceof Uint8Array ? slices(source) : source;
  const iterator: Iterator<Uint8Array> | AsyncIterator<Uint8Array> = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
  const fileHash = createHash('sha256');
  let fileBytes = 0;
  const next = async (): Promise<Uint8Array | undefined> => {
    const r = await iterator.next();
    if (r.done === true) {
      return undefined;
    }
    const chunk = r.value;
    fileBytes += chunk.length;
    if (fileBytes > limits.maxFileBytes) {
      throw new BundleError('too-large', `the bundle file is over ${limits.maxFileBytes} bytes, the limit`);
    }
    fileHash.update(chunk);
    return chunk;
  };
  const expected = options.expectedSha256?.toLowerCase();
  let result: StreamedBundle;
  try {
    result = await readAll(next, limits, options.onEvent, fileHash, () => fileBytes);
  } catch (err) {
    if (BundleError.is(err) && !(err.code === 'too-large' && fileBytes > limits.maxFileBytes)) {
      // Hash the rest of the file: a report names the file it refused, and the expected hash
      // comes first, as for a reader that hashes the whole file before reading it.
      const sha = await drainHash(next, fileHash);
      await iterator.return?.();
      if (sha !== undefined) {
        if (expected !== undefined && sha !== expected) {
          const mismatch = new BundleError('hash-mismatch', `the file's SHA-256 is ${sha}, not the expected ${options.expectedSha256}`);
          mismatch.fileSha256 = sha;
          throw mismatch;
        }
        err.fileSha256 = sha;
      }
    } else {
      await iterator.return?.();
    }
    throw err;
  }
  await iterator.return?.();
  if (expected !== undefined && result.sha256 !== expected) {
    const mismatch = new BundleError('hash-mismatch', `the file's SHA-256 is ${result.sha256}, not the expected ${options.expectedSha256}`);
    mismatch.fileSha256 = result.sha256;
    throw mismatch;
  }
  return result;
}

/** Hashes the rest of the file; undefined when it cannot (a read error or the size limit). */
async function drainHash(next: () => Promise<Uint8Array | undefined>, hash: Hash): Promise<string | undefined> {
  try {
    while ((await next()) !== undefined) {
      // hashed by next()
    }
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

async function readAll(
  next: () => Promise<Uint8Array | undefined>,
  limits: BundleLimits,
  onEvent: ((e: LoggedEvent, line: number) => void) | undefined,
  fileHash: Hash,
  fileBytes: () => number,
): Promise<StreamedBundle> {
  // The header line and the gzip header: the first bytes, gathered from however many chunks.
  let head = Buffer.alloc(0);
  let chunk: Uint8Array | undefined;
  while (head.length < MAX_HEADER_BYTES + GZIP_HEADER.length && (chunk = await next()) !== undefined) {
    head = Buffer.concat([head, chunk]);
  }
  const header = readHeader(head, limits);
  let body = head.subarray(header.length);
  if (body.length < GZIP_HEADER.length) {
    throw new BundleError('truncated', 'the file ends inside the gzip header');
  }
  for (let k = 0; k < GZIP_HEADER.length; k++) {
    if (body[k] !== GZIP_HEADER[k]) {
      throw new BundleError('corrupt', `unexpected gzip header byte ${k} (0x${body[k].toString(16)}): v1 bundles use a fixed gzip header`);
    }
  }
  body = body.subarray(GZIP_HEADER.length);

  const contentHash = createHash('sha256');
  let crc = 0;
  const checker = new ContentChecker(limits, onEvent);
  let contentFailed = false;
  const inflater = new Inflater(header.contentBytes, (out) => {
    contentHash.update(out);
    crc = crc32Update(out, crc);
    if (!contentFailed) {
      try {
        checker.push(out);
      } catch (err) {
        // Keep inflating and hashing: a framing or hash error, found later, is the one to report.
        contentFailed = true;
        throw err;
      }
    }
  });

  // The last 8 bytes of the file are the gzip trailer: always hold back 8 bytes.
  let held: Buffer = Buffer.from(body);
  let deflateBytes = 0;
  for (;;) {
    if (held.length > 8) {
      const feed = held.subarray(0, held.length - 8);
      deflateBytes += feed.length;
      await inflater.write(feed);
      held = Buffer.from(held.subarray(held.length - 8));
    }
    if (inflater.fatal) {
      break;
    }
    chunk = await next();
    if (chunk === undefined) {
      break;
    }
    held = held.length === 0 ? Buffer.from(chunk) : Buffer.concat([held, chunk]);
  }
  await inflater.finish();
  if (inflater.fatal) {
    throw asError(inflater.failure);
  }
  if (!inflater.streamEnded) {
    throw new BundleError('truncated', 'the file ends inside the compressed content');
  }
  if (held.length < 8) {
    throw new BundleError('truncated', 'the file ends inside the gzip trailer');
  }
  const extra = deflateBytes - inflater.consumed;
  if (extra > 0) {
    throw new BundleError('corrupt', `${extra} unexpected bytes after the end of the gzip member`);
  }
  if (held.readUInt32LE(0) !== crc) {
    throw new BundleError('corrupt', 'the gzip CRC-32 does not match the content');
  }
  const contentBytes = inflater.outputBytes;
  if (held.readUInt32LE(4) !== contentBytes % 2 ** 32) {
    throw new BundleError('corrupt', 'the gzip size field does not match the content');
  }
  if (contentBytes !== header.contentBytes) {
    throw new BundleError('corrupt', `the content is ${contentBytes} bytes; the header declares ${header.contentBytes}`);
  }
  const id = contentHash.digest('hex');
  if (id !== header.id) {
    throw new BundleError('hash-mismatch', `the content's SHA-256 is ${id}, but the header says ${header.id}`);
  }
  if (inflater.failure !== undefined) {
    throw asError(inflater.failure);
  }
  const manifest = checker.end();
  return { sha256: fileHash.digest('hex'), id, fileBytes: fileBytes(), contentBytes, manifest };
}
