/**
 * Scans one segment's bytes into valid records and damaged spans. Shared by recovery (which
 * rewrites damaged segments) and the reader (which only reports). Never throws on any content.
 *
 * Resynchronisation: when a line is invalid, it may be two or more records whose separating LF was
 * damaged. Since JSON never holds a raw TAB, `TAB + 8 hex + TAB` marks a record header; each header
 * inside a bad line is tried as the start of a record running up to the byte before the next header
 * (the damaged LF) or to the end of the line. Only spans whose CRC verifies are accepted, so this
 * recovers intact neighbours of a damaged byte without ever accepting damaged content.
 */
import { decodeFrame, isHex8, LF_BYTE, TAB_BYTE } from './framing';
import type { DamageReason, FrameResult, TimedRecord } from './framing';

export interface ScannedRecord {
  readonly seq: number;
  readonly value: TimedRecord;
  /** Byte offset of the record's first byte in the segment. */
  readonly start: number;
  /** Byte offset just past its JSON (its LF, if intact, is at `end`). */
  readonly end: number;
}

export interface ScannedDamage {
  readonly offset: number;
  readonly bytes: number;
  readonly reason: DamageReason;
  /** The sequence number the damaged bytes claimed, when one could be read (not verified). */
  readonly seq?: number;
}

export interface SegmentScan {
  readonly records: ScannedRecord[];
  readonly damage: ScannedDamage[];
  /** Seq of the last accepted record, or `afterSeq` if none. */
  readonly lastSeq: number;
}

/**
 * Scans `data`. Records whose seq is not greater than `afterSeq` (or than the previous accepted
 * record's) are rejected as `seq-order`.
 */
export function scanSegment(data: Uint8Array, afterSeq = 0): SegmentScan {
  const records: ScannedRecord[] = [];
  const damage: ScannedDamage[] = [];
  let lastSeq = afterSeq;

  const accept = (seq: number, value: TimedRecord, start: number, end: number, damagedEnd: number): boolean => {
    if (seq <= lastSeq) {
      damage.push({ offset: start, bytes: damagedEnd - start, reason: 'seq-order', seq });
      return false;
    }
    records.push({ seq, value, start, end });
    lastSeq = seq;
    return true;
  };

  const len = data.length;
  let pos = 0;
  while (pos < len) {
    const nl = data.indexOf(LF_BYTE, pos);
    if (nl < 0) {
      const r = decodeFrame(data, pos, len);
      damage.push(withSeq({ offset: pos, bytes: len - pos, reason: 'torn-tail' }, r));
      break;
    }
    const r = decodeFrame(data, pos, nl);
    if (r.ok) {
      accept(r.seq, r.value, pos, nl, nl + 1);
    } else {
      resync(data, pos, nl, r, accept, damage);
    }
    pos = nl + 1;
  }
  return { records, damage, lastSeq };
}

type Accept = (seq: number, value: TimedRecord, start: number, end: number, damagedEnd: number) => boolean;

/** Handles the invalid line `data[start, end)` (its LF at `end`). */
function resync(
  data: Uint8Array,
  start: number,
  end: number,
  first: FrameResult,
  accept: Accept,
  damage: ScannedDamage[],
): void {
  // Candidate record starts: the first digit of the seq before each header after the line's own.
  const headers = findHeaders(data, start, end);
  let covered = start; // bytes before `covered` are accounted for
  let firstReason: FrameResult = first;
  for (let h = 0; h < headers.length; h++) {
    const tab = headers[h];
    const spanEnd = h + 1 < headers.length ? digitsStart(data, covered, headers[h + 1]) - 1 : end;
    // Try the longest digit run first, then shorter ones (a damaged LF may have become a digit;
    // the record before it then loses its end, but its LF was damaged anyway).
    const runStart = digitsStart(data, covered, tab);
    for (let s = runStart; s < tab; s++) {
      if (spanEnd <= tab) {
        break;
      }
      if (s === start && spanEnd === end) {
        continue; // that is the line as a whole, already tried
      }
      const r = decodeFrame(data, s, spanEnd);
      if (r.ok) {
        if (s > covered) {
          damage.push(withSeq({ offset: covered, bytes: s - covered, reason: reasonOf(firstReason) }, firstReason));
        }
        accept(r.seq, r.value, s, spanEnd, spanEnd + 1);
        covered = spanEnd + 1;
        firstReason = { ok: false, reason: 'bad-frame' };
        break;
      }
    }
  }
  if (covered <= end) {
    damage.push(withSeq({ offset: covered, bytes: end + 1 - covered, reason: reasonOf(firstReason) }, firstReason));
  }
}

/** Offsets of the first TAB of every `TAB hex8 TAB` header in `data[start, end)`. */
function findHeaders(data: Uint8Array, start: number, end: number): number[] {
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
function digitsStart(data: Uint8Array, floor: number, tab: number): number {
  let s = tab;
  while (s > floor && tab - s < 17 && data[s - 1] >= 0x30 && data[s - 1] <= 0x39) {
    s--;
  }
  return s;
}

function reasonOf(r: FrameResult): DamageReason {
  return r.ok ? 'bad-frame' : r.reason;
}

function withSeq(d: ScannedDamage, r: FrameResult): ScannedDamage {
  return !r.ok && r.seq !== undefined ? { ...d, seq: r.seq } : d;
}
