/**
 * Scans one segment's bytes into valid records and damaged spans, one item at a time. Shared by
 * recovery (which rewrites damaged segments), the reader and retention. Never throws on any content.
 *
 * Resynchronisation: when a line is invalid, it may be two or more records whose separating LF was
 * damaged. Since JSON never holds a raw TAB, `TAB + 8 hex + TAB` marks a record header; each header
 * inside a bad line is tried as the start of a record running up to the byte before the next header
 * (the damaged LF) or to the end of the line. Only spans whose CRC verifies are accepted, so this
 * recovers intact neighbours of a damaged byte without ever accepting damaged content.
 */
import { asBuffer, decodeFrame, isHex8, LF_BYTE, TAB_BYTE } from './framing';
import type { DamageReason, FrameResult, TimedRecord } from './framing';

export interface ScannedRecord {
  readonly kind: 'record';
  readonly seq: number;
  readonly value: TimedRecord;
  /** Byte offset of the record's first byte in the segment. */
  readonly start: number;
  /** Byte offset just past its JSON (its LF, if intact, is at `end`). */
  readonly end: number;
}

export interface ScannedDamage {
  readonly kind: 'damage';
  readonly offset: number;
  readonly bytes: number;
  readonly reason: DamageReason;
  /** The sequence number the damaged bytes claimed, when one could be read (not verified). */
  readonly seq?: number;
}

export type ScanItem = ScannedRecord | ScannedDamage;

/**
 * Yields the items of a segment in byte order. Records whose seq is not greater than `afterSeq`
 * (or than the previous accepted record's) are rejected as `seq-order`.
 */
export class SegmentScanner {
  /** Seq of the last accepted record (`afterSeq` until one is). */
  lastSeq: number;
  private readonly data: Buffer;
  private pos = 0;
  private pending: ScanItem[] = [];

  constructor(data: Uint8Array, afterSeq = 0) {
    this.data = asBuffer(data);
    this.lastSeq = afterSeq;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  next(): ScanItem | undefined {
    if (this.pending.length > 0) {
      return this.pending.shift();
    }
    const data = this.data;
    const len = data.length;
    while (this.pos < len) {
      const start = this.pos;
      const nl = data.indexOf(LF_BYTE, start);
      if (nl < 0) {
        this.pos = len;
        return damage(start, len - start, 'torn-tail', decodeFrame(data, start, len));
      }
      this.pos = nl + 1;
      const r = decodeFrame(data, start, nl);
      if (r.ok) {
        return this.accept(r.seq, r.value, start, nl, nl + 1);
      }
      this.resync(start, nl, r);
      if (this.pending.length > 0) {
        return this.pending.shift();
      }
    }
    return undefined;
  }

  private accept(seq: number, value: TimedRecord, start: number, end: number, damagedEnd: number): ScanItem {
    if (seq <= this.lastSeq) {
      return { kind: 'damage', offset: start, bytes: damagedEnd - start, reason: 'seq-order', seq };
    }
    this.lastSeq = seq;
    return { kind: 'record', seq, value, start, end };
  }

  /** Handles the invalid line `data[start, end)` (its LF at `end`), queueing items. */
  private resync(start: number, end: number, first: FrameResult): void {
    const data = this.data;
    const headers = findHeaders(data, start, end);
    let covered = start; // bytes before `covered` are accounted for
    let reason: FrameResult = first;
    for (let h = 0; h < headers.length; h++) {
      const tab = headers[h];
      const spanEnd = h + 1 < headers.length ? digitsStart(data, covered, headers[h + 1]) - 1 : end;
      // Try the longest digit run first, then shorter ones (a damaged LF may have become a digit;
      // the record before it then loses its end, but its LF was damaged anyway).
      for (let s = digitsStart(data, covered, tab); s < tab && spanEnd > tab; s++) {
        if (s === start && spanEnd === end) {
          continue; // that is the line as a whole, already tried
        }
        const r = decodeFrame(data, s, spanEnd);
        if (r.ok) {
          if (s > covered) {
            this.pending.push(damage(covered, s - covered, reasonOf(reason), reason));
          }
          this.pending.push(this.accept(r.seq, r.value, s, spanEnd, spanEnd + 1));
          covered = spanEnd + 1;
          reason = { ok: false, reason: 'bad-frame' };
          break;
        }
      }
    }
    if (covered <= end) {
      this.pending.push(damage(covered, end + 1 - covered, reasonOf(reason), reason));
    }
  }
}

export interface SegmentScan {
  readonly records: ScannedRecord[];
  readonly damage: ScannedDamage[];
  /** Seq of the last accepted record, or `afterSeq` if none. */
  readonly lastSeq: number;
}

/** Scans a whole segment at once. */
export function scanSegment(data: Uint8Array, afterSeq = 0): SegmentScan {
  const scanner = new SegmentScanner(data, afterSeq);
  const records: ScannedRecord[] = [];
  const damaged: ScannedDamage[] = [];
  for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
    if (item.kind === 'record') {
      records.push(item);
    } else {
      damaged.push(item);
    }
  }
  return { records, damage: damaged, lastSeq: scanner.lastSeq };
}

/**
 * Lets long scans give the event loop a turn: `due()` is cheap and says when `sliceMs` have passed
 * since the last pause.
 */
export class Slicer {
  private calls = 0;
  private last = performance.now();

  constructor(private readonly sliceMs = 8) {}

  due(): boolean {
    if ((++this.calls & 127) !== 0) {
      return false;
    }
    return performance.now() - this.last >= this.sliceMs;
  }

  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}

/** Offsets of the first TAB of every `TAB hex8 TAB` header in `data[start, end)`. */
function findHeaders(data: Buffer, start: number, end: number): number[] {
  const out: number[] = [];
  let i = data.indexOf(TAB_BYTE, start);
  while (i >= 0 && i + 9 < end) {
    if (data[i + 9] === TAB_BYTE && isHex8(data, i + 1)) {
      out.push(i);
      i = data.indexOf(TAB_BYTE, i + 10);
    } else {
      i = data.indexOf(TAB_BYTE, i + 1);
    }
  }
  return out;
}

/** Start of the run of ASCII digits ending just before `tab`, not going below `floor`. */
function digitsStart(data: Buffer, floor: number, tab: number): number {
  let s = tab;
  while (s > floor && tab - s < 17 && data[s - 1] >= 0x30 && data[s - 1] <= 0x39) {
    s--;
  }
  return s;
}

function reasonOf(r: FrameResult): DamageReason {
  return r.ok ? 'bad-frame' : r.reason;
}

function damage(offset: number, bytes: number, reason: DamageReason, r: FrameResult): ScannedDamage {
  return !r.ok && r.seq !== undefined
    ? { kind: 'damage', offset, bytes, reason, seq: r.seq }
    : { kind: 'damage', offset, bytes, reason };
}
