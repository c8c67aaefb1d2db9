/**
 * The event log's in-memory queue (eventLog.ts): framed records waiting to be written, grouped
 * into pieces by the segment they are bound for. Appending only pushes strings (no file access);
 * a piece becomes one buffer when its write starts, and pieces bound for the same segment are
 * written as one.
 */

/** Queued records bound for one segment. */
export interface Piece {
  readonly segment: number;
  lines: string[];
  /** Each line's record time (`ts`) and size in bytes, until the piece is materialized. */
  stamps: number[];
  sizes: number[];
  /** The encoded lines once the piece is being written. */
  data: Buffer | undefined;
  /** Bytes of `data` already written. */
  offset: number;
  count: number;
  bytes: number;
  lastSeq: number;
}

export class WriteQueue {
  /** Sealed pieces in order; the open piece (which appends go to) comes after them. */
  private pieces: Piece[] = [];
  private open: Piece;
  /** Records and bytes in memory (queued or being written). */
  events = 0;
  bytes = 0;

  /**
   * @param targetSegment the segment the open piece is bound for
   * @param projectedBytes that segment's size once everything queued for it is written
   */
  constructor(
    public targetSegment: number,
    public projectedBytes: number,
  ) {
    this.open = newPiece(targetSegment);
  }

  /** Whether there is nothing sealed left to write. */
  get drained(): boolean {
    return this.pieces.length === 0;
  }

  /** Appends one framed record (`bytes` long, record time `ts`) to the open piece. */
  push(line: string, ts: number, bytes: number, seq: number): void {
    const piece = this.open;
    piece.lines.push(line);
    piece.stamps.push(ts);
    piece.sizes.push(bytes);
    piece.count++;
    piece.bytes += bytes;
    piece.lastSeq = seq;
    this.events++;
    this.bytes += bytes;
    this.projectedBytes += bytes;
  }

  /** Seals the open piece (if it holds anything): what is sealed is what the next write takes. */
  seal(): void {
    if (this.open.count > 0) {
      this.pieces.push(this.open);
      this.open = newPiece(this.targetSegment);
    }
  }

  /** Binds what is queued from now on for the next segment; returns the previous one. */
  nextSegment(): number {
    this.seal();
    const previous = this.targetSegment;
    this.targetSegment++;
    this.projectedBytes = 0;
    this.open = newPiece(this.targetSegment);
    return previous;
  }

  /** The first piece, merged with the following pieces bound for the same segment. */
  head(): Piece {
    const head = this.pieces[0];
    let data = materialize(head);
    while (this.pieces.length > 1 && this.pieces[1].segment === head.segment) {
      const next = this.pieces[1];
      data = Buffer.concat([data.subarray(head.offset), materialize(next).subarray(next.offset)]);
      head.data = data;
      head.offset = 0;
      head.count += next.count;
      head.bytes += next.bytes;
      head.lastSeq = next.lastSeq;
      this.pieces.splice(1, 1);
    }
    return head;
  }

  /** The head piece was written whole: it leaves the queue. */
  shift(): Piece {
    const piece = this.pieces.shift()!;
    this.events -= piece.count;
    this.bytes -= piece.bytes;
    return piece;
  }

  /**
   * Takes back every record not yet being written whose `ts` is after `cutoff`, and every record
   * queued after the first such one. Returns how many were taken back and the seq of the first
   * (undefined when none was).
   */
  discardAfter(cutoff: number): { readonly removed: number; readonly firstSeq: number } | undefined {
    this.seal();
    let i = this.pieces.findIndex((p) => p.data === undefined);
    if (i < 0) {
      return undefined;
    }
    let k = -1;
    for (; i < this.pieces.length; i++) {
      k = this.pieces[i].stamps.findIndex((ts) => ts > cutoff);
      if (k >= 0) {
        break;
      }
    }
    if (k < 0) {
      return undefined;
    }
    const piece = this.pieces[i];
    const firstSeq = piece.lastSeq - piece.count + 1 + k;
    let removed = 0;
    let removedBytes = 0;
    const take = (p: Piece, from: number): number => {
      let bytes = 0;
      for (let j = from; j < p.count; j++) {
        bytes += p.sizes[j];
      }
      if (p.segment === this.targetSegment) {
        this.projectedBytes -= bytes;
      }
      removed += p.count - from;
      removedBytes += bytes;
      return bytes;
    };
    piece.bytes -= take(piece, k);
    for (const later of this.pieces.slice(i + 1)) {
      take(later, 0);
    }
    piece.lines.length = k;
    piece.stamps.length = k;
    piece.sizes.length = k;
    piece.count = k;
    piece.lastSeq = firstSeq - 1;
    // A piece left empty goes too (an empty piece would write nothing but still open its segment).
    this.pieces.length = k === 0 ? i : i + 1;
    this.events -= removed;
    this.bytes -= removedBytes;
    return { removed, firstSeq };
  }
}

/** The piece's bytes, encoding its lines on first use (then only the buffer is kept). */
export function materialize(piece: Piece): Buffer {
  if (piece.data === undefined) {
    piece.data = Buffer.from(piece.lines.join(''), 'utf8');
    piece.lines = [];
    piece.stamps = [];
    piece.sizes = [];
  }
  return piece.data;
}

function newPiece(segment: number): Piece {
  return { segment, lines: [], stamps: [], sizes: [], data: undefined, offset: 0, count: 0, bytes: 0, lastSeq: 0 };
}
