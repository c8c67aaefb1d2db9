/**
 * A small static analysis of regular-expression source, so that a rule's `maxLength` is derived
 * from its pattern rather than hand-maintained (a stale hand-written bound would silently break
 * windowed rescanning), and so that an unbounded quantifier (`*`, `+`, `{n,}`) is rejected when a
 * rule is defined — unbounded repetition is where catastrophic backtracking and unbounded windows
 * come from.
 *
 * The bound covers what a match consumes AND what its lookarounds inspect before and after it
 * (the text they look at decides the detection just as much as the text consumed), with
 * conservative arithmetic: over-estimating only widens a rescan window. Forward, it is the
 * farthest any part of the pattern can look from the match start (`reach`): a lookahead that
 * re-reads the value the pattern then consumes (`(?=[^\s]{8,200}$)[^\s]{8,200}`) costs nothing
 * extra, where "longest match + farthest look past its end" would count the value twice.
 */

/** Result of `analyzePattern`. */
export interface PatternBounds {
  /** Longest text that can decide one match (behind + reach); Infinity if unbounded. */
  readonly maxLength: number;
  /** Longest match. */
  readonly maxMatch: number;
  /** How far before the match start lookbehinds (and \b) may inspect. */
  readonly behind: number;
  /** How far after the match end lookaheads (and \b) may inspect. */
  readonly ahead: number;
  /** How far from the match start anything (consumed or looked at) may lie: ≥ maxMatch. */
  readonly reach: number;
  /** Shortest possible match (lookarounds count 0). */
  readonly minLength: number;
  /** Number of capture groups. */
  readonly groups: number;
}

interface Node {
  /** Longest / shortest consumed length. */
  readonly max: number;
  readonly min: number;
  /** Characters inspected after the node's end / before its start, beyond what it consumes. */
  readonly ahead: number;
  readonly behind: number;
  /** Farthest character inspected or consumed, from the node's start (≥ max). */
  readonly reach: number;
}

const EMPTY: Node = { max: 0, min: 0, ahead: 0, behind: 0, reach: 0 };
const ONE: Node = { max: 1, min: 1, ahead: 0, behind: 0, reach: 1 };
/** \b, \B, ^, $: consume nothing, look at one character on each side. */
const EDGE: Node = { max: 0, min: 0, ahead: 1, behind: 1, reach: 1 };

/** One character of `width` UTF-16 units. */
function char(width: number): Node {
  return width === 1 ? ONE : { ...ONE, max: width, reach: width };
}

/** `a` followed by `b` (which starts at most `a.max` after `a`'s start). */
function concat(a: Node, b: Node): Node {
  return {
    max: a.max + b.max,
    min: a.min + b.min,
    ahead: Math.max(b.ahead, a.ahead - b.min),
    behind: Math.max(a.behind, b.behind - a.min),
    reach: Math.max(a.reach, a.max + b.reach),
  };
}

/** Parses `source` (as written between the slashes) with `flags` and returns its bounds. */
export function analyzePattern(source: string, flags = ''): PatternBounds {
  return new Parser(source, flags.includes('u') || flags.includes('v')).run();
}

class Parser {
  private pos = 0;
  private groupCount = 0;
  /** Max length of each closed capture group, for backreferences. */
  private readonly groupMax = new Map<number, number>();
  private readonly groupNames = new Map<string, number>();
  /** Width of one "character" in UTF-16 units: astral characters take two in unicode mode. */
  private readonly charWidth: number;

  constructor(
    private readonly src: string,
    unicode: boolean,
  ) {
    this.charWidth = unicode ? 2 : 1;
  }

  run(): PatternBounds {
    const node = this.disjunction();
    if (this.pos < this.src.length) {
      throw new Error(`regex analysis: unexpected '${this.src[this.pos]}' at ${this.pos} in /${this.src}/`);
    }
    return {
      maxLength: node.behind + node.reach,
      maxMatch: node.max,
      behind: node.behind,
      ahead: node.ahead,
      reach: node.reach,
      minLength: node.min,
      groups: this.groupCount,
    };
  }

  private disjunction(): Node {
    let out: Node | undefined;
    for (;;) {
      const alt = this.alternative();
      out = out
        ? {
            max: Math.max(out.max, alt.max),
            min: Math.min(out.min, alt.min),
            ahead: Math.max(out.ahead, alt.ahead),
            behind: Math.max(out.behind, alt.behind),
            reach: Math.max(out.reach, alt.reach),
          }
        : alt;
      if (this.src[this.pos] !== '|') {
        return out;
      }
      this.pos++;
    }
  }

  private alternative(): Node {
    let out = EMPTY;
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      out = concat(out, this.term());
    }
    return out;
  }

  private term(): Node {
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) {
      return atom;
    }
    if (q.max === Infinity && atom.max > 0) {
      throw new Error(`regex analysis: unbounded quantifier at ${this.pos} in /${this.src}/`);
    }
    if (q.max === 0) {
      return EMPTY;
    }
    // The last repetition starts at most (max - 1) × atom.max after the first.
    return { max: atom.max * q.max, min: atom.min * q.min, ahead: atom.ahead, behind: atom.behind, reach: (q.max - 1) * atom.max + atom.reach };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.src[this.pos];
    let result: { min: number; max: number } | undefined;
    if (c === '*') {
      result = { min: 0, max: Infinity };
      this.pos++;
    } else if (c === '+') {
      result = { min: 1, max: Infinity };
      this.pos++;
    } else if (c === '?') {
      result = { min: 0, max: 1 };
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) {
        return undefined; // a literal '{' (legal outside unicode mode)
      }
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      result = { min: lo, max: hi };
      this.pos += m[0].length;
    }
    if (result && this.src[this.pos] === '?') {
      this.pos++; // lazy: same bounds
    }
    return result;
  }

  private atom(): Node {
    const c = this.src[this.pos];
    const one = char(this.charWidth);
    switch (c) {
      case '^':
      case '$':
        this.pos++;
        return EDGE;
      case '.':
        this.pos++;
        return one;
      case '[':
        this.skipClass();
        return one;
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      case undefined:
        throw new Error(`regex analysis: unexpected end of /${this.src}/`);
      default:
        // One UTF-16 unit; a literal astral character is two units in the source, so two atoms.
        this.pos++;
        return ONE;
    }
  }

  private group(): Node {
    const rest = this.src.slice(this.pos);
    let lookaround = false;
    let capture = true;
    let name: string | undefined;
    if (rest.startsWith('(?:')) {
      capture = false;
      this.pos += 3;
    } else if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      lookaround = true;
      capture = false;
      this.pos += 3;
    } else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      lookaround = true;
      capture = false;
      this.pos += 4;
    } else if (rest.startsWith('(?<')) {
      const m = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(rest);
      if (!m) {
        throw new Error(`regex analysis: bad group name at ${this.pos} in /${this.src}/`);
      }
      name = m[1];
      this.pos += m[0].length;
    } else if (rest.startsWith('(?')) {
      throw new Error(`regex analysis: unsupported group syntax at ${this.pos} in /${this.src}/`);
    } else {
      this.pos += 1;
    }
    const index = capture ? ++this.groupCount : 0;
    if (name !== undefined) {
      this.groupNames.set(name, index);
    }
    const inner = this.disjunction();
    if (this.src[this.pos] !== ')') {
      throw new Error(`regex analysis: unclosed group in /${this.src}/`);
    }
    this.pos++;
    if (capture) {
      this.groupMax.set(index, inner.max);
    }
    if (!lookaround) {
      return inner;
    }
    // A lookaround consumes nothing but inspects text: a lookahead up to its reach after the
    // current position, a lookbehind up to inner.max (+ its own look behind) before it — and its
    // own lookaheads past the current position: what it matches starts ≥ inner.min before it.
    return rest.startsWith('(?<')
      ? { max: 0, min: 0, ahead: inner.ahead, behind: inner.max + inner.behind, reach: Math.max(0, Math.min(inner.ahead, inner.reach - inner.min)) }
      : { max: 0, min: 0, ahead: inner.max + inner.ahead, behind: inner.behind, reach: inner.reach };
  }

  private escape(): Node {
    const next = this.src[this.pos + 1];
    if (next === undefined) {
      throw new Error(`regex analysis: trailing backslash in /${this.src}/`);
    }
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return EDGE;
    }
    if (next === 'k') {
      const m = /^\\k<([A-Za-z_$][\w$]*)>/.exec(this.src.slice(this.pos));
      if (!m) {
        throw new Error(`regex analysis: bad \\k at ${this.pos} in /${this.src}/`);
      }
      this.pos += m[0].length;
      return this.backreference(this.groupNames.get(m[1]));
    }
    if (next >= '1' && next <= '9') {
      const m = /^\\(\d+)/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return this.backreference(Number(m[1]));
    }
    if (next === 'u') {
      const m = /^\\u(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]+\})/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return char(this.charWidth);
    }
    if (next === 'x') {
      const m = /^\\x[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return ONE;
    }
    if (next === 'p' || next === 'P') {
      const m = /^\\[pP]\{[^}]*\}/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return char(this.charWidth);
    }
    if (next === 'c') {
      this.pos += 3;
      return ONE;
    }
    this.pos += 2; // \d \w \s \n \. \/ …: one character
    return char(this.charWidth);
  }

  private backreference(index: number | undefined): Node {
    const max = index === undefined ? undefined : this.groupMax.get(index);
    if (max === undefined) {
      // A forward or self reference matches the empty string in JS, but such patterns are almost
      // always mistakes: refuse them rather than guess.
      throw new Error(`regex analysis: backreference to an unclosed group in /${this.src}/`);
    }
    return { max, min: 0, ahead: 0, behind: 0, reach: max };
  }

  private skipClass(): void {
    this.pos++; // '['
    if (this.src[this.pos] === '^') {
      this.pos++;
    }
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '\\') {
        this.pos += 2;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return;
      }
      this.pos++;
    }
    throw new Error(`regex analysis: unclosed character class in /${this.src}/`);
  }
}
