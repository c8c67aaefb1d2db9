/**
 * Bundle format v1, the bytes (see docs/bundle-format.md for the reader's version):
 *
 *     CANDOR-BUNDLE 1 <contentBytes> <contentSha256>\n      header line, ASCII
 *     <gzip member>                                         RFC 1952, exactly one, nothing after it
 *
 * The gzip member inflates to the *content*, UTF-8 JSON lines each ending in LF:
 *
 *     <manifest, canonical JSON>\n
 *     <event>\n                                             one per event, in seq order
 *
 * - `contentSha256` (lowercase hex) is the bundle's **id**: SHA-256 of the content bytes. It is
 *   independent of compression, so it names the same data whatever zlib produced the file. It
 *   lives in the header rather than in the manifest because a hash cannot sit inside the bytes it
 *   hashes without a rule for leaving itself out; this way `tail -n +2 f | gunzip | sha256sum`
 *   checks it with stock tools.
 * - SHA-256 of the whole file is what the preview shows and what the upload sends and checks:
 *   the bytes approved are the bytes sent.
 * - `contentBytes` is declared up front so a reader refuses an oversized bundle before inflating
 *   anything, and inflates with that exact cap (a small file cannot inflate into a large one).
 * - The gzip header is fixed (no name, mtime 0, XFL 0, OS 255 "unknown") instead of zlib's, whose
 *   OS byte depends on the platform: the same content then gives the same file on every OS with
 *   the same zlib. Deflate output itself can differ between zlib builds, which is why the id is
 *   the content's hash and why a built file is never recompressed once previewed.
 */
import * as nodeBuffer from 'node:buffer';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { LoggedEvent } from '../model/events';
import { crc32 as crc32Js } from '../store/framing';
import { BundleError } from './errors';
import { canonicalJson, eventLine } from './json';
import { checkFigures } from './manifest';
import type { BundleLimits, BundleManifest } from './types';
import { BUNDLE_FORMAT_VERSION, DEFAULT_LIMITS } from './types';
import { validateManifest, validateEventLine } from './validate';

export const BUNDLE_MAGIC = 'CANDOR-BUNDLE';

/** The gzip member header every v1 bundle carries: ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255. */
export const GZIP_HEADER: readonly number[] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff];

/** zlib level 6 (its default): within the build budget, ~15% smaller than level 1 on event JSON. */
export const COMPRESSION_LEVEL = 6;

/** A header line is ~100 bytes; looking further for its LF only wastes time on a non-bundle. */
const MAX_HEADER_BYTES = 128;

export interface EncodedBundle {
  /** The file. */
  readonly bytes: Buffer;
  /** SHA-256 (hex) of `bytes`: shown to the developer, sent with the upload. */
  readonly sha256: string;
  /** SHA-256 (hex) of the uncompressed content: the bundle id. */
  readonly id: string;
  readonly contentBytes: number;
}

export interface ReadOptions extends Partial<BundleLimits> {
  /** The file SHA-256 the caller expects (e.g. the one the developer approved). */
  readonly expectedSha256?: string;
}

export interface ReadBundle {
  readonly sha256: string;
  readonly id: string;
  readonly contentBytes: number;
  readonly manifest: BundleManifest;
  readonly events: LoggedEvent[];
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The uncompressed content: the manifest line, then one line per event. Events must be validated. */
export function serializeContent(manifest: BundleManifest, events: readonly LoggedEvent[]): Buffer {
  const lines = new Array<string>(events.length + 1);
  lines[0] = canonicalJson(manifest);
  for (let k = 0; k < events.length; k++) {
    lines[k + 1] = eventLine(events[k]);
  }
  lines.push('');
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Largest output chunk when inflating (the declared size is untrusted) and when deflating. */
const MAX_CHUNK = 16 * 1024 * 1024;
const DEFLATE_CHUNK = 4 * 1024 * 1024;

/** Header line + fixed gzip member around `content`. */
export async function encodeContent(content: Buffer): Promise<EncodedBundle> {
  const id = sha256(content);
  // Async: the deflate runs on libuv's pool, not on the calling thread.
  const deflated = await new Promise<Buffer>((resolve, reject) =>
    // chunkSize changes only how the output is handed back (fewer round trips), never the bytes.
    zlib.deflateRaw(
      content,
      {
        level: COMPRESSION_LEVEL,
        memLevel: 8,
        windowBits: 15,
        strategy: zlib.constants.Z_DEFAULT_STRATEGY,
        chunkSize: Math.min(Math.max(content.length >> 2, zlib.constants.Z_MIN_CHUNK), DEFLATE_CHUNK),
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
  const header = Buffer.from(`${BUNDLE_MAGIC} ${BUNDLE_FORMAT_VERSION} ${content.length} ${id}\n`, 'ascii');
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(content), 0);
  trailer.writeUInt32LE(content.length % 2 ** 32, 4);
  const bytes = Buffer.concat([header, Buffer.from(GZIP_HEADER), deflated, trailer]);
  return { bytes, sha256: sha256(bytes), id, contentBytes: content.length };
}

export async function encodeBundle(manifest: BundleManifest, events: readonly LoggedEvent[]): Promise<EncodedBundle> {
  return encodeContent(serializeContent(manifest, events));
}

/** zlib's native CRC-32 where the runtime has it (Node ≥ 20.15), else the store's table-driven one. */
function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  return typeof native === 'function' ? native(data) : crc32Js(data);
}

interface Header {
  readonly length: number;
  readonly contentBytes: number;
  readonly id: string;
}

/** Parses and checks the header line. */
export function readHeader(bytes: Uint8Array, limits: BundleLimits = DEFAULT_LIMITS): Header {
  const magic = `${BUNDLE_MAGIC} `;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEADER_BYTES)).toString('latin1');
  if (!head.startsWith(magic)) {
    if (head.length < magic.length && magic.startsWith(head)) {
      throw new BundleError('truncated', `the file ends inside the bundle header (${bytes.length} bytes)`);
    }
    throw new BundleError('bad-magic', `not a Candor bundle: the file does not start with '${BUNDLE_MAGIC} '`);
  }
  // The version is checked before the rest of the line: a later version may change the rest.
  const version = /^[^ \n]*/.exec(head.slice(magic.length))![0];
  const lf = head.indexOf('\n');
  if (version !== String(BUNDLE_FORMAT_VERSION) && /^[0-9]+$/.test(version)) {
    throw new BundleError(
      'unknown-version',
      `bundle format version ${version} is not supported: this Candor reads version ${BUNDLE_FORMAT_VERSION} (a newer Candor may read it)`,
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

function zlibCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Inflates the gzip member after the header, capped at the declared size, and checks its framing. */
async function inflateMember(body: Uint8Array, declared: number): Promise<Buffer> {
  if (body.length < GZIP_HEADER.length) {
    throw new BundleError('truncated', 'the file ends inside the gzip header');
  }
  for (let k = 0; k < GZIP_HEADER.length; k++) {
    if (body[k] !== GZIP_HEADER[k]) {
      throw new BundleError('corrupt', `unexpected gzip header byte ${k} (0x${body[k].toString(16)}): v1 bundles use a fixed gzip header`);
    }
  }
  const deflated = body.subarray(GZIP_HEADER.length);
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = await new Promise((resolve, reject) =>
      // One output chunk for the declared size (capped: the header is untrusted), instead of
      // zlib's 16 KiB default: a day's 10–30 MB would otherwise take a thread-pool round trip
      // per 16 KiB and a copy to join them.
      zlib.inflateRaw(deflated, { info: true, maxOutputLength: declared, chunkSize: Math.min(Math.max(declared + 1, zlib.constants.Z_MIN_CHUNK), MAX_CHUNK) }, (err, out) =>
        err ? reject(err) : resolve(out as unknown as { buffer: Buffer; engine: { bytesWritten: number } }),
      ),
    );
  } catch (err) {
    const code = zlibCode(err);
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BundleError('too-large', `the content inflates beyond the ${declared} bytes the header declares`, undefined, { cause: err });
    }
    if (code === 'Z_BUF_ERROR') {
      throw new BundleError('truncated', 'the file ends inside the compressed content', undefined, { cause: err });
    }
    throw new BundleError('corrupt', `the compressed content is damaged (${err instanceof Error ? err.message : String(err)})`, undefined, { cause: err });
  }
  const content = result.buffer;
  const rest = deflated.length - result.engine.bytesWritten;
  if (rest < 8) {
    throw new BundleError('truncated', 'the file ends inside the gzip trailer');
  }
  if (rest > 8) {
    throw new BundleError('corrupt', `${rest - 8} unexpected bytes after the end of the gzip member`);
  }
  const trailer = Buffer.from(deflated.buffer, deflated.byteOffset + result.engine.bytesWritten, 8);
  if (trailer.readUInt32LE(0) !== crc32(content)) {
    throw new BundleError('corrupt', 'the gzip CRC-32 does not match the content');
  }
  if (trailer.readUInt32LE(4) !== content.length % 2 ** 32) {
    throw new BundleError('corrupt', 'the gzip size field does not match the content');
  }
  if (content.length !== declared) {
    throw new BundleError('corrupt', `the content is ${content.length} bytes; the header declares ${declared}`);
  }
  return content;
}

/**
 * Strict UTF-8 check: `buffer.isUtf8` (native, Node ≥ 18.14) where present — several times faster
 * than a fatal TextDecoder on a day's content — else the decoder.
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

/**
 * Reads and checks a bundle file completely: header, size limits, decompression, content hash,
 * the manifest and every event against the schema, and the manifest's figures against the events.
 * Throws `BundleError` with the first problem found; returns nothing partial.
 */
export async function readBundle(bytes: Uint8Array, options: ReadOptions = {}): Promise<ReadBundle> {
  const limits: BundleLimits = {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxContentBytes: options.maxContentBytes ?? DEFAULT_LIMITS.maxContentBytes,
    maxEvents: options.maxEvents ?? DEFAULT_LIMITS.maxEvents,
  };
  if (bytes.length > limits.maxFileBytes) {
    throw new BundleError('too-large', `the bundle file is ${bytes.length} bytes; the limit is ${limits.maxFileBytes}`);
  }
  const fileSha = sha256(bytes);
  if (options.expectedSha256 !== undefined && fileSha !== options.expectedSha256.toLowerCase()) {
    throw new BundleError('hash-mismatch', `the file's SHA-256 is ${fileSha}, not the expected ${options.expectedSha256}`);
  }
  const header = readHeader(bytes, limits);
  const content = await inflateMember(bytes.subarray(header.length), header.contentBytes);
  const id = sha256(content);
  if (id !== header.id) {
    throw new BundleError('hash-mismatch', `the content's SHA-256 is ${id}, but the header says ${header.id}`);
  }
  const { manifest, events } = parseContent(content, limits);
  return { sha256: fileSha, id, contentBytes: content.length, manifest, events };
}

/** Parses and validates the uncompressed content. */
export function parseContent(content: Uint8Array, limits: Pick<BundleLimits, 'maxEvents'> = DEFAULT_LIMITS): { manifest: BundleManifest; events: LoggedEvent[] } {
  if (!isUtf8(content)) {
    throw new BundleError('schema', 'the content is not valid UTF-8');
  }
  const text = Buffer.from(content.buffer, content.byteOffset, content.length).toString('utf8');
  if (!text.endsWith('\n')) {
    throw new BundleError('schema', 'the content must end with a line feed');
  }
  const firstLf = text.indexOf('\n');
  const manifest = validateManifest(parseLine(text.slice(0, firstLf), 1));
  const declared = manifest.counts.events;
  if (declared > limits.maxEvents) {
    throw new BundleError('too-large', `the bundle declares ${declared} events; the limit is ${limits.maxEvents}`);
  }
  const lines = text.slice(firstLf + 1, -1);
  const rows = lines.length === 0 ? [] : lines.split('\n');
  if (rows.length !== declared) {
    throw new BundleError('counts', `the manifest declares ${declared} events, the bundle holds ${rows.length} event lines`, { line: 1, path: '$.counts.events' });
  }
  const events = new Array<LoggedEvent>(rows.length);
  let lastSeq = 0;
  for (let k = 0; k < rows.length; k++) {
    const e = validateEventLine(parseLine(rows[k], k + 2), k + 2);
    if (e.seq <= lastSeq) {
      throw new BundleError('schema', `line ${k + 2}: seq ${e.seq} does not follow ${lastSeq} (seqs must increase)`, { line: k + 2, path: '$.seq' });
    }
    lastSeq = e.seq;
    events[k] = e;
  }
  checkFigures(manifest, events);
  return { manifest, events };
}

function parseLine(line: string, n: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (err) {
    throw new BundleError('schema', `line ${n} is not valid JSON${n === 1 ? ' (the manifest)' : ''}`, { line: n }, { cause: err });
  }
}
