/**
 * Where a rule's matches can start, relative to its keyword occurrences — so the detector can run
 * the rule's regex only at those places (a sticky match per occurrence) instead of over the whole
 * text. Measured on node_modules: a case-insensitive literal like `token` makes V8 scan at ~1.2
 * GB/s, which over 100+ rules is most of the detector's time, while one sticky attempt costs
 * ~60 ns; `token` occurs about once per KB of code.
 *
 * The analysis is static and conservative: it proves, from the pattern alone, that every match
 * starts at a fixed distance from an occurrence of one of the rule's keywords, and gives up
 * (returns undefined: scan the whole text) on anything it does not understand. Two shapes are
 * recognised, per top-level alternative:
 *
 * - a literal prefix: every match starts with one of a finite set of strings (`token`,
 *   `[Pp]hone|PHONE`, `(?:password|pwd)`), each containing a keyword at a known offset;
 * - a literal followed by a lookbehind over a finite set of strings (`key(?<=(?:api|access)[_.-]?key)`),
 *   each containing a keyword at a known offset from the match start.
 *
 * Zero-width assertions (`(?<![\w-])`, `(?=…)`, `^`, `\b`) before or between the literals consume
 * nothing, so they are skipped: skipping a constraint only widens the set of possible matches.
 *
 * One file though over 450 lines: the regex parser at the end exists only for this analysis (it
 * builds exactly the nodes the analysis reads, and gives up wherever the analysis would).
 */

/** A match can start at `end + delta` for an occurrence of `keyword` ending (exclusive) at `end`. */
export interface KeywordAnchor {
  readonly keyword: string;
  readonly delta: number;
}

type Node =
  | { readonly t: 'chars'; readonly chars: readonly string[] | undefined } // undefined: not a small literal set
  | { readonly t: 'zero' } // an edge or a lookahead/negative lookbehind: consumes nothing
  | { readonly t: 'behind'; readonly inner: Node } // a positive lookbehind
  | { readonly t: 'alt'; readonly alts: readonly Node[] }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly atom: Node; readonly min: number; readonly max: number }
  | { readonly t: 'opaque' }; // a backreference: consumes something unknown

/** Most strings a literal set may hold before the analysis gives up on it. */
const MAX_SET = 64;
/** Longest string of a literal set. */
const MAX_STRING = 64;

/** What `analyzeAnchors` proves about a pattern. */
export interface AnchorAnalysis {
  /** Where matches can start relative to keyword occurrences; undefined: not proven. */
  readonly anchors: readonly KeywordAnchor[] | undefined;
  /**
   * The literal every match starts with (lower-cased: the longest common prefix of the pattern's
   * literal prefixes), when it has at least two characters: V8 then scans for it natively, far
   * faster than any per-character JavaScript loop. Undefined otherwise (`(?:phone|mobile)`, a
   * leading class, unknown syntax).
   */
  readonly literalPrefix: string | undefined;
}

const NOTHING: AnchorAnalysis = { anchors: undefined, literalPrefix: undefined };

/** Both analyses of a pattern with `keywords`, from one parse. */
export function analyzeAnchors(source: string, flags: string, keywords: readonly string[]): AnchorAnalysis {
  if (flags.includes('u') || flags.includes('v')) {
    // Unicode case folding (/iu) matches characters the keyword automaton does not fold (K, ſ).
    return NOTHING;
  }
  let root: Node;
  try {
    root = new Parser(source).run();
  } catch {
    return NOTHING;
  }
  const sets = new Sets();
  return { anchors: keywords.length === 0 ? undefined : anchorsOf(root, keywords, sets), literalPrefix: commonPrefix(sets.prefixes(root)) };
}

/**
 * The anchors of a pattern with `keywords`, or undefined when matches cannot be proven to start
 * at a fixed distance from a keyword occurrence.
 */
export function keywordAnchors(source: string, flags: string, keywords: readonly string[]): readonly KeywordAnchor[] | undefined {
  return analyzeAnchors(source, flags, keywords).anchors;
}

/** `analyzeAnchors(…).literalPrefix`. */
export function literalPrefix(source: string, flags: string): string | undefined {
  return analyzeAnchors(source, flags, []).literalPrefix;
}

function anchorsOf(root: Node, keywords: readonly string[], sets: Sets): KeywordAnchor[] | undefined {
  const lowered = keywords.map((k) => k.toLowerCase());
  const out = new Map<string, KeywordAnchor>();
  const alternatives = root.t === 'alt' ? root.alts : [root];
  for (const alt of alternatives) {
    const anchors = alternativeAnchors(alt, lowered, sets);
    if (anchors === undefined) {
      return undefined;
    }
    for (const a of anchors) {
      out.set(`${a.delta}\u0000${a.keyword}`, a);
    }
  }
  return [...out.values()];
}

function commonPrefix(prefixes: readonly string[] | undefined): string | undefined {
  if (prefixes === undefined || prefixes.length === 0) {
    return undefined;
  }
  let common = prefixes[0];
  for (const p of prefixes) {
    let n = 0;
    while (n < common.length && n < p.length && common[n] === p[n]) {
      n++;
    }
    common = common.slice(0, n);
  }
  return common.length >= 2 ? common : undefined;
}

function alternativeAnchors(node: Node, keywords: readonly string[], sets: Sets): KeywordAnchor[] | undefined {
  const items = node.t === 'seq' ? node.items : [node];
  // Shape 2: zero-width items, a fully literal run, then a positive lookbehind over a literal set.
  let i = 0;
  while (i < items.length && items[i].t === 'zero') {
    i++;
  }
  let literal: readonly string[] = [''];
  for (; i < items.length; i++) {
    const item = items[i];
    if (item.t === 'zero') {
      continue;
    }
    if (item.t === 'behind') {
      const behind = sets.lang(item.inner);
      if (behind !== undefined) {
        const anchors: KeywordAnchor[] = [];
        let ok = true;
        for (const l of literal) {
          for (const s of behind) {
            if (!s.endsWith(l) && !l.endsWith(s)) {
              continue; // both end at the same place of the text: they cannot both match
            }
            // `s` ends where the lookbehind stands: |l| after the match start.
            const a = anchorIn(s, keywords, l.length - s.length);
            if (a === undefined) {
              ok = false;
              break;
            }
            anchors.push(a);
          }
        }
        if (ok && anchors.length > 0) {
          return anchors;
        }
      }
      break;
    }
    const set = sets.lang(item);
    if (set === undefined) {
      break;
    }
    const joined = product(literal, set);
    if (joined === undefined) {
      break;
    }
    literal = joined;
  }
  // Shape 1: the literal prefixes of the match.
  const prefixes = sets.prefixes(node);
  if (prefixes === undefined) {
    return undefined;
  }
  const anchors: KeywordAnchor[] = [];
  for (const p of prefixes) {
    const a = anchorIn(p, keywords, 0);
    if (a === undefined) {
      return undefined;
    }
    anchors.push(a);
  }
  return anchors;
}

/**
 * The longest keyword inside `s`, as an anchor: `s` starts at `offset` from the match start
 * (negative: before it).
 */
function anchorIn(s: string, keywords: readonly string[], offset: number): KeywordAnchor | undefined {
  let best: KeywordAnchor | undefined;
  let bestLength = 0;
  for (const k of keywords) {
    const j = s.indexOf(k);
    if (j >= 0 && k.length > bestLength) {
      // The occurrence ends at matchStart + offset + j + |k|.
      best = { keyword: k, delta: -(offset + j + k.length) };
      bestLength = k.length;
    }
  }
  return best;
}

function product(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length * b.length > MAX_SET) {
    return undefined;
  }
  const out = new Set<string>();
  for (const x of a) {
    for (const y of b) {
      if (x.length + y.length > MAX_STRING) {
        return undefined;
      }
      out.add(x + y);
    }
  }
  return [...out];
}

/**
 * The literal sets of a parsed pattern's nodes, each computed once (the anchors and the prefix
 * ask about the same nodes several times).
 */
class Sets {
  private readonly langs = new Map<Node, readonly string[] | undefined>();
  private readonly heads = new Map<Node, readonly string[] | undefined>();

  /** Every string the node can match, when that is a small finite set (zero-width parts ignored). */
  lang(node: Node): readonly string[] | undefined {
    if (!this.langs.has(node)) {
      this.langs.set(node, this.computeLang(node));
    }
    return this.langs.get(node);
  }

  /**
   * Strings one of which every match of `node` starts with (possibly empty strings: no prefix
   * known), or undefined when the node is not understood.
   */
  prefixes(node: Node): readonly string[] | undefined {
    if (!this.heads.has(node)) {
      this.heads.set(node, this.computePrefixes(node));
    }
    return this.heads.get(node);
  }

  private computeLang(node: Node): readonly string[] | undefined {
    switch (node.t) {
      case 'chars':
        return node.chars;
      case 'zero':
      case 'behind':
        return [''];
      case 'opaque':
        return undefined;
      case 'alt': {
        const out = new Set<string>();
        for (const a of node.alts) {
          const s = this.lang(a);
          if (s === undefined) {
            return undefined;
          }
          s.forEach((x) => out.add(x));
          if (out.size > MAX_SET) {
            return undefined;
          }
        }
        return [...out];
      }
      case 'seq': {
        let acc: readonly string[] | undefined = [''];
        for (const item of node.items) {
          const s = this.lang(item);
          acc = s === undefined ? undefined : product(acc, s);
          if (acc === undefined) {
            return undefined;
          }
        }
        return acc;
      }
      case 'rep': {
        const s = this.lang(node.atom);
        if (s === undefined || node.max > 8) {
          return undefined;
        }
        const out = new Set<string>();
        let acc: readonly string[] | undefined = [''];
        for (let n = 0; n <= node.max; n++) {
          if (n >= node.min) {
            acc.forEach((x) => out.add(x));
          }
          if (n < node.max) {
            acc = product(acc, s);
            if (acc === undefined || out.size > MAX_SET) {
              return undefined;
            }
          }
        }
        return [...out];
      }
    }
  }

  private computePrefixes(node: Node): readonly string[] | undefined {
    switch (node.t) {
      case 'zero':
      case 'behind':
      case 'opaque':
        return [''];
      case 'chars':
        return node.chars ?? [''];
      case 'alt': {
        const out = new Set<string>();
        for (const a of node.alts) {
          const p = this.prefixes(a);
          if (p === undefined) {
            return undefined;
          }
          p.forEach((x) => out.add(x));
        }
        return out.size > MAX_SET ? [''] : [...out];
      }
      case 'rep':
        return node.min === 0 ? [''] : this.prefixes(node.atom);
      case 'seq': {
        let acc: readonly string[] = [''];
        for (const item of node.items) {
          const whole = this.lang(item);
          if (whole !== undefined) {
            const next = product(acc, whole);
            if (next === undefined) {
              return acc;
            }
            acc = next;
            continue;
          }
          const p = this.prefixes(item);
          if (p === undefined) {
            return undefined;
          }
          return product(acc, p) ?? acc;
        }
        return acc;
      }
    }
  }
}

/** Escapes that stand for one control character. */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };
const ZERO: Node = { t: 'zero' };
const UNKNOWN: Node = { t: 'chars', chars: undefined };

/** A parser for the regex subset the rules use; throws on anything else (the caller gives up). */
class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  run(): Node {
    const node = this.disjunction();
    if (this.pos !== this.src.length) {
      throw new Error('unexpected )');
    }
    return node;
  }

  private disjunction(): Node {
    const alts: Node[] = [this.alternative()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      alts.push(this.alternative());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private alternative(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      const q = this.quantifier();
      items.push(q === undefined ? atom : atom.t === 'zero' ? atom : { t: 'rep', atom, min: q.min, max: q.max });
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.src[this.pos];
    let q: { min: number; max: number } | undefined;
    if (c === '*' || c === '+' || c === '?') {
      q = { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m) {
        const lo = Number(m[1]);
        q = { min: lo, max: m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]) };
        this.pos += m[0].length;
      }
    }
    if (q !== undefined && this.src[this.pos] === '?') {
      this.pos++;
    }
    return q;
  }

  private atom(): Node {
    const c = this.src[this.pos];
    switch (c) {
      case '^':
      case '$':
        this.pos++;
        return ZERO;
      case '.':
        this.pos++;
        return UNKNOWN;
      case '[':
        return this.charClass();
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case ')':
      case undefined:
        throw new Error('unexpected token');
      default:
        this.pos++;
        return this.literal(c);
    }
  }

  /**
   * One literal character, lower-cased: the keyword automaton folds case, so whether the pattern
   * is case-insensitive does not matter. Only ASCII is trusted (non-ASCII case folding differs).
   */
  private literal(c: string): Node {
    if (c.charCodeAt(0) >= 128) {
      return UNKNOWN;
    }
    return { t: 'chars', chars: [c.toLowerCase()] };
  }

  private group(): Node {
    const at = (prefix: string): boolean => this.src.startsWith(prefix, this.pos);
    let kind: 'plain' | 'ahead' | 'behind' | 'notBehind' = 'plain';
    if (at('(?:')) {
      this.pos += 3;
    } else if (at('(?=') || at('(?!')) {
      kind = 'ahead';
      this.pos += 3;
    } else if (at('(?<=')) {
      kind = 'behind';
      this.pos += 4;
    } else if (at('(?<!')) {
      kind = 'notBehind';
      this.pos += 4;
    } else if (at('(?<')) {
      const m = /^\(\?<[A-Za-z_$][\w$]*>/.exec(this.src.slice(this.pos));
      if (!m) {
        throw new Error('bad group');
      }
      this.pos += m[0].length;
    } else if (at('(?')) {
      throw new Error('unsupported group');
    } else {
      this.pos++;
    }
    const inner = this.disjunction();
    if (this.src[this.pos] !== ')') {
      throw new Error('unclosed group');
    }
    this.pos++;
    if (kind === 'ahead' || kind === 'notBehind') {
      return ZERO;
    }
    return kind === 'behind' ? { t: 'behind', inner } : inner;
  }

  private escape(): Node {
    const next = this.src[this.pos + 1];
    if (next === undefined) {
      throw new Error('trailing backslash');
    }
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return ZERO;
    }
    if ((next >= '1' && next <= '9') || next === 'k') {
      const m = /^\\(?:\d+|k<[^>]*>)/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return { t: 'opaque' };
    }
    const ch = this.escapedChar();
    return ch === undefined ? UNKNOWN : this.literal(ch);
  }

  /** Reads an escape; the character it stands for, or undefined for a class escape (\d, \w…). */
  private escapedChar(): string | undefined {
    const next = this.src[this.pos + 1];
    const simple = SIMPLE_ESCAPES;
    if (next === 'x' || next === 'u') {
      const m = /^\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4}))/.exec(this.src.slice(this.pos));
      if (!m) {
        throw new Error('unsupported escape');
      }
      this.pos += m[0].length;
      return String.fromCharCode(parseInt(m[1] ?? m[2], 16));
    }
    this.pos += 2;
    if (next in simple) {
      return simple[next];
    }
    if (/[A-Za-z]/.test(next)) {
      if (next === 'c' || next === 'p' || next === 'P') {
        throw new Error('unsupported escape');
      }
      return undefined; // \d \w \s \D \W \S
    }
    return next; // \. \/ \- \$ …
  }

  /** A character class: the set of characters it matches when small and explicit. */
  private charClass(): Node {
    this.pos++;
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const chars = new Set<string>();
    let known = !negated;
    while (this.pos < this.src.length && this.src[this.pos] !== ']') {
      const c = this.classChar();
      if (c !== undefined && this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const d = this.classChar();
        if (d === undefined) {
          known = false;
          continue;
        }
        const lo = c.charCodeAt(0);
        const hi = d.charCodeAt(0);
        if (hi - lo > 16) {
          known = false;
          continue;
        }
        for (let x = lo; x <= hi; x++) {
          chars.add(String.fromCharCode(x));
        }
        continue;
      }
      if (c === undefined) {
        known = false;
      } else {
        chars.add(c);
      }
    }
    if (this.src[this.pos] !== ']') {
      throw new Error('unclosed class');
    }
    this.pos++;
    if (!known || chars.size === 0) {
      return UNKNOWN;
    }
    const out = new Set<string>();
    for (const c of chars) {
      if (c.charCodeAt(0) >= 128) {
        return UNKNOWN;
      }
      out.add(c.toLowerCase());
    }
    return { t: 'chars', chars: [...out] };
  }

  /** One class member: a character, or undefined for a class escape (\d, \w, \s). */
  private classChar(): string | undefined {
    const c = this.src[this.pos];
    if (c === '\\') {
      if (this.src[this.pos + 1] === 'b') {
        this.pos += 2;
        return '\b';
      }
      return this.escapedChar();
    }
    this.pos++;
    return c;
  }
}
