/**
 * The text of one document while it is replayed.
 *
 * Replay applies one small change per keystroke to documents of tens of kilobytes; rebuilding a
 * flat string per change copies the whole document each time (measured: under 10k edits/s on a
 * 50 KB document). The full text is only needed at checkpoints, at the end, and when a caller asks
 * for every version, so buffers keep it in pieces and join lazily.
 *
 * The interface is the seam for the privacy engine: a piece-table buffer that records, for every
 * character, which event (`seq`) and which change of that event inserted it can implement the same
 * interface and be passed to the replayer through a `BufferFactory`.
 */
export interface DocumentBuffer {
  /** Length in UTF-16 code units. */
  readonly length: number;
  /**
   * Replaces `length` code units at `offset` with `text`. The caller has checked that
   * `0 <= offset` and `offset + length <= this.length`. `seq` and `change` (index of the change in
   * the event's `c`) say where the inserted text came from; buffers without provenance ignore them.
   */
  apply(offset: number, length: number, text: string, seq: number, change: number): void;
  /** The full text. */
  getText(): string;
}

/** Creates the buffer for a snapshot's text; `seq` is the snapshot event's seq. */
export type BufferFactory = (text: string, seq: number) => DocumentBuffer;

export interface ChunkedTextBufferOptions {
  /** Largest chunk in code units before it is split (default 2048; tests use tiny values). */
  readonly maxChunk?: number;
}

const DEFAULT_MAX_CHUNK = 2048;

/**
 * The document as an array of string chunks of bounded size, with a cursor cache on the last
 * chunk touched: typing is local, so finding the chunk is O(1) in the common case and each
 * keystroke copies at most one chunk (≤ `maxChunk` code units) instead of the whole document.
 *
 * Invariant: `chunks` is never empty, and only a single-chunk buffer may hold an empty chunk.
 * Chunk boundaries may fall inside a surrogate pair; that is harmless because the text is only
 * ever observed joined.
 */
export class ChunkedTextBuffer implements DocumentBuffer {
  private readonly chunks: string[];
  private len: number;
  /** Index of the chunk last touched and its start offset: where the next seek starts. */
  private cursorIndex = 0;
  private cursorStart = 0;
  /** The joined text, kept until the next change (checkpoints and `onVersion` may ask twice). */
  private joined: string | undefined;
  private readonly maxChunk: number;
  private readonly minChunk: number;

  constructor(text: string, options?: ChunkedTextBufferOptions) {
    this.maxChunk = Math.max(2, Math.floor(options?.maxChunk ?? DEFAULT_MAX_CHUNK));
    // Chunks smaller than this are merged with a neighbour, so heavy deleting cannot leave a long
    // run of tiny chunks that makes seeking slow.
    this.minChunk = Math.max(1, this.maxChunk >> 2);
    this.chunks = this.split(text);
    if (this.chunks.length === 0) {
      this.chunks.push('');
    }
    this.len = text.length;
    this.joined = text;
  }

  get length(): number {
    return this.len;
  }

  apply(offset: number, length: number, text: string): void {
    const chunks = this.chunks;
    let i = this.cursorIndex;
    let start = this.cursorStart;
    // Seek the chunk holding `offset` (at a boundary either neighbour will do).
    while (offset < start) {
      i--;
      start -= chunks[i].length;
    }
    while (offset > start + chunks[i].length) {
      start += chunks[i].length;
      i++;
    }
    // Seek the chunk holding the end of the replaced range.
    const end = offset + length;
    let j = i;
    let jStart = start;
    while (end > jStart + chunks[j].length) {
      jStart += chunks[j].length;
      j++;
    }
    const merged = chunks[i].slice(0, offset - start) + text + chunks[j].slice(end - jStart);
    this.len += text.length - length;
    this.joined = undefined;

    if (i === j && merged.length <= this.maxChunk && (merged.length >= this.minChunk || chunks.length === 1)) {
      chunks[i] = merged;
      this.cursorIndex = i;
      this.cursorStart = start;
      return;
    }

    let first = i;
    let last = j;
    let piece = merged;
    if (piece.length < this.minChunk) {
      if (last + 1 < chunks.length) {
        last++;
        piece += chunks[last];
      } else if (first > 0) {
        first--;
        start -= chunks[first].length;
        piece = chunks[first] + piece;
      }
    }
    const pieces = this.split(piece);
    chunks.splice(first, last - first + 1, ...pieces);
    if (chunks.length === 0) {
      chunks.push('');
    }
    if (first < chunks.length) {
      this.cursorIndex = first;
      this.cursorStart = start;
    } else {
      this.cursorIndex = 0;
      this.cursorStart = 0;
    }
  }

  getText(): string {
    if (this.joined === undefined) {
      this.joined = this.chunks.length === 1 ? this.chunks[0] : this.chunks.join('');
    }
    return this.joined;
  }

  /** Chunk count, for tests of the chunking policy. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Cuts `text` into chunks of half the maximum, so each has room to grow before the next split. */
  private split(text: string): string[] {
    if (text.length === 0) {
      return [];
    }
    if (text.length <= this.maxChunk) {
      return [text];
    }
    const size = Math.max(1, this.maxChunk >> 1);
    const out: string[] = [];
    for (let k = 0; k < text.length; k += size) {
      out.push(text.slice(k, k + size));
    }
    return out;
  }
}

/** The default factory: chunked buffers with the default chunk size. */
export const chunkedBufferFactory: BufferFactory = (text) => new ChunkedTextBuffer(text);
