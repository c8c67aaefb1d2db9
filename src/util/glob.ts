/**
 * Glob matching whose cost is linear in the path: O(pattern length × path length), whatever the
 * pattern. picomatch (and any glob compiled to a backtracking RegExp) is exponential on patterns
 * like `*a*a*a…*b` against a long run of `a`s — 68 s for one file name — and exclusion patterns can
 * come from a cloned repository's `.vscode/settings.json`. So globs are never turned into RegExps
 * here: a pattern is split into `/` segments, each segment is matched by simulating its automaton
 * (a set of positions, never backtracking), and `**` segments by dynamic programming over
 * (pattern segment, path segment) pairs.
 *
 * Syntax, as picomatch reads it with `{ dot: true, nocase: true }` (the exclusion tests check the
 * two agree on generated globs): `*` (any run of characters but `/`), `?` (one character but `/`),
 * `[abc]`, `[a-z]`, `[!a]`/`[^a]` classes, `\` escapes, `**` as a whole segment (any number of
 * segments, including none), `**` inside a segment (as `*`), `{a,b}` alternatives (nested; expanded,
 * at most MAX_ALTERNATIVES), a leading `./`, trailing `/`. Dotfiles match like any other file.
 * Case-insensitive as a RegExp with the `i` flag is.
 *
 * Where picomatch has oddities, this reads the glob plainly, and in each case excludes at least as
 * much: `[!a]` is "any character but a" (bash, git; picomatch 4: "`!` or `a`"); `*.*` matches
 * `b.` (picomatch's fast path does not); `***` is `*`; `**` next to a brace group is read after
 * expanding the braces.
 *
 * Refused (with a reason, for the caller to report): extglobs (`+(a|b)`, `!(x)`…), POSIX classes
 * (`[[:alpha:]]`), ranges in braces (`{1..9}`), reversed character ranges (`[z-a]`), a pattern
 * longer than MAX_PATTERN_LENGTH, and braces expanding to more than MAX_ALTERNATIVES patterns.
 *
 * One file though over 450 lines: parsing and matching share the segment and token shapes and
 * are one algorithm, whose linear-time guarantee (above) must be checked in one place.
 */

/** Longer patterns are refused: no real exclusion glob is this long. */
export const MAX_PATTERN_LENGTH = 1024;
/** `{a,b}{c,d}…` multiplies: more alternatives than this and the pattern is refused. */
export const MAX_ALTERNATIVES = 64;

type Token =
  | { readonly k: 'lit'; readonly c: string; /** `c` case-folded */ readonly f: string }
  | { readonly k: 'any' }
  | { readonly k: 'star' }
  | { readonly k: 'class'; readonly negated: boolean; readonly items: readonly (readonly [string, string])[] };

/** One `/` segment of a pattern: `**` alone, or a list of tokens. */
type Segment =
  | { readonly k: 'globstar' }
  | {
      readonly k: 'tokens';
      readonly tokens: readonly Token[];
      /**
       * Fast paths, same answers: `literal` (no wildcard: compare folded text) and `onestar`
       * (`pre*suf` with literal ends, as most exclusion globs are: compare both ends).
       */
      readonly shape: 'literal' | 'onestar' | 'nfa';
      readonly pre: string;
      readonly suf: string;
    };

/** A compiled glob: call `matches` with a `/`-separated path. */
export interface CompiledGlob {
  readonly pattern: string;
  matches(path: string): boolean;
  /** The same, for a path already split on `/` and case-folded (`splitPath`): many globs, one path. */
  matchesSplit(path: SplitPath): boolean;
}

/** A path split on `/`, and each part case-folded (unit for unit: the lengths are the same). */
export interface SplitPath {
  readonly parts: readonly string[];
  readonly folded: readonly string[];
}

export function splitPath(path: string): SplitPath {
  const parts = path.split('/');
  return { parts, folded: parts.map(foldString) };
}

function foldString(s: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII test
  if (/^[\u0000-\u007f]*$/.test(s)) {
    return s.toUpperCase();
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    out += fold(s[i]);
  }
  return out;
}

export type GlobCompilation = { readonly ok: true; readonly glob: CompiledGlob } | { readonly ok: false; readonly reason: string };

/** Compiles `pattern`, or says why it is refused. Never throws. */
export function compileGlob(pattern: string): GlobCompilation {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, reason: `longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  if (/[?*+@!]\(/.test(pattern)) {
    return { ok: false, reason: 'extglob syntax (+(…), !(…), @(…), ?(…), *(…)) is not supported' };
  }
  if (pattern.includes('[:')) {
    return { ok: false, reason: 'POSIX character classes ([:alpha:]) are not supported' };
  }
  let body = pattern;
  while (body.startsWith('./')) {
    body = body.slice(2);
  }
  const expanded = expandBraces(body);
  if (expanded === undefined) {
    return { ok: false, reason: `braces expand to more than ${MAX_ALTERNATIVES} patterns` };
  }
  if (typeof expanded === 'string') {
    return { ok: false, reason: expanded };
  }
  const alternatives: Segment[][] = [];
  for (const alt of expanded) {
    const segments = parseSegments(alt);
    if (typeof segments === 'string') {
      return { ok: false, reason: segments };
    }
    alternatives.push(segments);
  }
  return {
    ok: true,
    glob: {
      pattern,
      matches(path: string): boolean {
        return this.matchesSplit(splitPath(path));
      },
      matchesSplit: (path: SplitPath): boolean => alternatives.some((segs) => matchSegments(segs, path.parts, path.folded)),
    },
  };
}

/**
 * `{a,b}` alternatives, expanded (nested braces too); a `{` without a matching `}` or without a
 * top-level comma is literal, as in picomatch. Undefined when there would be too many; a string
 * when refused for another reason.
 */
function expandBraces(pattern: string): string[] | string | undefined {
  const open = findBrace(pattern);
  if (open === undefined) {
    return [pattern];
  }
  const { start, end, parts } = open;
  if (parts.length === 1) {
    if (/^[^.]+\.\.[^.]+$/.test(parts[0])) {
      return 'ranges in braces ({1..9}) are not supported';
    }
    // `{x}`: literal braces; keep looking after them.
    const rest = expandBraces(pattern.slice(end + 1));
    if (rest === undefined || typeof rest === 'string') {
      return rest;
    }
    return rest.map((r) => pattern.slice(0, end + 1) + r);
  }
  const prefix = pattern.slice(0, start);
  const suffix = pattern.slice(end + 1);
  const out: string[] = [];
  for (const part of parts) {
    const inner = expandBraces(prefix + part + suffix);
    if (inner === undefined || typeof inner === 'string') {
      return inner;
    }
    for (const p of inner) {
      out.push(p);
      if (out.length > MAX_ALTERNATIVES) {
        return undefined;
      }
    }
  }
  return out;
}

/** The first `{…}` group (outermost), with its top-level comma-separated parts. */
function findBrace(pattern: string): { start: number; end: number; parts: string[] } | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = classEnd(pattern, i);
      if (close !== -1) {
        i = close;
      }
      continue;
    }
    if (c !== '{') {
      continue;
    }
    let depth = 0;
    let partStart = i + 1;
    const parts: string[] = [];
    for (let j = i; j < pattern.length; j++) {
      const d = pattern[j];
      if (d === '\\') {
        j++;
      } else if (d === '{') {
        depth++;
      } else if (d === '}') {
        depth--;
        if (depth === 0) {
          parts.push(pattern.slice(partStart, j));
          if (parts.length === 1 && parts[0] === '') {
            break; // `{}` is literal
          }
          return { start: i, end: j, parts };
        }
      } else if (d === ',' && depth === 1) {
        parts.push(pattern.slice(partStart, j));
        partStart = j + 1;
      }
    }
    // Unclosed (or empty) brace: literal; look for a later one.
  }
  return undefined;
}

/** Index of the `]` closing the class opened at `open`, or -1 when `[` is literal. */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') {
    i++;
  }
  if (pattern[i] === ']') {
    i++; // a leading `]` is a member
  }
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (c === '/') {
      return -1;
    } else if (c === ']') {
      return i;
    }
  }
  return -1;
}

function parseSegments(pattern: string): Segment[] | string {
  let p = pattern;
  // A trailing `/` says "a folder": matched as the path without it, as exclusion callers test both.
  while (p.length > 1 && p.endsWith('/') && !p.endsWith('\\/')) {
    p = p.slice(0, -1);
  }
  const segments: Segment[] = [];
  for (const raw of splitSegments(p)) {
    if (raw === '**') {
      // Consecutive `**` are one.
      if (segments.length === 0 || segments[segments.length - 1].k !== 'globstar') {
        segments.push({ k: 'globstar' });
      }
      continue;
    }
    const tokens = parseTokens(raw);
    if (typeof tokens === 'string') {
      return tokens;
    }
    segments.push(shapeOf(tokens));
  }
  return segments;
}

/** Splits on `/` outside escapes. */
function splitSegments(p: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      i++;
    } else if (p[i] === '/') {
      out.push(p.slice(start, i));
      start = i + 1;
    }
  }
  out.push(p.slice(start));
  return out;
}

function parseTokens(seg: string): Token[] | string {
  const tokens: Token[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\') {
      if (i + 1 < seg.length) {
        i++;
        tokens.push(lit(seg[i]));
      } else {
        tokens.push(lit(c));
      }
    } else if (c === '*') {
      // `**` inside a segment is a `*`; runs of stars are one.
      if (tokens.length === 0 || tokens[tokens.length - 1].k !== 'star') {
        tokens.push({ k: 'star' });
      }
    } else if (c === '?') {
      tokens.push({ k: 'any' });
    } else if (c === '[') {
      const close = classEnd(seg, i);
      if (close === -1) {
        tokens.push(lit(c));
        continue;
      }
      const cls = parseClass(seg.slice(i + 1, close));
      if (typeof cls === 'string') {
        return cls;
      }
      tokens.push(cls);
      i = close;
    } else {
      tokens.push(lit(c));
    }
  }
  return tokens;
}

function shapeOf(tokens: readonly Token[]): Segment {
  const stars = tokens.filter((t) => t.k === 'star').length;
  const literal = tokens.every((t) => t.k === 'lit' || t.k === 'star');
  const folded = (ts: readonly Token[]): string => ts.map((t) => (t.k === 'lit' ? t.f : '')).join('');
  if (literal && stars === 0) {
    return { k: 'tokens', tokens, shape: 'literal', pre: folded(tokens), suf: '' };
  }
  if (literal && stars === 1) {
    const at = tokens.findIndex((t) => t.k === 'star');
    return { k: 'tokens', tokens, shape: 'onestar', pre: folded(tokens.slice(0, at)), suf: folded(tokens.slice(at + 1)) };
  }
  return { k: 'tokens', tokens, shape: 'nfa', pre: '', suf: '' };
}

function lit(c: string): Token {
  return { k: 'lit', c, f: fold(c) };
}

function parseClass(body: string): Token | string {
  let i = 0;
  let negated = false;
  if (body[0] === '!' || body[0] === '^') {
    negated = true;
    i = 1;
  }
  const read = (): string => (body[i] === '\\' && i + 1 < body.length ? body[++i] : body[i]);
  const items: (readonly [string, string])[] = [];
  for (; i < body.length; i++) {
    const lo = read();
    // `a-z` is a range; a `-` first or last is a member.
    if (body[i + 1] === '-' && i + 2 < body.length) {
      i += 2;
      const hi = read();
      if (lo > hi) {
        return 'a character range is reversed ([z-a])';
      }
      items.push([lo, hi]);
    } else {
      items.push([lo, lo]);
    }
  }
  return { k: 'class', negated, items };
}

/** RegExp's `i` flag without `u`: simple upper-casing, never mapping non-ASCII to ASCII. */
function fold(c: string): string {
  const u = c.toUpperCase();
  if (u.length !== 1) {
    return c;
  }
  return c.charCodeAt(0) >= 128 && u.charCodeAt(0) < 128 ? c : u;
}

function inClass(items: readonly (readonly [string, string])[], c: string): boolean {
  const candidates = [c, c.toLowerCase(), c.toUpperCase()];
  for (const [lo, hi] of items) {
    for (const x of candidates) {
      if (x.length === 1 && x >= lo && x <= hi && fold(x) === fold(c)) {
        return true;
      }
    }
  }
  return false;
}

/** `c` is the path's character, `fc` the same case-folded. */
function tokenAccepts(t: Token, c: string, fc: string): boolean {
  switch (t.k) {
    case 'lit':
      return t.f === fc;
    case 'any':
      return true;
    case 'class':
      return inClass(t.items, c) !== t.negated;
    case 'star':
      return true;
  }
}

/**
 * Whether one segment's tokens match one path segment: the automaton's states are token
 * positions; each character advances the whole set at once, so the cost is tokens × characters.
 */
function matchSegment(seg: Segment & { k: 'tokens' }, s: string, fs: string): boolean {
  if (s === '') {
    return false; // picomatch: `*` needs a character; no segment of a path is empty
  }
  switch (seg.shape) {
    case 'literal':
      return fs === seg.pre;
    case 'onestar':
      return fs.length >= seg.pre.length + seg.suf.length && fs.startsWith(seg.pre) && fs.endsWith(seg.suf);
    case 'nfa':
      return matchTokens(seg.tokens, s, fs);
  }
}

function matchTokens(tokens: readonly Token[], s: string, fs: string): boolean {
  const n = tokens.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array): void => {
    // A star may match nothing: from a star's position, the position after it is reachable too.
    for (let i = 0; i < n; i++) {
      if (set[i] === 1 && tokens[i].k === 'star') {
        set[i + 1] = 1;
      }
    }
  };
  cur[0] = 1;
  close(cur);
  // UTF-16 units, as a RegExp without the `u` flag (picomatch's) reads them.
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    const fc = fs[j];
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (cur[i] !== 1) {
        continue;
      }
      const t = tokens[i];
      if (t.k === 'star') {
        next[i] = 1;
        any = true;
      } else if (tokenAccepts(t, c, fc)) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) {
      return false;
    }
    close(next);
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/**
 * Pattern segments against path segments. reach[j] = pattern segments 0..i-1 can match path
 * segments 0..j-1; a globstar lets any later j be reached. Cost: Σ over pairs of segment matching,
 * i.e. pattern length × path length.
 */
function matchSegments(segs: readonly Segment[], parts: readonly string[], folded: readonly string[]): boolean {
  const m = parts.length;
  let reach = new Uint8Array(m + 1);
  reach[0] = 1;
  for (const seg of segs) {
    const next = new Uint8Array(m + 1);
    if (seg.k === 'globstar') {
      let seen = false;
      for (let j = 0; j <= m; j++) {
        seen = seen || reach[j] === 1;
        if (seen) {
          next[j] = 1;
        }
      }
    } else {
      for (let j = 0; j < m; j++) {
        if (reach[j] === 1 && matchSegment(seg, parts[j], folded[j])) {
          next[j + 1] = 1;
        }
      }
    }
    reach = next;
  }
  return reach[m] === 1;
}
