/**
 * A small, read-only reader of the log's on-disk format, for the CLI until src/store's reader is
 * wired into `storeAdapter.ts`. The format (see src/store/framing.ts):
 *
 *     seg-000001.log, seg-000002.log, …   one record per line: <seq> TAB <crc32 8 hex> TAB <json> LF
 *
 * with the CRC-32 (IEEE) over the UTF-8 bytes of `<seq> TAB <json>`. A line is valid only if it ends
 * with LF, has that exact shape, its CRC matches, its JSON is an object with a numeric `ts`, and its
 * seq is greater than the previous valid record's. Invalid lines are skipped and reported; unlike
 * the store's scanner, this reader does not try to resynchronise inside a damaged line.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import type { CandorEvent, LoggedEvent } from '../model/events';
import type { DamagedRecord, LogCheck, LogSource, LogSummary, SegmentInfo } from './logSource';

const SEGMENT_RE = /^seg-(\d{6,})\.log$/;
const TAB = 0x09;
const LF = 0x0a;
const MAX_SEQ_DIGITS = 16;

/** Segment file names of `dir`, in index order. */
export async function listSegmentNames(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .map((name) => ({ name, m: SEGMENT_RE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
    .map((x) => x.name);
}

type Line =
  | { readonly ok: true; readonly seq: number; readonly event: CandorEvent }
  | { readonly ok: false; readonly reason: string; readonly seq?: number };

interface SegmentScan {
  readonly info: SegmentInfo;
  readonly records: LoggedEvent[];
  readonly damaged: DamagedRecord[];
  readonly lastSeq: number;
}

export class MinimalLogSource implements LogSource {
  async *read(dir: string): AsyncGenerator<LoggedEvent> {
    let lastSeq = 0;
    for (const name of await listSegmentNames(dir)) {
      const scan = await scanSegment(dir, name, lastSeq);
      lastSeq = scan.lastSeq;
      yield* scan.records;
    }
  }

  async verify(dir: string): Promise<LogCheck> {
    const segments: SegmentInfo[] = [];
    const damaged: DamagedRecord[] = [];
    let records = 0;
    let lastSeq = 0;
    for (const name of await listSegmentNames(dir)) {
      const scan = await scanSegment(dir, name, lastSeq);
      lastSeq = scan.lastSeq;
      segments.push(scan.info);
      damaged.push(...scan.damaged);
      records += scan.info.records;
    }
    return { segments, records, damaged };
  }

  async stats(dir: string): Promise<LogSummary> {
    const check = await this.verify(dir);
    return {
      segments: check.segments,
      bytes: check.segments.reduce((sum, s) => sum + s.bytes, 0),
      records: check.records,
      damaged: check.damaged.length,
    };
  }
}

async function scanSegment(dir: string, name: string, afterSeq: number): Promise<SegmentScan> {
  const data = await readFile(join(dir, name));
  const records: LoggedEvent[] = [];
  const damaged: DamagedRecord[] = [];
  let lastSeq = afterSeq;
  let pos = 0;
  while (pos < data.length) {
    const nl = data.indexOf(LF, pos);
    const end = nl < 0 ? data.length : nl;
    const line = decodeLine(data, pos, end);
    const bytes = end - pos + (nl < 0 ? 0 : 1);
    if (nl < 0) {
      // A last line without LF is a write cut short, whatever its content.
      damaged.push(withSeq({ segment: name, offset: pos, bytes, reason: 'torn-tail' }, line.seq));
    } else if (!line.ok) {
      damaged.push(withSeq({ segment: name, offset: pos, bytes, reason: line.reason }, line.seq));
    } else if (line.seq <= lastSeq) {
      damaged.push({ segment: name, offset: pos, bytes, reason: 'seq-order', seq: line.seq });
    } else {
      records.push({ seq: line.seq, event: line.event });
      lastSeq = line.seq;
    }
    pos = end + 1;
  }
  return {
    info: { name, bytes: data.length, records: records.length, damaged: damaged.length },
    records,
    damaged,
    lastSeq,
  };
}

function withSeq(d: DamagedRecord, seq: number | undefined): DamagedRecord {
  return seq === undefined ? d : { ...d, seq };
}

function decodeLine(data: Buffer, start: number, end: number): Line {
  const t1 = data.indexOf(TAB, start);
  if (t1 < 0 || t1 >= end) {
    return { ok: false, reason: 'bad-frame' };
  }
  const seq = parseSeq(data, start, t1);
  if (seq === undefined) {
    return { ok: false, reason: 'bad-seq' };
  }
  const stored = t1 + 9 < end && data[t1 + 9] === TAB ? parseHex8(data, t1 + 1) : undefined;
  if (stored === undefined) {
    return { ok: false, reason: 'bad-frame', seq };
  }
  const crc = crc32(data.subarray(t1 + 10, end), crc32(data.subarray(start, t1 + 1), 0));
  if (crc !== stored) {
    return { ok: false, reason: 'checksum', seq };
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8', t1 + 10, end));
  } catch {
    return { ok: false, reason: 'bad-json', seq };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'bad-json', seq };
  }
  const ts = (value as { ts?: unknown }).ts;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) {
    return { ok: false, reason: 'bad-json', seq };
  }
  // Kinds this version does not know pass through: replay ignores them, stats counts them.
  return { ok: true, seq, event: value as CandorEvent };
}

/** A positive decimal integer without leading zeros, or undefined. */
function parseSeq(data: Buffer, start: number, end: number): number | undefined {
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

/** Exactly 8 lowercase hex digits at `pos`. */
function parseHex8(data: Buffer, pos: number): number | undefined {
  let v = 0;
  for (let i = pos; i < pos + 8; i++) {
    const b = data[i];
    const d = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x61 + 10 : -1;
    if (d < 0) {
      return undefined;
    }
    v = v * 16 + d;
  }
  return v;
}

/** Table for the fallback CRC-32 (IEEE, reflected polynomial 0xEDB88320). */
const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 continuing from `value` (0 to start). zlib.crc32 exists from Node 20.15 / 22.2; the CLI
 * may run under an older Node, hence the table fallback.
 */
export function crc32(data: Uint8Array, value: number): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  return typeof native === 'function' ? native(data, value) : crc32Fallback(data, value);
}

/** The table-driven CRC-32, same contract as zlib.crc32(data, value). */
export function crc32Fallback(data: Uint8Array, value: number): number {
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) {
    c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  }
  return ~c >>> 0;
}
