/**
 * Which rule keywords occur in a short stretch of text — the question redaction asks after every
 * keystroke (did this edit create a keyword? does this window hold one?).
 *
 * `KeywordIndex.present` (keywords.ts) answers it with a fresh `Uint8Array` of one flag per
 * keyword; with ~240 keywords that array lives outside the V8 heap, so each call costs an
 * allocation plus GC pressure — measured: most of the per-keystroke time on small documents. This
 * trie walks the text from each position and reports hits through a callback, allocating nothing,
 * and is cheap to build. Its case folding (`toLowerCase` per character) accepts at least what the
 * index accepts, so using it to decide when a window may be skipped is safe.
 */
export class KeywordTrie {
  /** Children of each node: folded character code → node. */
  private readonly next: Map<number, number>[] = [new Map<number, number>()];
  /** Keyword ids ending at each node. */
  private readonly ends: number[][] = [[]];
  /** Children of the root for ASCII characters (the common case), -1 for none. */
  private readonly rootAscii = new Int32Array(128).fill(-1);

  constructor(keywords: readonly string[]) {
    keywords.forEach((k, id) => {
      let node = 0;
      for (let i = 0; i < k.length; i++) {
        const c = fold(k.charCodeAt(i));
        let child = this.next[node].get(c);
        if (child === undefined) {
          child = this.next.length;
          this.next.push(new Map<number, number>());
          this.ends.push([]);
          this.next[node].set(c, child);
          if (node === 0 && c < 128) {
            this.rootAscii[c] = child;
          }
        }
        node = child;
      }
      if (k.length > 0) {
        this.ends[node].push(id);
      }
    });
  }

  /**
   * Calls `hit(id)` for each keyword occurrence lying wholly in `text`; stops as soon as `hit`
   * returns true. Returns whether it was stopped.
   */
  find(text: string, hit: (id: number) => boolean): boolean {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c0 = fold(text.charCodeAt(i));
      let node = c0 < 128 ? this.rootAscii[c0] : (this.next[0].get(c0) ?? -1);
      for (let j = i + 1; node >= 0; j++) {
        const ends = this.ends[node];
        for (let e = 0; e < ends.length; e++) {
          if (hit(ends[e])) {
            return true;
          }
        }
        if (j >= n) {
          break;
        }
        node = this.next[node].get(fold(text.charCodeAt(j))) ?? -1;
      }
    }
    return false;
  }
}

/** Lower-case of one UTF-16 unit (ASCII fast path). */
function fold(c: number): number {
  if (c < 128) {
    return c >= 65 && c <= 90 ? c + 32 : c;
  }
  const lower = String.fromCharCode(c).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}
