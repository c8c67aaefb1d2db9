import type { BufferFactory, DocumentBuffer } from './buffer';

/**
 * Provenance: a document buffer in which every character knows where it came from.
 *
 * Redaction finds a secret in some version of a document and must rewrite every snapshot
 * fragment and every edit text that produced it, even when it was typed one key at a time. So each
 * character carries an *origin*: which event inserted it (`seq`), which change of that event
 * (`change`, or `SNAPSHOT_CHANGE` for a snapshot's text) and at which offset of that text.
 *
 * Origins are numbered in one integer space per redaction run (`OriginSpace`): every snapshot text
 * and every change text gets the next free range of ids, in replay order. Replay is deterministic,
 * so replaying the same events again hands out the same ids — which lets a second pass find, by id,
 * the fate the first pass decided for each character. Consecutive keystrokes get consecutive ids,
 * so a typed run is one piece of the piece table below, as in a classic piece table's add buffer.
 *
 * One file though over 450 lines: `ProvenanceBuffer` is one piece table whose blocks, pieces and
 * cursor share invariants that every edit maintains, and the helpers below it work on its blocks.
 */

/** `change` of an origin that is part of a snapshot's text. */
export const SNAPSHOT_CHANGE = -1;

/** Where one character came from. */
export interface Origin {
  /** Seq of the snapshot or edit event that inserted it. */
  readonly seq: number;
  /** Index of the change in the edit's `c`, or `SNAPSHOT_CHANGE`. */
  readonly change: number;
  /** Offset of the character in that change's (or snapshot's) text. */
  readonly offset: number;
}

/** A run of characters with consecutive origin ids: `[first id, length]`. */
export type OriginRun = readonly [origin: number, length: number];

/** Hands out origin ids and remembers which event/change each range belongs to. */
export class OriginSpace {
  private next = 0;
  private readonly starts: number[] = [];
  private readonly seqs: number[] = [];
  private readonly changes: number[] = [];

  /**
   * @param record Remember each range's event and change for `resolve` (default true). A caller
   * that only needs the numbering (redaction keys fates by id) saves three array pushes per edit.
   */
  constructor(private readonly record = true) {}

  /** Ids handed out so far. */
  get size(): number {
    return this.next;
  }

  /** Reserves `length` ids for the text of (`seq`, `change`); returns the first. */
  allocate(seq: number, change: number, length: number): number {
    const base = this.next;
    if (length > 0 && this.record) {
      this.starts.push(base);
      this.seqs.push(seq);
      this.changes.push(change);
    }
    this.next += Math.max(0, length);
    return base;
  }

  /** The origin of id `id`; undefined if it was never handed out (or the space does not record). */
  resolve(id: number): Origin | undefined {
    if (!this.record || !Number.isInteger(id) || id < 0 || id >= this.next) {
      return undefined;
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= id) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return { seq: this.seqs[lo], change: this.changes[lo], offset: id - this.starts[lo] };
  }
}

/** Hooks and tuning of a `ProvenanceBuffer`. */
export interface ProvenanceOptions {
  /** Largest block in code units before it is split (default 2048; tests use tiny values). */
  readonly maxChunk?: number;
  /**
   * Called before each change is applied, with the first origin id its text gets. The buffer is
   * still in its previous state, so a listener can measure the range the change replaces.
   */
  readonly beforeApply?: (buffer: ProvenanceBuffer, offset: number, length: number, text: string, origin: number) => void;
  /** Called after each change is applied. */
  readonly afterApply?: (buffer: ProvenanceBuffer, offset: number, length: number, text: string, origin: number) => void;
  /**
   * A weight per run of characters (e.g. their length once redacted). With it, the buffer keeps
   * per-block sums so `weightBefore` does not walk every piece of the document.
   */
  readonly weigh?: (origin: number, length: number) => number;
  /**
   * True when every character of the run weighs exactly 1 (nothing special about it). Lets the
   * buffer skip whole blocks when measuring and rendering; without it every piece is weighed.
   */
  readonly plain?: (origin: number, length: number) => boolean;
}

/**
 * One block of the document: its text and its pieces. Piece k covers `len[k]` characters whose
 * origin ids are `org[k]`, `org[k] + 1`, …; the lengths add up to `text.length`.
 */
interface Block {
  text: string;
  org: number[];
  len: number[];
  /** Sum of the weights of the pieces (equals text.length without a weigh function). */
  weight: number;
  /** Every piece is plain (weighs its length): the block can be measured and rendered as text. */
  plain: boolean;
}

const DEFAULT_MAX_CHUNK = 2048;
/**
 * Most pieces per block: finding a piece walks the block's pieces, so a block that random edits
 * chopped into many pieces is split even when its text is short.
 */
const MAX_PIECES = 128;

/**
 * A `DocumentBuffer` that keeps, next to the text, the origin of every character: a piece table
 * cut into blocks of bounded text size, each holding its own text (so reading a window is a slice,
 * not a walk over pieces) and its pieces. A cursor caches the last block touched: typing is local,
 * so finding the block is O(1) in the common case, and a keystroke copies at most one block.
 *
 * Invariant: `blocks` is never empty; only a single-block buffer may hold an empty block.
 */
export class ProvenanceBuffer implements DocumentBuffer {
  /** Seq of the snapshot this buffer was created from. */
  readonly snapshotSeq: number;
  /** Origin id of the snapshot text's first character. */
  readonly snapshotOrigin: number;
  private readonly blocks: Block[] = [];
  private len: number;
  private cursorIndex = 0;
  private cursorStart = 0;
  /** Start of the block `seek` found. */
  private seekStart = 0;
  private joined: string | undefined;
  private readonly maxChunk: number;
  private readonly minChunk: number;
  private readonly space: OriginSpace;
  private readonly options: ProvenanceOptions;

  constructor(text: string, seq: number, space: OriginSpace, options: ProvenanceOptions = {}) {
    this.space = space;
    this.options = options;
    this.maxChunk = Math.max(4, Math.floor(options.maxChunk ?? DEFAULT_MAX_CHUNK));
    // Blocks smaller than this merge with a neighbour, so heavy deleting cannot leave a long run
    // of tiny blocks that makes seeking slow.
    this.minChunk = Math.max(1, this.maxChunk >> 2);
    this.snapshotSeq = seq;
    this.snapshotOrigin = space.allocate(seq, SNAPSHOT_CHANGE, text.length);
    const whole: Block = { text, org: text.length > 0 ? [this.snapshotOrigin] : [], len: text.length > 0 ? [text.length] : [], weight: 0, plain: true };
    const blocks = this.split(whole);
    this.blocks.push(...(blocks.length > 0 ? blocks : [{ text: '', org: [], len: [], weight: 0, plain: true }]));
    this.len = text.length;
    this.joined = text;
  }

  get length(): number {
    return this.len;
  }

  /** Number of pieces (runs of consecutive origins), for tests of the merging policy. */
  get pieceCount(): number {
    let n = 0;
    for (const b of this.blocks) {
      n += b.org.length;
    }
    return n;
  }

  apply(offset: number, length: number, text: string, seq: number, change: number): void {
    const origin = this.space.allocate(seq, change, text.length);
    this.options.beforeApply?.(this, offset, length, text, origin);
    const blocks = this.blocks;
    let i = this.cursorIndex;
    let start = this.cursorStart;
    while (offset < start) {
      i--;
      start -= blocks[i].text.length;
    }
    while (offset > start + blocks[i].text.length) {
      start += blocks[i].text.length;
      i++;
    }
    const end = offset + length;
    let j = i;
    let jStart = start;
    while (end > jStart + blocks[j].text.length) {
      jStart += blocks[j].text.length;
      j++;
    }
    // Work on one block: the one holding the change, or the blocks it spans joined together.
    const work: Block = i === j ? blocks[i] : concatBlocks(blocks.slice(i, j + 1));
    editBlock(work, offset - start, length, text, origin);
    this.len += text.length - length;
    this.joined = undefined;

    let first = i;
    let last = j;
    let pieces: Block[];
    if (work.text.length > this.maxChunk || work.org.length > MAX_PIECES) {
      pieces = this.split(work);
    } else if (work.text.length < this.minChunk && blocks.length > last - first + 1) {
      // Too small: merge with a neighbour (the next one if any, else the previous).
      if (last + 1 < blocks.length) {
        last++;
        pieces = this.split(concatBlocks([work, blocks[last]]));
      } else {
        first--;
        start -= blocks[first].text.length;
        pieces = this.split(concatBlocks([blocks[first], work]));
      }
    } else {
      this.weighBlock(work);
      pieces = [work];
    }
    if (pieces.length === 0) {
      pieces = [{ text: '', org: [], len: [], weight: 0, plain: true }];
    }
    if (first === last && pieces.length === 1) {
      blocks[first] = pieces[0]!;
    } else {
      blocks.splice(first, last - first + 1, ...pieces);
    }
    // An empty block can only be left when it is the only one (the merge above takes care of the
    // rest), so the invariant holds and the cursor stays valid.
    this.cursorIndex = first;
    this.cursorStart = start;
    this.options.afterApply?.(this, offset, length, text, origin);
  }

  getText(): string {
    if (this.joined === undefined) {
      this.joined = this.blocks.length === 1 ? this.blocks[0].text : this.blocks.map((b) => b.text).join('');
    }
    return this.joined;
  }

  /** The text of `[start, end)` (clamped to the document). */
  slice(start: number, end: number): string {
    const s = Math.max(0, start);
    const e = Math.min(this.len, end);
    if (e <= s) {
      return '';
    }
    if (this.joined !== undefined) {
      return this.joined.slice(s, e);
    }
    let i = this.seek(s);
    let bStart = this.seekStart;
    const parts: string[] = [];
    while (bStart < e && i < this.blocks.length) {
      const b = this.blocks[i];
      parts.push(b.text.slice(Math.max(0, s - bStart), Math.min(b.text.length, e - bStart)));
      bStart += b.text.length;
      i++;
    }
    return parts.length === 1 ? parts[0] : parts.join('');
  }

  /** The origin id of the character at `offset`. */
  originAt(offset: number): number {
    const runs = this.origins(offset, offset + 1);
    if (runs.length === 0) {
      throw new RangeError(`offset ${offset} is outside the document (length ${this.len})`);
    }
    return runs[0][0];
  }

  /** The origins of `[start, end)` as runs, in document order. */
  origins(start: number, end: number): OriginRun[] {
    const out: OriginRun[] = [];
    this.forEachPiece(start, end, (origin, length) => {
      const prev = out[out.length - 1];
      if (prev !== undefined && prev[0] + prev[1] === origin) {
        out[out.length - 1] = [prev[0], prev[1] + length];
      } else {
        out.push([origin, length]);
      }
    });
    return out;
  }

  /** Calls `fn` for each run of `[start, end)` with its origin and its text, in document order. */
  forEachRun(start: number, end: number, fn: (origin: number, text: string) => void): void {
    this.walkPieces(start, end, (origin, from, to, blockText, blockStart) => fn(origin, blockText.slice(from - blockStart, to - blockStart)));
  }


  /** Sum of the weights of `[0, offset)` (its length when the buffer has no weigh function). */
  weightBefore(offset: number): number {
    const weigh = this.options.weigh;
    const target = Math.max(0, Math.min(this.len, offset));
    if (weigh === undefined) {
      return target;
    }
    let sum = 0;
    let bStart = 0;
    for (const b of this.blocks) {
      if (bStart + b.text.length <= target) {
        sum += b.weight;
        bStart += b.text.length;
        if (bStart === target) {
          return sum;
        }
        continue;
      }
      if (b.plain) {
        return sum + (target - bStart);
      }
      let p = bStart;
      for (let k = 0; k < b.org.length && p < target; k++) {
        const n = b.len[k];
        sum += weigh(b.org[k], Math.min(n, target - p));
        p += n;
      }
      return sum;
    }
    return sum;
  }

  /** Sum of the weights of `[start, end)`. */
  weightOf(start: number, end: number): number {
    return end <= start ? 0 : this.weightBefore(end) - this.weightBefore(start);
  }

  /**
   * The whole text with each run passed through `render(origin, text)`; blocks whose pieces are
   * all plain are taken as they are.
   */
  renderText(render: (origin: number, text: string) => string): string {
    const parts: string[] = [];
    for (const b of this.blocks) {
      if (b.plain) {
        parts.push(b.text);
        continue;
      }
      let p = 0;
      for (let k = 0; k < b.org.length; k++) {
        const n = b.len[k];
        parts.push(render(b.org[k], b.text.slice(p, p + n)));
        p += n;
      }
    }
    return parts.join('');
  }

  /** Sum of the weights of the whole document. */
  get totalWeight(): number {
    if (this.options.weigh === undefined) {
      return this.len;
    }
    let sum = 0;
    for (const b of this.blocks) {
      sum += b.weight;
    }
    return sum;
  }

  /**
   * Position of the last `ch` in `[offset - limit, offset)`, or -1. Reads the blocks in place, so
   * finding a line start near an edit copies nothing.
   */
  lastIndexOf(ch: string, offset: number, limit: number): number {
    const stop = Math.max(0, offset - limit);
    let pos = Math.min(this.len, offset);
    if (pos <= stop) {
      return -1;
    }
    // A bounded loop rather than String.lastIndexOf, which would scan back to the block's start
    // when the character is not near: the limit is what keeps this O(limit).
    const code = ch.charCodeAt(0);
    let i = this.seek(pos - 1);
    let bStart = this.seekStart;
    for (; i >= 0; i--) {
      const t = this.blocks[i].text;
      const low = Math.max(stop, bStart);
      for (let p = pos - 1; p >= low; p--) {
        if (t.charCodeAt(p - bStart) === code) {
          return p;
        }
      }
      if (low === stop) {
        return -1;
      }
      pos = bStart;
      if (i > 0) {
        bStart -= this.blocks[i - 1].text.length;
      }
    }
    return -1;
  }

  /** Position of the first `ch` in `[offset, offset + limit)`, or -1. */
  indexOf(ch: string, offset: number, limit: number): number {
    const stop = Math.min(this.len, offset + limit);
    let pos = Math.max(0, offset);
    if (pos >= stop) {
      return -1;
    }
    const code = ch.charCodeAt(0);
    let i = this.seek(pos);
    let bStart = this.seekStart;
    for (; i < this.blocks.length && bStart < stop; i++) {
      const t = this.blocks[i].text;
      const high = Math.min(stop, bStart + t.length);
      for (let p = pos; p < high; p++) {
        if (t.charCodeAt(p - bStart) === code) {
          return p;
        }
      }
      bStart += t.length;
      pos = bStart;
    }
    return -1;
  }

  /** Calls `fn(origin, length)` for each piece (or part of one) within `[start, end)`. */
  private forEachPiece(start: number, end: number, fn: (origin: number, length: number) => void): void {
    this.walkPieces(start, end, (origin, from, to) => fn(origin, to - from));
  }

  /**
   * Calls `fn` for each piece (or part of one) within `[start, end)`, in document order, with the
   * origin of its first character, its document range `[from, to)`, and its block's text and start.
   */
  private walkPieces(
    start: number,
    end: number,
    fn: (origin: number, from: number, to: number, blockText: string, blockStart: number) => void,
  ): void {
    const s = Math.max(0, start);
    const e = Math.min(this.len, end);
    if (e <= s) {
      return;
    }
    let i = this.seek(s);
    let bStart = this.seekStart;
    for (; i < this.blocks.length && bStart < e; i++) {
      const b = this.blocks[i];
      let p = bStart;
      for (let k = 0; k < b.org.length && p < e; k++) {
        const n = b.len[k];
        const from = Math.max(s, p);
        const to = Math.min(e, p + n);
        if (to > from) {
          fn(b.org[k] + (from - p), from, to, b.text, bStart);
        }
        p += n;
      }
      bStart += b.text.length;
    }
  }


  /**
   * Index of the block holding `offset` (the later block at a boundary, if any); its start is left
   * in `seekStart` (a field rather than a returned pair: this runs several times per keystroke).
   */
  private seek(offset: number): number {
    const blocks = this.blocks;
    let i = this.cursorIndex;
    let start = this.cursorStart;
    while (offset < start && i > 0) {
      i--;
      start -= blocks[i].text.length;
    }
    while (i < blocks.length - 1 && offset >= start + blocks[i].text.length) {
      start += blocks[i].text.length;
      i++;
    }
    this.seekStart = start;
    return i;
  }

  private weighBlock(b: Block): void {
    const weigh = this.options.weigh;
    if (weigh === undefined) {
      b.weight = b.text.length;
      b.plain = true;
      return;
    }
    const plain = this.options.plain;
    let w = 0;
    let allPlain = plain !== undefined;
    for (let k = 0; k < b.org.length; k++) {
      if (allPlain && plain!(b.org[k], b.len[k])) {
        w += b.len[k];
        continue;
      }
      allPlain = false;
      w += weigh(b.org[k], b.len[k]);
    }
    b.weight = w;
    b.plain = allPlain;
  }

  /** Cuts a block into blocks of half the maximum (text and pieces), so each has room to grow. */
  private split(b: Block): Block[] {
    if (b.text.length === 0) {
      return [];
    }
    if (b.text.length <= this.maxChunk && b.org.length <= MAX_PIECES) {
      this.weighBlock(b);
      return [b];
    }
    const size = Math.max(1, this.maxChunk >> 1);
    const out: Block[] = [];
    let cur: Block = { text: '', org: [], len: [], weight: 0, plain: true };
    let curLen = 0;
    let pos = 0;
    const flush = (): void => {
      cur.text = b.text.slice(pos - curLen, pos);
      this.weighBlock(cur);
      out.push(cur);
      cur = { text: '', org: [], len: [], weight: 0, plain: true };
      curLen = 0;
    };
    for (let k = 0; k < b.org.length; k++) {
      let origin = b.org[k];
      let n = b.len[k];
      while (n > 0) {
        const take = Math.min(n, size - curLen);
        cur.org.push(origin);
        cur.len.push(take);
        curLen += take;
        pos += take;
        origin += take;
        n -= take;
        if (curLen >= size || cur.org.length >= MAX_PIECES >> 1) {
          flush();
        }
      }
    }
    if (curLen > 0) {
      flush();
    }
    return out;
  }
}

function concatBlocks(list: readonly Block[]): Block {
  const out: Block = { text: list.map((b) => b.text).join(''), org: [], len: [], weight: 0, plain: true };
  for (const b of list) {
    for (let k = 0; k < b.org.length; k++) {
      pushPiece(out, b.org[k], b.len[k]);
    }
  }
  return out;
}

/** Appends a piece, extending the last one when the origins continue it. */
function pushPiece(b: Block, origin: number, length: number): void {
  const last = b.org.length - 1;
  if (last >= 0 && b.org[last] + b.len[last] === origin) {
    b.len[last] = b.len[last] + length;
  } else {
    b.org.push(origin);
    b.len.push(length);
  }
}

/** Makes a piece boundary at `pos` (0 ≤ pos ≤ text length); returns the index of the piece starting there. */
function splitAt(b: Block, pos: number): number {
  let p = 0;
  for (let k = 0; k < b.org.length; k++) {
    if (p === pos) {
      return k;
    }
    const n = b.len[k];
    if (pos < p + n) {
      const left = pos - p;
      b.org.splice(k + 1, 0, b.org[k] + left);
      b.len.splice(k + 1, 0, n - left);
      b.len[k] = left;
      return k + 1;
    }
    p += n;
  }
  return b.org.length;
}

/** Replaces `length` characters at `rel` with `text`, whose characters get origins from `origin` on. */
function editBlock(b: Block, rel: number, length: number, text: string, origin: number): void {
  b.text = b.text.slice(0, rel) + text + b.text.slice(rel + length);
  // Fast path for typing: appending to the end of a piece whose origins this text continues.
  if (length === 0 && text.length > 0) {
    let p = 0;
    for (let k = 0; k < b.org.length; k++) {
      p += b.len[k];
      if (p === rel && b.org[k] + b.len[k] === origin) {
        b.len[k] = b.len[k] + text.length;
        return;
      }
      if (p >= rel) {
        break;
      }
    }
  }
  const a = splitAt(b, rel);
  const z = length > 0 ? splitAt(b, rel + length) : a;
  if (z > a) {
    b.org.splice(a, z - a);
    b.len.splice(a, z - a);
  }
  if (text.length > 0) {
    b.org.splice(a, 0, origin);
    b.len.splice(a, 0, text.length);
  }
  // Re-join runs the edit made adjacent (a piece split by an insert that was deleted again).
  const lo = Math.max(0, a - 1);
  const hi = Math.min(b.org.length - 1, a + 1);
  for (let k = hi; k > lo; k--) {
    if (b.org[k - 1] + b.len[k - 1] === b.org[k]) {
      b.len[k - 1] = b.len[k - 1] + b.len[k];
      b.org.splice(k, 1);
      b.len.splice(k, 1);
    }
  }
}

/** A factory for `Replayer`: provenance buffers in `space`, with `options` (hooks) per buffer. */
export function provenanceBufferFactory(space: OriginSpace, options?: (seq: number) => ProvenanceOptions): BufferFactory {
  return (text, seq) => new ProvenanceBuffer(text, seq, space, options?.(seq));
}
