import * as fc from 'fast-check';
import type { CandorEvent, Change, LoggedEvent } from '../../../../src/model/events';
import { defaultDetector } from '../../../../src/privacy/detect';
import { maskPlaceholders } from '../../../../src/privacy/redact/placeholders';
import type { Span } from '../../../../src/privacy/types';
import { sha256Hex } from '../../../../src/replay/hash';

/** fast-check runs: 1000 by default; CANDOR_FC_RUNS overrides (e.g. 5000 for a soak, 50 while iterating). */
export function fcRuns(): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1000;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BASE64 = ALNUM + '+/';

export type SecretKind = 'github' | 'aws' | 'stripe' | 'password' | 'pem';

/**
 * A generated secret. `value` is what is inserted into documents and commands; `secret` is the
 * part that must never survive (for a PEM block: its base64 body), `prefix` its public prefix
 * (`ghp_`, `AKIA`, `sk_live_`), which is not secret.
 */
export interface Secret {
  readonly kind: SecretKind;
  readonly value: string;
  readonly secret: string;
  readonly prefix: string;
  /** The rule expected to label it. */
  readonly rule: string;
}

/** How a secret sits in a document line: `pre` + value + `post`. */
export const SLOTS: Readonly<Record<SecretKind, { pre: string; post: string }>> = {
  github: { pre: 'const gh = "', post: '";' },
  aws: { pre: 'const id = "', post: '";' },
  stripe: { pre: 'const st = "', post: '";' },
  password: { pre: 'password = "', post: '"' },
  pem: { pre: 'const pem = `', post: '`;' },
};

/** Command lines and outputs a secret appears in. */
export function termCommand(s: Secret): string {
  switch (s.kind) {
    case 'password':
      return `export DB_PASSWORD=${s.value}`;
    case 'pem':
      return `echo "${s.value}"`;
    default:
      return `echo ${s.value} > out.txt`;
  }
}

export function termOutput(s: Secret): string {
  return s.kind === 'password' ? `DB_PASSWORD=${s.value}\n` : `${s.value}\n`;
}

/** The non-secret words of those templates (for the survival check's exclusions). */
export const TERM_TEMPLATES = ['export DB_PASSWORD=', 'echo "', '"', 'echo ', ' > out.txt', 'DB_PASSWORD=', '\n'];

function chars(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
}

/**
 * The rule that labels `value` in its slot when the detector finds exactly it (all of it, as one
 * secret span), else undefined. The generic rules are still being tuned, so tests ask the
 * detector rather than hard-coding their ids.
 */
export function ruleInSlot(kind: SecretKind, value: string): string | undefined {
  const slot = SLOTS[kind];
  const text = `x();\n${slot.pre}${value}${slot.post}\ny();\n`;
  const spans = defaultDetector.detect(text);
  const at = text.indexOf(value);
  const ok = spans.length === 1 && spans[0].kind === 'secret' && spans[0].start === at && spans[0].end === at + value.length;
  return ok ? spans[0].rule : undefined;
}

function make(kind: SecretKind, value: string, secret: string, prefix: string, rule: string): Secret {
  return { kind, value, secret, prefix, rule };
}

/** Secrets of one kind, built from random parts the corresponding rule accepts. */
export function secretArb(kind: SecretKind): fc.Arbitrary<Secret> {
  switch (kind) {
    case 'github':
      return chars(ALNUM, 36, 36).map((b) => make(kind, `ghp_${b}`, `ghp_${b}`, 'ghp_', 'github-pat'));
    case 'aws':
      return chars(BASE32, 16, 16)
        .filter((b) => !`AKIA${b}`.includes('EXAMPLE'))
        .map((b) => make(kind, `AKIA${b}`, `AKIA${b}`, 'AKIA', 'aws-access-key-id'));
    case 'stripe':
      return chars(ALNUM, 24, 40).map((b) => make(kind, `sk_live_${b}`, `sk_live_${b}`, 'sk_live_', 'stripe-secret-key'));
    case 'password':
      // High-entropy: letters of both cases, at least three digits, a symbol now and then.
      return fc
        .tuple(chars(ALNUM + '!%*+', 10, 20), chars('0123456789', 3, 4), chars('abcdefghijklmnopqrstuvwxyz', 1, 2), chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1, 2))
        .map(([a, d, l, u]) => `${l}${a.slice(0, 5)}${d}${u}${a.slice(5)}`)
        .map((v) => ({ v, rule: ruleInSlot(kind, v) }))
        .filter((x) => x.rule !== undefined)
        .map((x) => make(kind, x.v, x.v, '', x.rule!));
    case 'pem':
      return fc
        .tuple(fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH '), fc.array(chars(BASE64, 64, 64), { minLength: 1, maxLength: 2 }), chars(BASE64, 12, 30))
        .map(([type, lines, last]) => {
          const body = [...lines, last].join('\n');
          return make(kind, `-----BEGIN ${type}PRIVATE KEY-----\n${body}\n-----END ${type}PRIVATE KEY-----`, body, '', 'private-key');
        });
  }
}

export const anySecret: fc.Arbitrary<Secret> = fc.oneof(
  secretArb('github'),
  secretArb('aws'),
  secretArb('stripe'),
  secretArb('password'),
  secretArb('pem'),
);

/** Code-like filler lines: no keyword of any rule, so the only findings are the secrets. */
export const FILLER = [
  'let total = 0;',
  'function run(items) {',
  '  return items.map((x) => x * 2);',
  '}',
  '// keep this short',
  'if (ready) { start(); }',
  'const name = "world";',
  '  count += 1;',
  'export const limit = 42;',
  '/* 😀 astral 𝒳 note */',
  'while (busy) { wait(); }',
  '',
];

export type Form = 'paste' | 'type' | 'split' | 'splitReverse' | 'junk' | 'transient' | 'termCmd' | 'termOut';

export const FORMS: readonly Form[] = ['paste', 'type', 'split', 'splitReverse', 'junk', 'transient', 'termCmd', 'termOut'];

/** Characters inserted into a secret and deleted again in the `junk` form. */
export const JUNK = [' ', '#', '~', '|'];

export interface Placement {
  readonly secret: number;
  readonly form: Form;
  readonly file: number;
  /** Raw numbers the builder turns into positions and cuts. */
  readonly where: number;
  readonly cut: number;
  readonly junk: readonly { at: number; ch: number }[];
  readonly noiseBefore: number;
  readonly noiseBetween: number;
  readonly astral: boolean;
  readonly backspace: boolean;
}

export interface Plan {
  readonly secrets: readonly Secret[];
  readonly files: readonly (readonly number[])[];
  readonly crlf: boolean;
  readonly placements: readonly Placement[];
  readonly noise: readonly number[];
  readonly ckptEvery: number;
  readonly rename: boolean;
}

const placementArb = (secrets: number, files: number): fc.Arbitrary<Placement> =>
  fc.record({
    secret: fc.nat(secrets - 1),
    form: fc.constantFrom(...FORMS),
    file: fc.nat(files - 1),
    where: fc.nat(),
    cut: fc.nat(),
    junk: fc.array(fc.record({ at: fc.nat(), ch: fc.nat(JUNK.length - 1) }), { minLength: 1, maxLength: 3 }),
    noiseBefore: fc.nat(2),
    noiseBetween: fc.nat(2),
    astral: fc.boolean(),
    backspace: fc.boolean(),
  });

/** A scenario: a few secrets (some reused), a few files, and where and how each secret goes. */
export const planArb: fc.Arbitrary<Plan> = fc
  .record({
    secrets: fc.array(anySecret, { minLength: 1, maxLength: 3 }),
    files: fc.array(fc.array(fc.nat(FILLER.length - 1), { minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 2 }),
    crlf: fc.boolean(),
    noise: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    ckptEvery: fc.integer({ min: 2, max: 9 }),
    rename: fc.boolean(),
  })
  .chain((base) =>
    fc.array(placementArb(base.secrets.length, base.files.length), { minLength: 1, maxLength: 4 }).map((placements) => ({ ...base, placements })),
  );

/** A built scenario: the event stream and what a checker needs to know about it. */
export interface Built {
  readonly events: LoggedEvent[];
  readonly secrets: readonly Secret[];
  /** Final text of every document, by its final path. */
  readonly finalTexts: Map<string, string>;
  /** Every non-secret text the builder wrote (filler, templates, junk, paths), joined. */
  readonly surround: string;
}

interface Doc {
  f: string;
  text: string;
  v: number;
  edits: number;
  /** Ranges `[start, end)` noise must not touch: the lines holding secrets. */
  protect: [number, number][];
}

/** Builds event streams with real versions and checkpoints; the model is plain string slicing. */
export class StreamBuilder {
  readonly events: LoggedEvent[] = [];
  private ts = 1_700_000_000_000;
  private readonly docs = new Map<string, Doc>();
  readonly surround: string[] = [];

  constructor(private readonly ckptEvery = 5) {}

  push(event: CandorEvent): number {
    this.ts += 50;
    const seq = this.events.length + 1;
    this.events.push({ seq, event });
    return seq;
  }

  get now(): number {
    return this.ts;
  }

  snap(f: string, text: string): void {
    this.docs.set(f, { f, text, v: 1, edits: 0, protect: [] });
    this.surround.push(text, f);
    this.push({ t: 'snap', ts: this.ts, f, v: 1, text });
  }

  text(f: string): string {
    return this.doc(f).text;
  }

  /** An edit event: `changes` applied in order, as VS Code reports them. */
  edit(f: string, changes: Change[]): void {
    const d = this.doc(f);
    for (const [o, l, t] of changes) {
      d.text = d.text.slice(0, o) + t + d.text.slice(o + l);
      const d2 = t.length - l;
      // An insert at a range's start pushes it down; one at its end stays outside it.
      d.protect = d.protect.map(([s, e]): [number, number] => [s >= o + l ? s + d2 : Math.min(s, o), e > o + l ? e + d2 : Math.min(e, o)]);
    }
    d.v++;
    d.edits++;
    this.push({ t: 'edit', ts: this.ts, f, v: d.v, c: changes });
    if (d.edits % this.ckptEvery === 0) {
      this.ckpt(f);
    }
  }

  ckpt(f: string): void {
    const d = this.doc(f);
    this.push({ t: 'ckpt', ts: this.ts, f, v: d.v, h: sha256Hex(d.text), why: 'every' });
  }

  rename(f: string, to: string): void {
    const d = this.doc(f);
    this.docs.delete(f);
    d.f = to;
    this.docs.set(to, d);
    this.surround.push(to);
    this.push({ t: 'file', ts: this.ts, op: 'rename', f, to });
  }

  /** Protects `[start, end)` from noise; returns a handle for `protectedStart`. */
  protect(f: string, start: number, end: number): number {
    return this.doc(f).protect.push([start, end]) - 1;
  }

  /** Where protected range `handle` starts now. */
  protectedStart(f: string, handle: number): number {
    return this.doc(f).protect[handle][0];
  }

  /** Line starts of `f` not inside a protected range (where noise may go). */
  freeLineStarts(f: string): number[] {
    const d = this.doc(f);
    const out: number[] = [];
    for (let p = 0; p <= d.text.length; p = d.text.indexOf('\n', p) + 1) {
      if (!d.protect.some(([s, e]) => p > s && p < e)) {
        out.push(p);
      }
      if (d.text.indexOf('\n', p) < 0) {
        break;
      }
    }
    return out;
  }

  /** Whole lines `[start, end)` of `f` outside every protected range. */
  freeLines(f: string): [number, number][] {
    const d = this.doc(f);
    const out: [number, number][] = [];
    let p = 0;
    while (p < d.text.length) {
      const nl = d.text.indexOf('\n', p);
      if (nl < 0) {
        break;
      }
      const e = nl + 1;
      if (!d.protect.some(([s, pe]) => p < pe && e > s)) {
        out.push([p, e]);
      }
      p = e;
    }
    return out;
  }

  files(): string[] {
    return [...this.docs.keys()];
  }

  private doc(f: string): Doc {
    const d = this.docs.get(f);
    if (d === undefined) {
      throw new Error(`no document ${f}`);
    }
    return d;
  }
}

/** Turns a plan into a stream. */
export function buildPlan(plan: Plan): Built {
  const eol = plan.crlf ? '\r\n' : '\n';
  const b = new StreamBuilder(plan.ckptEvery);
  const names = plan.files.map((_, k) => `src/file${k}.ts`);
  plan.files.forEach((lines, k) => {
    b.snap(names[k], lines.map((i) => FILLER[i] + eol).join(''));
  });
  b.surround.push(...FILLER, ...TERM_TEMPLATES, ...JUNK, eol);
  let noiseIndex = 0;
  const noise = (f: string): void => {
    const r = plan.noise[noiseIndex++ % plan.noise.length] + noiseIndex;
    const free = b.freeLineStarts(f);
    const line = FILLER[r % FILLER.length] + eol;
    if (r % 5 === 0) {
      const lines = b.freeLines(f);
      if (lines.length > 0) {
        const [s, e] = lines[r % lines.length];
        b.edit(f, [[s, e - s, '']]);
        return;
      }
    }
    if (r % 3 === 0 && free.length >= 2) {
      // A multi-cursor event: two inserts, listed from the end as VS Code does.
      const a = free[r % free.length];
      const c = free[Math.floor(r / 8) % free.length];
      if (a !== c) {
        const [hi, lo] = a > c ? [a, c] : [c, a];
        b.edit(f, [
          [hi, 0, line],
          [lo, 0, line],
        ]);
        return;
      }
    }
    b.edit(f, [[free[r % free.length], 0, line]]);
  };
  for (const p of plan.placements) {
    const s = plan.secrets[p.secret];
    const f = names[p.file];
    for (let k = 0; k < p.noiseBefore; k++) {
      noise(f);
    }
    if (p.form === 'termCmd' || p.form === 'termOut') {
      const cmd = p.form === 'termCmd' ? termCommand(s) : 'cat secrets.txt';
      b.surround.push('cat secrets.txt');
      b.push({ t: 'term', ts: b.now, cmd, dur: 12, exit: 0, ...(p.form === 'termOut' ? { out: termOutput(s) } : {}) });
      continue;
    }
    const slot = SLOTS[s.kind];
    const deco = p.astral ? '😀' : '';
    const free = b.freeLineStarts(f);
    const q = free[p.where % free.length];
    const pre = deco + slot.pre;
    const line = pre + slot.post + deco + eol;
    b.surround.push(line);
    b.edit(f, [[q, 0, line]]);
    const handle = b.protect(f, q, q + line.length);
    const at = q + pre.length;
    const v = s.value;
    const cut = 1 + (p.cut % (v.length - 1));
    const between = (): void => {
      for (let k = 0; k < p.noiseBetween; k++) {
        noise(f);
      }
    };
    switch (p.form) {
      case 'paste':
        b.edit(f, [[at, 0, v]]);
        break;
      case 'type':
      case 'transient':
        for (let k = 0; k < v.length; k++) {
          b.edit(f, [[at + k, 0, v[k]]]);
        }
        if (p.form === 'transient') {
          if (p.backspace) {
            for (let k = v.length - 1; k >= 0; k--) {
              b.edit(f, [[at + k, 1, '']]);
            }
          } else {
            b.edit(f, [[at, v.length, '']]);
          }
        }
        break;
      case 'split': {
        b.edit(f, [[at, 0, v.slice(0, cut)]]);
        between();
        const at2 = b.protectedStart(f, handle) + pre.length;
        b.edit(f, [[at2 + cut, 0, v.slice(cut)]]);
        break;
      }
      case 'splitReverse': {
        b.edit(f, [[at, 0, v.slice(cut)]]);
        between();
        const at2 = b.protectedStart(f, handle) + pre.length;
        b.edit(f, [[at2, 0, v.slice(0, cut)]]);
        break;
      }
      case 'junk': {
        // Insert junk characters at a few places, paste, then delete them one by one.
        const marks = new Set<number>();
        let junked = '';
        const places = p.junk.map((j) => ({ at: j.at % (v.length + 1), ch: JUNK[j.ch] }));
        for (let k = 0; k <= v.length; k++) {
          for (const pl of places) {
            if (pl.at === k) {
              marks.add(junked.length);
              junked += pl.ch;
            }
          }
          if (k < v.length) {
            junked += v[k];
          }
        }
        b.edit(f, [[at, 0, junked]]);
        between();
        const at2 = b.protectedStart(f, handle) + pre.length;
        // Delete from the end so the earlier indices stay valid.
        for (const m of [...marks].sort((x, y) => y - x)) {
          b.edit(f, [[at2 + m, 1, '']]);
        }
        break;
      }
    }
  }
  if (plan.rename) {
    const f = names[0];
    b.rename(f, `lib/moved${plan.noise[0] % 7}.ts`);
  }
  for (const f of b.files()) {
    b.ckpt(f);
  }
  const finalTexts = new Map<string, string>();
  for (const f of b.files()) {
    finalTexts.set(f, b.text(f));
  }
  return { events: b.events, secrets: plan.secrets, finalTexts, surround: b.surround.join('\u0000') };
}

/** All string values inside `value` (recursively), e.g. every text of every event. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value as unknown[]) {
      stringsOf(v, out);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) {
      stringsOf(v, out);
    }
  }
  return out;
}

/** The events with every free text emptied: what JSON carries besides the texts (keys, enums, hashes). */
function skeleton(events: readonly LoggedEvent[]): string {
  return JSON.stringify(
    events.map((e) => {
      const ev = { ...(e.event as unknown as Record<string, unknown>) };
      for (const k of ['text', 'cmd', 'out', 'f', 'to', 'c']) {
        if (k in ev) {
          ev[k] = '';
        }
      }
      return ev;
    }),
  );
}

/**
 * The survival check. A secret *survives* when some run of 4 consecutive characters of its secret
 * part (for a PEM block, the base64 body; otherwise the whole token or value) occurs in the
 * redacted output, where:
 * - the output is the JSON of all events and, separately, every string value in them (so a run
 *   across a line break, which JSON escapes, is still seen), with every placeholder blanked out;
 * - runs that lie entirely inside the provider prefix (`ghp_`, `AKIA`, `sk_live_`) are not secret;
 * - runs that also occur in text the scenario wrote around the secrets (filler code, slot and
 *   command templates, junk characters, paths; also as JSON escapes it), or in the events' fixed
 *   JSON (keys, type names, hashes), are not evidence and are skipped.
 * Checking runs of 4 covers every longer run. Returns the surviving runs.
 */
export function survivors(output: readonly LoggedEvent[], secrets: readonly Secret[], surround: string): string[] {
  const blank = (s: string): string => maskPlaceholders(s).replace(/ {8,}/g, '\u0000');
  const corpus = [blank(JSON.stringify(output)), ...stringsOf(output).map(blank)].join('\u0001');
  // The surround also as JSON escapes it: in the JSON corpus a newline before `const` reads `ncon`.
  const excluded = surround + '\u0000' + JSON.stringify(surround) + '\u0000' + skeleton(output);
  const found: string[] = [];
  for (const s of secrets) {
    for (let k = 0; k + 4 <= s.secret.length; k++) {
      const run = s.secret.slice(k, k + 4);
      if (s.prefix.includes(run) || excluded.includes(run)) {
        continue;
      }
      if (corpus.includes(run)) {
        found.push(run);
      }
    }
  }
  return found;
}

/** Spans of `text` as a redaction run sees them (placeholders masked). */
export function spansOf(text: string): Span[] {
  return defaultDetector.detect(maskPlaceholders(text));
}

/**
 * Checks that `redacted` is `original` with each span replaced by a placeholder of the span's
 * kind; records span text → placeholder in `seen`. Returns a problem, or undefined.
 */
export function matchRedacted(original: string, redacted: string, seen: Map<string, string>): string | undefined {
  let pos = 0;
  let prev = 0;
  for (const span of spansOf(original)) {
    const keep = original.slice(prev, span.start);
    if (redacted.slice(pos, pos + keep.length) !== keep) {
      return `text before span ${span.rule}@${span.start} differs: ${JSON.stringify(redacted.slice(pos, pos + keep.length + 20))} vs ${JSON.stringify(keep)}`;
    }
    pos += keep.length;
    // The kind must match; the rule may be another one that found the same value elsewhere
    // (placeholders are keyed by value, labelled by the best rule that found it).
    const head = `«${span.kind}:`;
    if (!redacted.startsWith(head, pos)) {
      return `expected ${head}… at ${pos}, got ${JSON.stringify(redacted.slice(pos, pos + 40))}`;
    }
    const close = redacted.indexOf('»', pos);
    const placeholder = redacted.slice(pos, close + 1);
    const value = original.slice(span.start, span.end);
    const known = seen.get(value);
    if (known !== undefined && known !== placeholder) {
      return `one value, two placeholders: ${known} and ${placeholder}`;
    }
    seen.set(value, placeholder);
    pos = close + 1;
    prev = span.end;
  }
  const rest = original.slice(prev);
  if (redacted.slice(pos) !== rest) {
    return `tail differs: ${JSON.stringify(redacted.slice(pos, pos + 60))} vs ${JSON.stringify(rest.slice(0, 60))}`;
  }
  return undefined;
}
