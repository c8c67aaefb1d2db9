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
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { LoggedEvent } from '../model/events';
import { BundleError } from './errors';
import { canonicalJson, eventLine } from './json';
import type { StreamReadOptions } from './stream';
import { ContentChecker, crc32Update, GZIP_HEADER, limitsOf, streamBundle } from './stream';
import type { BundleLimits, BundleManifest } from './types';
import { BUNDLE_FORMAT_VERSION, DEFAULT_LIMITS } from './types';

export { GZIP_HEADER, readHeader } from './stream';

export const BUNDLE_MAGIC = 'CANDOR-BUNDLE';

/** zlib level 6 (its default): within the build budget, ~15% smaller than level 1 on event JSON. */
export const COMPRESSION_LEVEL = 6;

export interface EncodedBundle {
  /** The file. */
  readonly bytes: Buffer;
  /** SHA-256 (hex) of `bytes`: shown to the developer, sent with the upload. */
  readonly sha256: string;
  /** SHA-256 (hex) of the uncompressed content: the bundle id. */
  readonly id: string;
  readonly contentBytes: number;
}

export type ReadOptions = Omit<StreamReadOptions, 'onEvent'>;

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

/**
 * The uncompressed content: the manifest line, then one line per event. Events must be validated.
 * Throws `BundleError('too-large')` for a line longer than readers accept (`maxLineBytes`): the
 * writer never writes what the reader refuses.
 */
export function serializeContent(manifest: BundleManifest, events: readonly LoggedEvent[], maxLineBytes = DEFAULT_LIMITS.maxLineBytes): Buffer {
  const lines = new Array<string>(events.length + 1);
  lines[0] = canonicalJson(manifest);
  // A line's UTF-8 size is at most 3 bytes per UTF-16 unit: only long lines need counting.
  const tooLong = (line: string): boolean => line.length * 3 > maxLineBytes && Buffer.byteLength(line, 'utf8') > maxLineBytes;
  if (tooLong(lines[0])) {
    throw new BundleError('too-large', `the manifest is longer than ${maxLineBytes} bytes, the longest line readers accept`);
  }
  for (let k = 0; k < events.length; k++) {
    const line = eventLine(events[k]);
    if (tooLong(line)) {
      throw new BundleError('too-large', `seq ${events[k].seq}: the event's line is longer than ${maxLineBytes} bytes, the longest line readers accept`);
    }
    lines[k + 1] = line;
  }
  lines.push('');
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Largest output chunk when deflating. */
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
  trailer.writeUInt32LE(crc32Update(content, 0), 0);
  trailer.writeUInt32LE(content.length % 2 ** 32, 4);
  const bytes = Buffer.concat([header, Buffer.from(GZIP_HEADER), deflated, trailer]);
  return { bytes, sha256: sha256(bytes), id, contentBytes: content.length };
}

export async function encodeBundle(manifest: BundleManifest, events: readonly LoggedEvent[]): Promise<EncodedBundle> {
  return encodeContent(serializeContent(manifest, events));
}

/**
 * Reads and checks a bundle file completely (`streamBundle`: header, size limits, decompression,
 * content hash, the manifest and every event against the schema and the canonical form, and the
 * manifest's figures against the events) and returns its events. Throws `BundleError` with the
 * first problem found; returns nothing partial. Holds every event: for the preview, which shows
 * them all. A reader that only checks (verify, inspect, the collector) streams instead.
 */
export async function readBundle(bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: ReadOptions = {}): Promise<ReadBundle> {
  const events: LoggedEvent[] = [];
  const read = await streamBundle(bytes, { ...options, onEvent: (e) => events.push(e) });
  return { sha256: read.sha256, id: read.id, contentBytes: read.contentBytes, manifest: read.manifest, events };
}

/** Parses and validates the uncompressed content (what `readBundle` does after inflating). */
export function parseContent(content: Uint8Array, limits: Partial<BundleLimits> = DEFAULT_LIMITS): { manifest: BundleManifest; events: LoggedEvent[] } {
  const events: LoggedEvent[] = [];
  const checker = new ContentChecker(limitsOf(limits), (e) => events.push(e));
  checker.push(content);
  return { manifest: checker.end(), events };
}
