/**
 * Scans one segment's bytes into valid records and damaged spans, one item at a time. Shared by
 * recovery (which rewrites damaged segments), the reader and retention. Never throws on any content.
 *
 * Resynchronisation: when a line is invalid, it may be two or more records whose separating LF was
 * damaged. Since JSON never holds a raw TAB, `TAB + 8 hex + TAB` marks a record header; each header
 * inside a bad line is tried as the start of a record running up to the byte before the next header
 * (the damaged LF) or to the end of the line. Only spans whose CRC verifies are accepted, so this
 * recovers intact neighbours of a damaged byte without ever accepting damaged content.
 *
 * Linear in the segment's size whatever it holds: every search stays inside its line, and
 * contiguous damage without a claimed seq (a flood of blank lines, binary garbage) comes out as one
 * span, so a reader's memory and output do not grow with the number of such lines.
 */
import { isUtf8 } from 'node:buffer';
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
  /** Why the record check refused a record (`bad-record` only). */
  readonly detail?: string;
}

/**
 * A caller's check of each record that passed the frame checks: undefined to accept it, or why it
 * is refused (the record then counts as damage, `bad-record`).
 */
export type RecordCheck = (seq: number, value: TimedRecord) => string | undefined;

export type ScanItem = ScannedRecord | ScannedDamage;

/**
 * Yields the items of a segment in byte order. Records whose seq is not greater than `afterSeq`
 * (or than the previous accepted record's) are rejected as `seq-order`; records `check` refuses,
 * as `bad-record`.
 */
export class SegmentScanner {
  /** Seq of the last accepted record (`afterSeq` until one is). */
  lastSeq: number;
  private readonly data: Buffer;
  /** Whether the whole segment is valid UTF-8 (checked once, natively, instead of per record). */
  private readonly utf8: boolean;
  private pos = 0;
  /** Items found but not yet returned, from `head` on (an index, not `shift()`, keeps it linear). */
  private pending: ScanItem[] = [];
  private head = 0;
  /** A damage item held back to merge it with the contiguous damage that may follow. */
  private held: ScannedDamage | undefined;

  constructor(
    data: Uint8Array,
    afterSeq = 0,
    private readonly check?: RecordCheck,
  ) {
    this.data = asBuffer(data);
    this.utf8 = isUtf8(this.data);
    this.lastSeq = afterSeq;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  next(): ScanItem | undefined {
    // Merging is bounded per call, so a caller that slices its work between items still gets a
    // turn during a flood; callers merge the (contiguous) spans further with `mergeDamage`.
    for (let merged = 0; ; merged++) {
      if (merged >= MAX_MERGE && this.held !== undefined) {
        const held = this.held;
        this.held = undefined;
        return held;
      }
      const item = this.nextRaw();
      if (item === undefined || item.kind === 'record') {
        const held = this.held;
        if (held === undefined) {
          return item;
        }
        this.held = undefined;
        if (item !== undefined) {
          this.unshift(item);
        }
        return held;
      }
      const held = this.held;
      if (held === undefined) {
        this.held = item;
      } else if (mergeable(held, item)) {
        // A literal, not a spread (a spread per blank line was most of the scan's time).
        this.held = { kind: 'damage', offset: held.offset, bytes: held.bytes + item.bytes, reason: held.reason };
      } else {
        this.held = item;
        return held;
      }
    }
  }

  /** The next item, one per line or per span found in a line. */
  private nextRaw(): ScanItem | undefined {
    if (this.head < this.pending.length) {
      return this.takePending();
    }
    const data = this.data;
    const len = data.length;
    while (this.pos < len) {
      const start = this.pos;
      if (data[start] === LF_BYTE) {
        // A run of blank lines: one span, found without framing each (the common flood).
        let stop = start + 1;
        while (stop < len && data[stop] === LF_BYTE) {
          stop++;
        }
        this.pos = stop;
        return { kind: 'damage', offset: start, bytes: stop - start, reason: 'bad-frame' };
      }
      const nl = data.indexOf(LF_BYTE, start);
      if (nl < 0) {
        this.pos = len;
        return damage(start, len - start, 'torn-tail', decodeFrame(data, start, len, this.utf8));
      }
      this.pos = nl + 1;
      const r = decodeFrame(data, start, nl, this.utf8);
      if (r.ok) {
        return this.accept(r.seq, r.value, start, nl, nl + 1);
      }
      this.resync(start, nl, r);
      if (this.head < this.pending.length) {
        return this.takePending();
      }
    }
    return undefined;
  }

  private takePending(): ScanItem {
    const item = this.pending[this.head++];
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
    return item;
  }

  /** Puts `item` back in front of the pending items. */
  private unshift(item: ScanItem): void {
    if (this.head > 0) {
      this.pending[--this.head] = item;
    } else {
      this.pending.unshift(item); // only when nothing was pending: O(1) in practice
    }
  }

  private accept(seq: number, value: TimedRecord, start: number, end: number, damagedEnd: number): ScanItem {
    if (seq <= this.lastSeq) {
      return { kind: 'damage', offset: start, bytes: damagedEnd - start, reason: 'seq-order', seq };
    }
    const refused = this.check?.(seq, value);
    if (refused !== undefined) {
      return { kind: 'damage', offset: start, bytes: damagedEnd - start, reason: 'bad-record', seq, detail: refused };
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
        const r = decodeFrame(data, s, spanEnd, this.utf8);
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

/** Damage items merged into one span by one `next()` call at most. */
const MAX_MERGE = 4096;

/**
 * Whether `next` continues `held` as one span: contiguous, same reason, and neither claims a seq
 * (each damaged record that claims one stays its own span, to be named) or carries a detail.
 */
export function mergeable(held: Omit<ScannedDamage, 'kind'>, next: Omit<ScannedDamage, 'kind'>): boolean {
  return (
    held.offset + held.bytes === next.offset &&
    held.reason === next.reason &&
    held.seq === undefined &&
    next.seq === undefined &&
    held.detail === undefined &&
    next.detail === undefined
  );
}

export interface SegmentScan {
  readonly records: ScannedRecord[];
  readonly damage: ScannedDamage[];
  /** Seq of the last accepted record, or `afterSeq` if none. */
  readonly lastSeq: number;
}

/** Scans a whole segment at once. */
export function scanSegment(data: Uint8Array, afterSeq = 0, check?: RecordCheck): SegmentScan {
  const scanner = new SegmentScanner(data, afterSeq, check);
  const records: ScannedRecord[] = [];
  const damaged: ScannedDamage[] = [];
  for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
    if (item.kind === 'record') {
      records.push(item);
    } else {
      const last = damaged.length > 0 ? damaged[damaged.length - 1] : undefined;
      if (last !== undefined && mergeable(last, item)) {
        damaged[damaged.length - 1] = { kind: 'damage', offset: last.offset, bytes: last.bytes + item.bytes, reason: last.reason };
      } else {
        damaged.push(item);
      }
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

/**
 * Offsets of the first TAB of every `TAB hex8 TAB` header in `data[start, end)`. Searches only
 * that line: `indexOf` on the whole segment would run on to the next TAB, which after a flood of
 * blank lines is megabytes away, once per line.
 */
function findHeaders(data: Buffer, start: number, end: number): number[] {
  const out: number[] = [];
  if (end - start < 10) {
    return out; // too short to hold a header (a blank line)
  }
  const line = data.subarray(start, end);
  let i = line.indexOf(TAB_BYTE);
  while (i >= 0 && start + i + 9 < end) {
    const at = start + i;
    if (data[at + 9] === TAB_BYTE && isHex8(data, at + 1)) {
      out.push(at);
      i = line.indexOf(TAB_BYTE, i + 10);
    } else {
      i = line.indexOf(TAB_BYTE, i + 1);
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
