/**
 * A small static analysis of regular-expression source, so that a rule's `maxLength` is derived
 * from its pattern rather than hand-maintained (a stale hand-written bound would silently break
 * windowed rescanning), and so that an unbounded quantifier (`*`, `+`, `{n,}`) is rejected when a
 * rule is defined — unbounded repetition is where catastrophic backtracking and unbounded windows
 * come from.
 *
 * The bound is conservative: lookarounds count as if they consumed their longest match, because
 * the text they inspect decides the detection just as much as the text they consume.
 */

/** Result of `analyzePattern`. */
export interface PatternBounds {
  /** Longest text that can decide one match (match + lookaround reach); Infinity if unbounded. */
  readonly maxLength: number;
  /** Shortest possible match (lookarounds count 0). */
  readonly minLength: number;
  /** Number of capture groups. */
  readonly groups: number;
}

interface Node {
  readonly max: number;
  readonly min: number;
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
    return { maxLength: node.max, minLength: node.min, groups: this.groupCount };
  }

  private disjunction(): Node {
    let max = 0;
    let min = Infinity;
    for (;;) {
      const alt = this.alternative();
      max = Math.max(max, alt.max);
      min = Math.min(min, alt.min);
      if (this.src[this.pos] !== '|') {
        break;
      }
      this.pos++;
    }
    return { max, min };
  }

  private alternative(): Node {
    let max = 0;
    let min = 0;
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const term = this.term();
      max += term.max;
      min += term.min;
    }
    return { max, min };
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
    return { max: atom.max * q.max, min: atom.min * q.min };
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
    const one = { max: this.charWidth, min: 1 };
    switch (c) {
      case '^':
      case '$':
        this.pos++;
        return { max: 0, min: 0 };
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
        return { max: 1, min: 1 };
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
    // A lookaround consumes nothing but inspects up to inner.max characters: count them in the
    // bound (conservative), not in the minimum.
    return lookaround ? { max: inner.max, min: 0 } : inner;
  }

  private escape(): Node {
    const next = this.src[this.pos + 1];
    if (next === undefined) {
      throw new Error(`regex analysis: trailing backslash in /${this.src}/`);
    }
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { max: 0, min: 0 };
    }
    if (next === 'k') {
      const m = /^\\k<([A-Za-z_$][\w$]*)>/.exec(this.src.slice(this.pos));
      if (!m) {
        throw new Error(`regex analysis: bad \\k at ${this.pos} in /${this.src}/`);
      }
      this.pos += m[0].length;
      return this.backreference(this.groupNames.get(m[1]!));
    }
    if (next >= '1' && next <= '9') {
      const m = /^\\(\d+)/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return this.backreference(Number(m[1]));
    }
    if (next === 'u') {
      const m = /^\\u(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]+\})/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return { max: this.charWidth, min: 1 };
    }
    if (next === 'x') {
      const m = /^\\x[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return { max: 1, min: 1 };
    }
    if (next === 'p' || next === 'P') {
      const m = /^\\[pP]\{[^}]*\}/.exec(this.src.slice(this.pos));
      this.pos += m ? m[0].length : 2;
      return { max: this.charWidth, min: 1 };
    }
    if (next === 'c') {
      this.pos += 3;
      return { max: 1, min: 1 };
    }
    this.pos += 2; // \d \w \s \n \. \/ …: one character
    return { max: this.charWidth, min: 1 };
  }

  private backreference(index: number | undefined): Node {
    const max = index === undefined ? undefined : this.groupMax.get(index);
    if (max === undefined) {
      // A forward or self reference matches the empty string in JS, but such patterns are almost
      // always mistakes: refuse them rather than guess.
      throw new Error(`regex analysis: backreference to an unclosed group in /${this.src}/`);
    }
    return { max, min: 0 };
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
