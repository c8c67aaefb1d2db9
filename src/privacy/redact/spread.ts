import { isPlaceholder, shannonEntropy } from '../heuristics';
import { KeywordAutomaton } from '../keywords';
import { mergeOverlapping } from '../merge';
import type { FoundSpan } from './scanners';
import { KIND_RANK } from './scanners';

/**
 * Spreading: once a value is known to be a secret, every occurrence of it is redacted, not only
 * the one a rule matched. A rule often needs context (`password: "V"`, `TWILIO_API_KEY=SK…`), and
 * the same V two lines later in `login(user, "V")`, in a terminal command, in a path, or in another
 * document typed one key at a time, has none. So after detection (pass 1, scanPass.ts) the values
 * found are looked for again, as plain literals, in every text of the stream: every version of
 * every document (windows around each edit, as detection does, so a value typed key by key in a
 * second file is found when its last key lands), every other string, and every place *earlier* in
 * the stream than where a rule recognised the value.
 *
 * What spreads (`spreadable`): secrets and personal data of at least `SPREAD_MIN_LENGTH`
 * characters that are not placeholders and have some variety (`SPREAD_MIN_ENTROPY`). A rule that
 * accepts a short value only in context (a 3-character password in a connection string) must
 * not make every `abc` of the code a placeholder. Identity and path spans do not spread: their
 * rules need no context and already run over every text, and their values (a user name, a host
 * name) are short words that, as bare literals, would be cut out of longer words.
 *
 * Besides the value itself, its common encodings spread (`encodings`): JSON-escaped,
 * URL-encoded (upper- and lower-case hex, `+` for space), and — for values of at least
 * `BASE64_MIN_LENGTH` characters — base64 and base64url of its UTF-8 bytes at each of the three
 * byte alignments it can have inside a longer base64 text (`Basic <user:password>`, a Kubernetes
 * secret), keeping only the characters that depend on the value alone.
 *
 * Matching: one Aho–Corasick automaton (../keywords.ts) over *chunks* of the encodings, verified
 * exactly (case-sensitively) where a chunk hits. An encoding of `L ≤ CHUNK` characters is one
 * chunk; a longer one is cut into chunks at multiples of `CHUNK`, plus the chunk ending at its last
 * character. Any occurrence that an edit's changed range touches has a whole chunk within
 * `reach = min(longest, 2·CHUNK) − 1` characters of that range (see `reach`), so the rescan window
 * after an edit stays that small whatever the length of the values (a PEM block spreads too), and
 * the automaton's size grows with the values' total length, not with their count squared.
 */

/** Shortest value that spreads. */
export const SPREAD_MIN_LENGTH = 8;
/** Least Shannon entropy (bits per character) of a value that spreads. */
export const SPREAD_MIN_ENTROPY = 2.5;
/** Shortest value whose base64 forms spread (shorter ones make base64 fragments of a few characters). */
export const BASE64_MIN_LENGTH = 16;
/** Longest value that spreads (a private-key block is ~3 k characters). */
export const SPREAD_MAX_LENGTH = 8192;
/** Longest value whose base64 forms spread (bounds the automaton for long blocks). */
const BASE64_MAX_LENGTH = 1024;
/** Chunk length of long encodings. */
const CHUNK = 32;

/** A detected value and the label its placeholder carries. */
export interface SpreadValue {
  readonly text: string;
  readonly rule: string;
  readonly kind: string;
}

/** Whether a value found by a rule of `kind` is looked for everywhere (see the file comment). */
export function spreadable(value: string, kind: string): boolean {
  if (kind !== 'secret' && kind !== 'pii') {
    return false;
  }
  if (value.length < SPREAD_MIN_LENGTH || value.length > SPREAD_MAX_LENGTH) {
    return false;
  }
  return !isPlaceholder(value) && shannonEntropy(value) >= SPREAD_MIN_ENTROPY;
}

function utf8(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function base64Of(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) {
    bin += String.fromCharCode(b);
  }
  // btoa rather than Buffer: this folder must also run where Node's Buffer does not (web).
  return btoa(bin);
}

/**
 * The base64 characters that depend on `value` alone, at each byte alignment (0, 1, 2 bytes of
 * something before it): with `s` bytes before, the first `ceil(8s/6)` characters mix in the bytes
 * before and the characters past `floor(8(s+n)/6)` the bytes after.
 */
export function base64Cores(value: string): string[] {
  const bytes = utf8(value);
  const out: string[] = [];
  for (let s = 0; s < 3; s++) {
    const padded = new Uint8Array(s + bytes.length);
    padded.set(bytes, s);
    const b64 = base64Of(padded);
    out.push(b64.slice(Math.ceil((8 * s) / 6), Math.floor((8 * (s + bytes.length)) / 6)));
  }
  return out;
}

/** `value` and the forms it commonly takes in other texts (deduplicated, the value first). */
export function encodings(value: string): string[] {
  const out = new Set<string>([value]);
  const json = JSON.stringify(value).slice(1, -1);
  out.add(json);
  out.add(json.replace(/\//g, '\\/'));
  const url = encodeURIComponent(value);
  out.add(url);
  out.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  out.add(url.replace(/%20/g, '+'));
  if (value.length >= BASE64_MIN_LENGTH && value.length <= BASE64_MAX_LENGTH) {
    for (const core of base64Cores(value)) {
      out.add(core);
      out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out].filter((e) => e.length >= SPREAD_MIN_LENGTH);
}

/** One form of one value. */
interface Form {
  readonly text: string;
  /** The value it encodes (what the placeholder is keyed by). */
  readonly value: string;
  readonly rule: string;
  readonly kind: string;
  /** Personal data must not be cut out of a longer word or number (`a@b.io` in `xa@b.iox`). */
  readonly bounded: boolean;
}

/** Reads `[start, end)` of the text being searched (which may extend past the scanned window). */
export type Reader = (start: number, end: number) => string;

/** A hit: `[start, end)` in the searched text's coordinates holds form `form`. */
export type SpreadHit = (start: number, end: number, value: string, rule: string, kind: string) => void;

function isWordChar(c: string): boolean {
  return c.length === 1 && /[A-Za-z0-9_]/.test(c);
}

/** The literal finder over every form of every spreading value. Immutable once built. */
export class SpreadSet {
  private readonly forms: Form[] = [];
  private readonly automaton: KeywordAutomaton;
  /** Per automaton keyword: `[form, offset of the chunk in the form]` pairs, flat. */
  private readonly chunkForms: number[][] = [];
  /** Longest form. */
  readonly maxLength: number;
  /**
   * How far a rescan window must extend on each side of a changed range: every occurrence that
   * touches the range has a whole chunk within it. An occurrence of length L ≤ 2·CHUNK lies
   * wholly within L − 1 of any point of it; a longer one, seen from a point p in it, has within
   * 2·CHUNK − 1 either its first chunk, its last chunk, or one of its aligned chunks.
   */
  readonly reach: number;

  constructor(values: readonly SpreadValue[]) {
    const seen = new Set<string>();
    const chunks = new Map<string, number>();
    const words: string[] = [];
    for (const v of values) {
      if (!spreadable(v.text, v.kind)) {
        continue;
      }
      for (const text of encodings(v.text)) {
        if (seen.has(text)) {
          continue;
        }
        seen.add(text);
        const f = this.forms.length;
        this.forms.push({ text, value: v.text, rule: v.rule, kind: v.kind, bounded: v.kind === 'pii' });
        const offsets: number[] = [];
        if (text.length <= CHUNK) {
          offsets.push(0);
        } else {
          for (let o = 0; o + CHUNK <= text.length; o += CHUNK) {
            offsets.push(o);
          }
          if (text.length % CHUNK !== 0) {
            offsets.push(text.length - CHUNK);
          }
        }
        for (const o of offsets) {
          const chunk = text.slice(o, Math.min(text.length, o + CHUNK));
          let id = chunks.get(chunk);
          if (id === undefined) {
            id = words.length;
            chunks.set(chunk, id);
            words.push(chunk);
            this.chunkForms.push([]);
          }
          this.chunkForms[id].push(f, o);
        }
      }
    }
    this.automaton = new KeywordAutomaton(words);
    this.maxLength = this.forms.reduce((m, f) => Math.max(m, f.text.length), 0);
    this.reach = Math.max(0, Math.min(this.maxLength, 2 * CHUNK) - 1);
  }

  /** Whether there is anything to look for. */
  get empty(): boolean {
    return this.forms.length === 0;
  }

  /**
   * Finds every form whose occurrence has a chunk inside `window` (a slice of a longer text that
   * starts at `offset` and is `length` long; `read` reads that text), verified exactly.
   */
  findIn(window: string, offset: number, length: number, read: Reader, hit: SpreadHit): void {
    if (this.forms.length === 0 || window.length === 0) {
      return;
    }
    let done: Set<string> | undefined;
    this.automaton.find(window, (id, end) => {
      const pairs = this.chunkForms[id];
      const chunkLength = this.automaton.keywords[id].length;
      for (let k = 0; k < pairs.length; k += 2) {
        const form = this.forms[pairs[k]];
        const start = offset + end - chunkLength - pairs[k + 1];
        const stop = start + form.text.length;
        if (start < 0 || stop > length) {
          continue;
        }
        const key = `${pairs[k]}:${start}`;
        if (done?.has(key) === true) {
          continue;
        }
        const inside = start >= offset && stop <= offset + window.length;
        const text = inside ? window.slice(start - offset, stop - offset) : read(start, stop);
        if (text !== form.text) {
          continue;
        }
        if (form.bounded && (isWordChar(read(start - 1, start)) || isWordChar(read(stop, stop + 1)))) {
          continue;
        }
        done ??= new Set();
        done.add(key);
        hit(start, stop, form.value, form.rule, form.kind);
      }
      return false;
    });
  }

  /** Every occurrence in a whole text, as spans keyed by the value they encode. */
  scan(text: string): FoundSpan[] {
    const out: FoundSpan[] = [];
    this.findIn(text, 0, text.length, (s, e) => text.slice(Math.max(0, s), Math.min(text.length, e)), (start, end, value, rule, kind) => {
      out.push({ start, end, rule, kind: kind as FoundSpan['kind'], value });
    });
    return out.sort((a, b) => a.start - b.start || b.end - a.end);
  }
}

/**
 * `found` (a text's detector spans) together with `spread`'s occurrences in the same text.
 * Overlaps merge into one span (the union is redacted); a span that is exactly a spread hit keeps
 * the value the hit encodes, so an encoded form gets the value's own placeholder.
 */
export function withSpread(found: FoundSpan[], spread: readonly FoundSpan[], isGeneric: (rule: string) => boolean): FoundSpan[] {
  if (spread.length === 0) {
    return found;
  }
  const valueOf = new Map(spread.map((h) => [`${h.start}:${h.end}:${h.rule}`, h.value]));
  return mergeOverlapping<FoundSpan['kind'], FoundSpan>([...found, ...spread], KIND_RANK, (h) => isGeneric(h.rule)).map((m) => {
    const value = valueOf.get(`${m.start}:${m.end}:${m.rule}`);
    return value === undefined ? m : { ...m, value };
  });
}

/** The values of `spans` in `text`, with their labels. */
export function valuesOf(text: string, spans: readonly FoundSpan[]): SpreadValue[] {
  return spans.map((s) => ({ text: s.value ?? text.slice(s.start, s.end), rule: s.rule, kind: s.kind }));
}
