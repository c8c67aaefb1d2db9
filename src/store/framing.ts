/**
 * On-disk format of the Candor event log.
 *
 * A log is a directory:
 *
 *     seg-000001.log        segments, numbered from 1 (six digits, more once past 999999)
 *     seg-000002.log
 *     …
 *     recovery.jsonl        what recovery dropped, one JSON object per line (append-only):
 *                           {"time":"<ISO-8601>","segment":"seg-000002.log","offset":<byte>,
 *                            "bytes":<count>,"reason":"checksum"|"torn-tail"|…,"seq":<claimed>?}
 *     candor.lock           present while a writer has the log open ({"pid":…,"host":…,"token":…})
 *
 * Each segment is a sequence of lines, one record per line, in UTF-8:
 *
 *     <seq> TAB <crc> TAB <json> LF
 *
 * - `seq`: the record's sequence number, a positive decimal integer without leading zeros
 *   (at most 2^53 − 1). Sequence numbers increase by exactly 1 from record to record, across
 *   segments; the first record of a log is 1. (A gap can only follow damage that recovery dropped.)
 * - `crc`: CRC-32 (IEEE 802.3, polynomial 0xEDB88320, as zlib's `crc32`) of the UTF-8 bytes of
 *   `<seq> TAB <json>` — the line without its `crc` field, its second TAB and its LF — written as
 *   exactly 8 lowercase hex digits. Covering `seq` means a damaged sequence number is caught too.
 * - `json`: the record, `JSON.stringify`'d on one line. Such JSON never contains a raw TAB or LF
 *   (both are escaped inside strings), so TAB and LF are unambiguous separators. Every record is a
 *   JSON object with a numeric `ts` (milliseconds since the epoch); Candor's records also carry `t`
 *   (their kind; see src/model/events.ts).
 *
 * A line is valid only if it ends with LF, has both fields in that exact shape, its CRC matches,
 * its JSON is exactly what `JSON.stringify` gives for the value it parses to (valid UTF-8, no
 * whitespace or CR, no duplicate key, numbers and escapes in their one canonical spelling, nesting
 * at most 64 deep) and that value is an object whose `ts` is a time `Date` can represent
 * (|ts| ≤ 8.64e15). Only the writer's form is accepted, so no two byte strings carry one record and
 * no other JSON parser can read a different record (say, another duplicate `seq`) out of a line
 * Candor accepted. A reader skips (and reports) every invalid
 * line and keeps every valid one, including valid records after damage (when a damaged LF merged
 * two lines, the intact record is found again by its `TAB crc TAB` header). A last line without LF
 * is a torn write and is dropped. A writer appends whole lines only and starts a new segment before
 * one would exceed its size limit, so each segment begins at a record boundary. A damaged segment
 * is repaired by rewriting it (temp file, fsync, rename) with its intact records only.
 *
 * Example: an edit event, 89 bytes on disk (TAB and LF shown as \t and \n):
 *
 *     1234567\t3bc26bf5\t{"t":"edit","ts":1764470000123,"f":"src/a.ts","v":17,"c":[[120,0,"a"]]}\n
 */
import { parseCanonical } from './canonicalJson';

/** Why a span of bytes was rejected. */
export type DamageReason =
  /** The last line of a segment has no LF: a write cut short. */
  | 'torn-tail'
  /** The line does not have the `seq TAB crc TAB json` shape. */
  | 'bad-frame'
  /** The sequence number is not a positive integer without leading zeros. */
  | 'bad-seq'
  /** The CRC does not match. */
  | 'checksum'
  /**
   * The CRC matches but the JSON does not parse to an object whose `ts` is in the Date range, or
   * is nested deeper than MAX_JSON_DEPTH (canonicalJson.ts).
   */
  | 'bad-json'
  /**
   * The CRC matches but the bytes are not what the writer emits for that value: a CR (CRLF line
   * ends), whitespace, a duplicate key, `1.0` or `1e3`, a needless escape, invalid UTF-8.
   */
  | 'non-canonical'
  /** A valid record whose seq is not greater than the previous record's. */
  | 'seq-order'
  /** A record the reader's own check refused (e.g. not a valid Candor event); see `detail`. */
  | 'bad-record'
  /** The segment is not a regular file (a directory named like one): nothing in it can be read. */
  | 'not-a-file';

/** What every stored record is: a JSON object with a timestamp. */
export interface TimedRecord {
  readonly ts: number;
}

export type FrameResult =
  | { readonly ok: true; readonly seq: number; readonly value: TimedRecord }
  | { readonly ok: false; readonly reason: DamageReason; readonly seq?: number };

const TAB = 0x09;
const LF = 0x0a;
const MAX_SEQ_DIGITS = 16;

/** Largest |ts|: the range of `Date` (ECMA-262 §21.4.1.22), so `toISOString` never throws. */
export const MAX_TIME_MS = 8.64e15;

/** Whether `ts` is a number of milliseconds that `Date` can represent. */
export function isTimeMs(ts: unknown): ts is number {
  return typeof ts === 'number' && ts >= -MAX_TIME_MS && ts <= MAX_TIME_MS;
}

/**
 * CRC-32 lookup tables for "slicing by 4" (4 × 256 entries, 4 KiB): table k maps a byte to its CRC
 * contribution k bytes further on, so four bytes are folded in per step.
 */
const CRC_TABLE: Int32Array = makeCrcTable();

function makeCrcTable(): Int32Array {
  const table = new Int32Array(1024);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n];
    for (let k = 1; k < 4; k++) {
      c = table[c & 0xff] ^ (c >>> 8);
      table[k * 256 + n] = c;
    }
  }
  return table;
}

/** Continues a CRC-32 (pre-inverted state) over `data[start, end)`. */
function crcBytes(state: number, data: Uint8Array, start: number, end: number): number {
  const t = CRC_TABLE;
  let c = state;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < end; i++) {
    c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  }
  return c;
}

/**
 * Continues a CRC-32 over the UTF-8 encoding of `s`, without encoding it: four ASCII characters
 * per step, others encoded on the fly. Lone surrogates count as U+FFFD, as Buffer.from does.
 * Returns the state; the number of UTF-8 bytes beyond one per UTF-16 code unit goes to `extra[0]`.
 */
function crcString(state: number, s: string, extra: Int32Array): number {
  const t = CRC_TABLE;
  let c = state;
  let more = 0;
  const len = s.length;
  let i = 0;
  while (i < len) {
    if (i + 4 <= len) {
      const a = s.charCodeAt(i);
      const b = s.charCodeAt(i + 1);
      const d = s.charCodeAt(i + 2);
      const e = s.charCodeAt(i + 3);
      if ((a | b | d | e) < 0x80) {
        c ^= a | (b << 8) | (d << 16) | (e << 24);
        c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
        i += 4;
        continue;
      }
    }
    let u = s.charCodeAt(i++);
    if (u < 0x80) {
      c = t[(c ^ u) & 0xff] ^ (c >>> 8);
      continue;
    }
    if (u < 0x800) {
      c = t[(c ^ (0xc0 | (u >> 6))) & 0xff] ^ (c >>> 8);
      c = t[(c ^ (0x80 | (u & 0x3f))) & 0xff] ^ (c >>> 8);
      more += 1;
      continue;
    }
    if (u >= 0xd800 && u < 0xe000) {
      const next = i < len ? s.charCodeAt(i) : 0;
      if (u < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        const cp = 0x10000 + ((u - 0xd800) << 10) + (next - 0xdc00);
        c = t[(c ^ (0xf0 | (cp >> 18))) & 0xff] ^ (c >>> 8);
        c = t[(c ^ (0x80 | ((cp >> 12) & 0x3f))) & 0xff] ^ (c >>> 8);
        c = t[(c ^ (0x80 | ((cp >> 6) & 0x3f))) & 0xff] ^ (c >>> 8);
        c = t[(c ^ (0x80 | (cp & 0x3f))) & 0xff] ^ (c >>> 8);
        i++;
        more += 2; // 4 bytes for 2 code units
        continue;
      }
      u = 0xfffd;
    }
    c = t[(c ^ (0xe0 | (u >> 12))) & 0xff] ^ (c >>> 8);
    c = t[(c ^ (0x80 | ((u >> 6) & 0x3f))) & 0xff] ^ (c >>> 8);
    c = t[(c ^ (0x80 | (u & 0x3f))) & 0xff] ^ (c >>> 8);
    more += 2;
  }
  extra[0] = more;
  return c;
}

/** CRC-32 (IEEE) of a byte array, or of a string's UTF-8 encoding. */
export function crc32(data: string | Uint8Array): number {
  const state =
    typeof data === 'string' ? crcString(-1, data, new Int32Array(1)) : crcBytes(-1, data, 0, data.length);
  return ~state >>> 0;
}

/** Two lowercase hex digits per byte value (Number#toString(16) is slow on the hot path). */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8 lowercase hex digits. */
export function hex8(value: number): string {
  const h = HEX_BYTE;
  return h[(value >>> 24) & 0xff] + h[(value >>> 16) & 0xff] + h[(value >>> 8) & 0xff] + h[value & 0xff];
}

/**
 * Frames records into lines. One instance per writer: it keeps the UTF-8 size of the last line in
 * `bytes`, so the hot path computes CRC and size in a single pass without encoding the string.
 */
export class Framer {
  /** UTF-8 byte length of the line last returned by `frame`. */
  bytes = 0;
  private readonly extra = new Int32Array(1);

  /** The full line, LF included, for `json` (a `JSON.stringify` result) at `seq`. */
  frame(seq: number, json: string): string {
    const head = `${seq}\t`;
    let c = crcString(-1, head, this.extra);
    c = crcString(c, json, this.extra);
    // head is ASCII; + crc (8) + TAB + LF
    this.bytes = head.length + json.length + this.extra[0] + 10;
    return `${head}${hex8(~c)}\t${json}\n`;
  }
}

/** One framed line (LF included) for `record` at `seq`. */
export function encodeRecord<R extends TimedRecord>(seq: number, record: R): string {
  return new Framer().frame(seq, JSON.stringify(record));
}

/** Decodes one line (a trailing LF, if any, is ignored). Never throws. */
export function decodeLine(line: string | Uint8Array): FrameResult {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const end = bytes.length > 0 && bytes[bytes.length - 1] === LF ? bytes.length - 1 : bytes.length;
  return decodeFrame(bytes, 0, end);
}

/**
 * Decodes the record in `data[start, end)` (no LF). Never throws: any content gives a result.
 * `utf8` says the caller already knows `bytes` is valid UTF-8 as a whole (a scanner checks a
 * segment once), which saves checking each record.
 */
export function decodeFrame(bytes: Uint8Array, start: number, end: number, utf8 = false): FrameResult {
  const data = asBuffer(bytes);
  let t1 = -1;
  for (let i = start; i < end; i++) {
    if (data[i] === TAB) {
      t1 = i;
      break;
    }
  }
  if (t1 < 0) {
    return { ok: false, reason: 'bad-frame' };
  }
  const seq = parseSeq(data, start, t1);
  if (t1 + 9 >= end || data[t1 + 9] !== TAB) {
    return seq === undefined ? { ok: false, reason: 'bad-frame' } : { ok: false, reason: 'bad-frame', seq };
  }
  const stored = parseHex8(data, t1 + 1);
  if (seq === undefined) {
    return { ok: false, reason: 'bad-seq' };
  }
  if (stored === undefined) {
    return { ok: false, reason: 'bad-frame', seq };
  }
  const state = crcBytes(crcBytes(-1, data, start, t1 + 1), data, t1 + 10, end);
  if (~state >>> 0 !== stored) {
    return { ok: false, reason: 'checksum', seq };
  }
  const value = parseRecordJson(data, t1 + 10, end, utf8);
  if (typeof value === 'string') {
    return { ok: false, reason: value, seq };
  }
  return { ok: true, seq, value };
}

/** Positive decimal integer without leading zeros in `data[start, end)`, or undefined. */
export function parseSeq(data: Uint8Array, start: number, end: number): number | undefined {
  const len = end - start;
  if (len < 1 || len > MAX_SEQ_DIGITS || data[start] === 0x30) {
    return undefined;
  }
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = data[i] - 0x30;
    if (d < 0 || d > 9) {
      return undefined;
    }
    v = v * 10 + d;
  }
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Whether `data[pos, pos + 8)` are 8 lowercase hex digits. */
export function isHex8(data: Uint8Array, pos: number): boolean {
  return parseHex8(data, pos) !== undefined;
}

function parseHex8(data: Uint8Array, pos: number): number | undefined {
  if (pos + 8 > data.length) {
    return undefined;
  }
  let v = 0;
  for (let i = pos; i < pos + 8; i++) {
    const b = data[i];
    let d: number;
    if (b >= 0x30 && b <= 0x39) {
      d = b - 0x30;
    } else if (b >= 0x61 && b <= 0x66) {
      d = b - 0x61 + 10;
    } else {
      return undefined;
    }
    v = v * 16 + d;
  }
  return v;
}

/** `bytes` as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The record in `data[start, end)` if it is in the writer's canonical form, else why not. */
function parseRecordJson(data: Buffer, start: number, end: number, utf8: boolean): TimedRecord | 'bad-json' | 'non-canonical' {
  const r = parseCanonical(data, start, end, utf8);
  if (!r.ok) {
    return r.reason;
  }
  const value = r.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'bad-json';
  }
  return isTimeMs((value as { ts?: unknown }).ts) ? (value as TimedRecord) : 'bad-json';
}

export { TAB as TAB_BYTE, LF as LF_BYTE };
