/**
 * The keyword automaton: one pass over a text reports every occurrence of every rule keyword,
 * case-insensitively. The detector (detect.ts) asks it which keywords occur and where, so only the
 * rules with a keyword present run, and a rule anchored on its keyword runs only at its
 * occurrences; redaction (redact/scanners.ts, redact/scanPass.ts) asks it, after every keystroke,
 * whether an edit created a keyword or a window can hold one.
 *
 * Why an Aho–Corasick automaton rather than one combined regex `/kw1|kw2|…/gi`: measured over
 * node_modules sources with ~110 keywords, V8's irregexp ran the alternation at ~40–80 MB/s (it
 * tries every alternative at every position), while this table-driven automaton runs at ~400–500
 * MB/s of CPU time — one table lookup per character, whatever the number of keywords.
 *
 * Case-insensitivity is folded into the alphabet: each keyword character and its lower- and
 * upper-case forms map to the same class, every other character maps to class 0, so the
 * transition table stays small (states × classes) and non-ASCII keywords (a username like
 * `josé`) work too.
 *
 * Nothing is allocated per call: occurrences are reported through a callback (a caller that keeps
 * the callback and its scratch arrays, as the detector does, scans any number of texts without
 * allocating). One-character keywords (`@`, `:`) are accepted, but they are frequent in source, so
 * a caller scanning whole texts is better off finding them with native `indexOf` and leaving them
 * out of the automaton (the detector does).
 */

/**
 * Receives one keyword occurrence: the keyword's index in `KeywordAutomaton.keywords` and the end
 * (exclusive) of the occurrence in the text. Returning true stops the scan.
 */
export type KeywordHit = (id: number, end: number) => boolean;

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /** Character code → alphabet class (0: a character no keyword contains). */
  private readonly classOf = new Uint16Array(65536);
  private readonly classes: number;
  /**
   * Transition table premultiplied by the class count (one add and one load per character);
   * a negative entry `~next` marks a transition into a state where keywords end.
   */
  private readonly delta: Int32Array;
  /** Keyword ids ending at each state (suffix links included), by state number. */
  private readonly outputs: readonly (readonly number[])[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
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
    for (let i = 0; i < delta.length; i++) {
      const t = next[i];
      delta[i] = ends[t].length > 0 ? ~(t * nc) : t * nc;
    }
    this.delta = delta;
    this.outputs = ends;
  }

  /**
   * Calls `hit(id, end)` for each keyword occurrence lying wholly in `text`, in order of `end`;
   * stops as soon as `hit` returns true. Returns whether it was stopped.
   */
  find(text: string, hit: KeywordHit): boolean {
    const { classOf, delta, outputs, classes } = this;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      s = delta[s + classOf[text.charCodeAt(i)]]!;
      if (s < 0) {
        s = ~s;
        const ids = outputs[(s / classes) | 0];
        for (let j = 0; j < ids.length; j++) {
          if (hit(ids[j], i + 1)) {
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
