/**
 * Which rule keywords occur in a stretch of text — the question redaction asks after every
 * keystroke (did this edit create a keyword? can this window hold one?).
 *
 * `KeywordIndex.present` (keywords.ts) answers it with a fresh `Uint8Array` of one flag per
 * keyword; with ~240 keywords that array lives outside the V8 heap, so each call costs an
 * allocation plus GC pressure — measured: most of the per-keystroke time on small documents.
 * This is the same Aho–Corasick automaton (case folded into the alphabet the same way, so it
 * accepts exactly what the index accepts), reporting hits through a callback and allocating
 * nothing per call.
 */
export class KeywordAutomaton {
  /** Character code → alphabet class (0: a character no keyword contains). */
  private readonly classOf = new Uint16Array(65536);
  /**
   * Transition table premultiplied by the class count (one add and one load per character);
   * a negative entry `~next` marks a state where keywords end.
   */
  private readonly delta: Int32Array;
  private readonly classes: number;
  /** Keyword ids ending at each state (suffix links included), by premultiplied state. */
  private readonly outputs: Map<number, readonly number[]>;

  constructor(keywords: readonly string[]) {
    let nc = 1;
    const lowered = keywords.map((k) => k.toLowerCase());
    for (const k of lowered) {
      for (const ch of k) {
        if (this.classOf[ch.charCodeAt(0)] === 0) {
          const cls = nc++;
          for (const v of [ch, ch.toLowerCase(), ch.toUpperCase()]) {
            if (v.length === 1) {
              this.classOf[v.charCodeAt(0)] = cls;
            }
          }
        }
      }
    }
    this.classes = nc;
    // Trie, with room for every keyword character as a state.
    const capacity = 1 + lowered.reduce((n, k) => n + k.length, 0);
    const goto = new Int32Array(capacity * nc).fill(-1);
    let states = 1;
    const ends: number[][] = [[]];
    lowered.forEach((k, id) => {
      if (k.length === 0) {
        return;
      }
      let s = 0;
      for (const ch of k) {
        const c = this.classOf[ch.charCodeAt(0)];
        let t = goto[s * nc + c];
        if (t < 0) {
          t = states++;
          ends.push([]);
          goto[s * nc + c] = t;
        }
        s = t;
      }
      ends[s].push(id);
    });
    // Breadth-first failure links, folded into a full transition table.
    const next = new Int32Array(states * nc);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let c = 0; c < nc; c++) {
      const t = goto[c];
      if (t > 0) {
        next[c] = t;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      const f = fail[s];
      if (ends[f].length > 0) {
        ends[s] = ends[s].concat(ends[f]);
      }
      for (let c = 0; c < nc; c++) {
        const t = goto[s * nc + c];
        if (t > 0) {
          fail[t] = next[f * nc + c]!;
          next[s * nc + c] = t;
          queue.push(t);
        } else {
          next[s * nc + c] = next[f * nc + c]!;
        }
      }
    }
    const delta = new Int32Array(states * nc);
    const outputs = new Map<number, readonly number[]>();
    for (let i = 0; i < delta.length; i++) {
      const t = next[i];
      delta[i] = ends[t].length > 0 ? ~(t * nc) : t * nc;
    }
    for (let s = 0; s < states; s++) {
      if (ends[s].length > 0) {
        outputs.set(s * nc, ends[s]);
      }
    }
    this.delta = delta;
    this.outputs = outputs;
  }

  /**
   * Calls `hit(id)` for each keyword occurrence lying wholly in `text`; stops as soon as `hit`
   * returns true. Returns whether it was stopped.
   */
  find(text: string, hit: (id: number) => boolean): boolean {
    const { classOf, delta, outputs } = this;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      s = delta[s + classOf[text.charCodeAt(i)]]!;
      if (s < 0) {
        s = ~s;
        for (const id of outputs.get(s)!) {
          if (hit(id)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Number of alphabet classes (for tests). */
  get alphabetSize(): number {
    return this.classes;
  }
}
