import type { CandorEvent, Change, EditEvent, LoggedEvent, SelectionEvent } from '../../model/events';
import type { DocumentBuffer } from '../../replay/buffer';
import { sha256Hex } from '../../replay/hash';
import { OriginSpace, ProvenanceBuffer, SNAPSHOT_CHANGE } from '../../replay/provenance';
import { Replayer } from '../../replay/replayer';
import type { Fates } from './marks';
import { KeyTable, MarkBook } from './marks';
import { MAX_PLACEHOLDER_LENGTH, maskPlaceholders } from './placeholders';
import type { PlaceholderReport, RedactionReport, RuleFinding } from './report';
import { REDACTION_ENGINE } from './report';
import type { FoundSpan, ScanSet, ScanTier } from './scanners';
import type { SpreadValue } from './spread';
import { SpreadSet, valuesOf, withSpread } from './spread';

/**
 * The redaction run: two passes over the events, driven one unit of work at a time (`step`), so
 * that the same code runs to completion for the CLI and tests, and in slices between which the
 * extension host's event loop breathes.
 *
 * Pass 1 replays every document into provenance buffers and detects: each snapshot whole, each
 * edit only in windows around what it changed (per tier, see scanners.ts), and each document's
 * final state whole. Every span found is recorded by the origins of its characters (marks.ts).
 * Other strings (terminal, paths, git, task and debug names) are detected whole.
 *
 * Spreading (spread.ts): the values pass 1 found — in document text and in other strings — are
 * then looked for as literals (and in their common encodings) everywhere: a third replay scans
 * each snapshot whole and a small window around each edit, so an occurrence with no context, one
 * typed key by key in another document, and one *earlier* in the stream than the occurrence a
 * rule recognised are all marked like the detections (same placeholder: keyed by the value).
 * Other strings are searched whole. The replay runs only when pass 1 found a value that spreads.
 *
 * Between the passes, groups get their values and placeholders, and every marked character its
 * fate. Pass 2 replays again, only the documents that have marks with provenance (the others with
 * a length-only buffer, which keeps origin numbering identical), and rewrites: snapshot texts and
 * inserted texts through the fates, change offsets and lengths and selections into redacted
 * coordinates (sums of rendered lengths), checkpoints re-hashed over the redacted text.
 */

/** Characters a rescan window may grow by to start and end on a line break. */
const LINE_SLACK = 256;

/** A document lifetime in pass 1: from its snapshot to its replacement, deletion or the end. */
interface ScanDoc {
  /** Seq of its snapshot: identifies the lifetime in both passes. */
  readonly id: number;
  readonly buffer: ProvenanceBuffer;
  /** Current path (renames move it). */
  file: string;
  /** Changes of the event being applied, flat: offset, length, inserted length. */
  readonly changes: number[];
  /** Per tier, a range `[zoneStart, zoneEnd)` known to hold no whole keyword of the tier. */
  readonly zoneStart: number[];
  readonly zoneEnd: number[];
  done: boolean;
}

/** A document lifetime in the spread replay. */
interface SpreadDoc {
  readonly id: number;
  readonly buffer: ProvenanceBuffer;
  file: string;
  /** Changes of the event being applied, flat: offset, length, inserted length. */
  readonly changes: number[];
}

/** A document lifetime in pass 2. */
interface RewriteDoc {
  readonly id: number;
  /** Present only when the lifetime has marks. */
  readonly prov: ProvenanceBuffer | undefined;
  /** Translated changes of the event being applied. */
  sink: Change[] | undefined;
}

/** Fields of each event type that are free text and go through the detectors. */
const STRING_FIELDS: Readonly<Record<string, readonly string[]>> = {
  snap: ['f'],
  edit: ['f'],
  ckpt: ['f'],
  sel: ['f'],
  focus: ['f'],
  file: ['f', 'to'],
  term: ['cmd', 'cwd', 'out'],
  task: ['name', 'src'],
  debug: ['type', 'name'],
  git: ['repo', 'branch', 'commit'],
  cmd: ['id'],
};

/** Report name of a field: paths are one field whatever the event. */
function fieldName(t: string, key: string): string {
  return key === 'f' || key === 'to' ? 'path' : `${t}.${key}`;
}

/** Detection and rewriting of whole strings (everything that is not document text). */
class StringRedactor {
  private readonly spans = new Map<string, FoundSpan[]>();
  private readonly noted = new Map<string, Set<string>>();
  private readonly rewritten = new Map<string, string>();
  private spread: SpreadSet | undefined;

  constructor(
    private readonly scan: ScanSet,
    private readonly keys: KeyTable,
    private readonly nextDiscovery: () => number,
  ) {}

  spansOf(value: string): FoundSpan[] {
    let s = this.spans.get(value);
    if (s === undefined) {
      s = value.length === 0 ? [] : this.find(maskPlaceholders(value));
      this.spans.set(value, s);
    }
    return s;
  }

  /** The detectors' spans, and once spreading has begun, the spread values' occurrences. */
  private find(masked: string): FoundSpan[] {
    const found = this.scan.scanWhole(masked);
    return this.spread === undefined ? found : withSpread(found, this.spread.scan(masked), (rule) => this.scan.isGeneric(rule));
  }

  /** Every value pass 1 found in a string, with its label. */
  detected(): SpreadValue[] {
    return [...this.spans].flatMap(([value, spans]) => valuesOf(value, spans));
  }

  /** Starts spreading: every string is searched again, for `set` too. */
  setSpread(set: SpreadSet): void {
    this.spread = set;
    this.spans.clear();
    this.noted.clear();
    this.rewritten.clear();
  }

  /** Pass 1: records what `value` holds, seen at `seq` in `field`. */
  note(value: string, field: string, seq: number, file?: string): void {
    const spans = this.spansOf(value);
    if (spans.length === 0) {
      return;
    }
    let fields = this.noted.get(value);
    if (fields === undefined) {
      fields = new Set();
      this.noted.set(value, fields);
    }
    if (fields.has(field)) {
      return;
    }
    fields.add(field);
    for (const s of spans) {
      this.keys.note(s.rule, s.kind, s.value ?? value.slice(s.start, s.end), {
        seq,
        discovery: this.nextDiscovery(),
        field,
        ...(field === 'path' ? { file: value } : file !== undefined ? { file } : {}),
      });
    }
  }

  /** Pass 2: `value` with every span replaced by its placeholder. `onKey` hears each span's key. */
  rewrite(value: string, onKey?: (key: number) => void): string {
    const spans = this.spansOf(value);
    if (spans.length === 0) {
      return value;
    }
    const ks = spans.map((s) => this.keys.note(s.rule, s.kind, s.value ?? value.slice(s.start, s.end), { seq: Infinity, discovery: Infinity }));
    if (onKey !== undefined) {
      ks.forEach(onKey);
    }
    let out = this.rewritten.get(value);
    if (out === undefined) {
      out = '';
      let pos = 0;
      spans.forEach((s, i) => {
        out += value.slice(pos, s.start) + this.keys.placeholder(ks[i]);
        pos = s.end;
      });
      out += value.slice(pos);
      this.rewritten.set(value, out);
    }
    return out;
  }
}

/** A buffer that only tracks the length, and hands out origins as a provenance buffer would. */
class LengthBuffer implements DocumentBuffer {
  private len: number;

  constructor(
    text: string,
    seq: number,
    private readonly space: OriginSpace,
  ) {
    space.allocate(seq, SNAPSHOT_CHANGE, text.length);
    this.len = text.length;
  }

  get length(): number {
    return this.len;
  }

  apply(_offset: number, length: number, text: string, seq: number, change: number): void {
    this.space.allocate(seq, change, text.length);
    this.len += text.length - length;
  }

  getText(): string {
    return '';
  }
}

/** Merges sorted-or-not flat pairs `[s0, e0, s1, e1, …]` that overlap or touch; returns sorted pairs. */
function mergeRanges(flat: number[]): number[] {
  if (flat.length <= 2) {
    return flat; // one range: the common case (one change per keystroke)
  }
  const pairs: [number, number][] = [];
  for (let k = 0; k < flat.length; k += 2) {
    pairs.push([flat[k], flat[k + 1]]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= out[n - 1]) {
      out[n - 1] = Math.max(out[n - 1], e);
    } else {
      out.push(s, e);
    }
  }
  return out;
}

/**
 * The ranges of the new version that an event's changes touched, as flat pairs: each change's
 * inserted range (a point for a pure deletion), carried through the changes after it.
 */
export function dirtyRanges(changes: readonly number[]): number[] {
  const iv: number[] = [];
  for (let c = 0; c < changes.length; c += 3) {
    const o = changes[c];
    const l = changes[c + 1];
    const n = changes[c + 2];
    const d = n - l;
    for (let k = 0; k < iv.length; k += 2) {
      const s = iv[k];
      const e = iv[k + 1];
      iv[k] = s <= o ? s : s >= o + l ? s + d : o;
      iv[k + 1] = e <= o ? e : e >= o + l ? e + d : o + n;
    }
    iv.push(o, o + n);
  }
  return mergeRanges(iv);
}

export interface RunOptions {
  readonly scan: ScanSet;
}

export interface RunResult {
  readonly events: LoggedEvent[];
  readonly report: RedactionReport;
}

type Phase = 'scan' | 'final' | 'spread' | 'resolve' | 'rewrite' | 'done';

/** One redaction run over `events`; call `step()` until it returns false, then `result()`. */
export class RedactionRun {
  private phase: Phase = 'scan';
  private index = 0;
  private discovery = 0;
  private readonly scan: ScanSet;
  private readonly keys: KeyTable;
  private readonly marks = new MarkBook();
  private readonly strings: StringRedactor;
  /** Seqs of snapshots and edits replay did not apply (their texts are redacted as strings). */
  private readonly unapplied = new Set<number>();
  /** Document lifetimes (by snapshot seq) with at least one mark. */
  private readonly marked = new Set<number>();

  // Pass 1.
  private readonly space1 = new OriginSpace(false);
  private readonly mirror1 = new Map<string, ScanDoc>();
  private created1: ScanDoc | undefined;
  private replayer1: Replayer | undefined;
  private finalQueue: ScanDoc[] = [];

  // Spreading.
  private spreadSet: SpreadSet | undefined;
  private replayer3: Replayer | undefined;
  private readonly space3 = new OriginSpace(false);
  private readonly mirror3 = new Map<string, SpreadDoc>();
  private created3: SpreadDoc | undefined;

  // Pass 2.
  private fates: Fates | undefined;
  private replayer2: Replayer | undefined;
  private readonly space2 = new OriginSpace(false);
  private readonly mirror2 = new Map<string, RewriteDoc>();
  private created2: RewriteDoc | undefined;
  private readonly out: LoggedEvent[] = [];
  private changed = 0;
  private counts: number[] = [];

  constructor(
    private readonly events: readonly LoggedEvent[],
    options: RunOptions,
  ) {
    this.scan = options.scan;
    this.keys = new KeyTable((rule) => this.scan.isGeneric(rule));
    this.strings = new StringRedactor(this.scan, this.keys, () => this.discovery++);
    this.replayer1 = new Replayer({ createBuffer: (text, seq) => this.createScanDoc(text, seq) });
  }

  /** Fraction of the work done, in [0, 1]. */
  get progress(): number {
    const n = Math.max(1, this.events.length);
    switch (this.phase) {
      case 'scan':
        return (0.4 * this.index) / n;
      case 'final':
        return 0.4;
      case 'spread':
        return 0.4 + (0.1 * this.index) / n;
      case 'resolve':
        return 0.5;
      case 'rewrite':
        return 0.5 + (0.5 * this.index) / n;
      case 'done':
        return 1;
    }
  }

  /** Does one unit of work (one event, one final scan, or the resolution); false when done. */
  step(): boolean {
    switch (this.phase) {
      case 'scan':
        if (this.index < this.events.length) {
          this.scanEvent(this.events[this.index++]);
        } else {
          this.finalQueue = [...this.mirror1.values()];
          this.phase = 'final';
        }
        return true;
      case 'final': {
        const doc = this.finalQueue.pop();
        if (doc !== undefined) {
          this.finish(doc);
        } else {
          this.phase = this.startSpread() ? 'spread' : 'resolve';
          this.index = 0;
        }
        return true;
      }
      case 'spread':
        if (this.index < this.events.length) {
          this.spreadEvent(this.events[this.index++]);
        } else {
          this.endSpread();
          this.phase = 'resolve';
        }
        return true;
      case 'resolve':
        this.resolve();
        this.phase = 'rewrite';
        this.index = 0;
        return true;
      case 'rewrite':
        if (this.index < this.events.length) {
          this.rewriteEvent(this.events[this.index++]);
          return true;
        }
        this.phase = 'done';
        return false;
      case 'done':
        return false;
    }
  }

  result(): RunResult {
    while (this.step()) {
      // Runs whatever is left; a sliced caller has already finished.
    }
    return { events: this.out, report: this.report() };
  }

  // ---------------------------------------------------------------- pass 1

  private createScanDoc(text: string, seq: number): DocumentBuffer {
    const tiers = this.scan.tiers.length;
    // Filled by the buffer as the replayer applies an event's changes; emptied by afterEdit.
    const changes: number[] = [];
    const buffer = new ProvenanceBuffer(text, seq, this.space1, {
      afterApply: (_b, offset, length, inserted) => {
        changes.push(offset, length, inserted.length);
      },
    });
    this.created1 = {
      id: seq,
      buffer,
      file: '',
      changes,
      zoneStart: new Array<number>(tiers).fill(0),
      zoneEnd: new Array<number>(tiers).fill(0),
      done: false,
    };
    return buffer;
  }

  private scanEvent(e: LoggedEvent): void {
    const ev = e.event;
    switch (ev.t) {
      case 'snap': {
        this.created1 = undefined;
        this.replayer1!.apply(e);
        const doc = this.created1 as ScanDoc | undefined;
        if (doc !== undefined) {
          const prev = this.mirror1.get(ev.f);
          if (prev !== undefined) {
            this.finish(prev);
          }
          doc.file = ev.f;
          this.mirror1.set(ev.f, doc);
          this.scanWhole(doc, e.seq, false);
        } else {
          this.unapplied.add(e.seq);
          if (typeof ev.text === 'string') {
            this.strings.note(ev.text, 'snap.text', e.seq, typeof ev.f === 'string' ? ev.f : undefined);
          }
        }
        break;
      }
      case 'edit': {
        const doc = typeof ev.f === 'string' ? this.mirror1.get(ev.f) : undefined;
        this.replayer1!.apply(e);
        if (doc !== undefined && doc.changes.length > 0) {
          this.afterEdit(doc, e.seq);
        } else if (Array.isArray(ev.c) && ev.c.length > 0) {
          this.unapplied.add(e.seq);
          for (const text of changeTexts(ev)) {
            this.strings.note(text, 'edit.text', e.seq, ev.f);
          }
        }
        break;
      }
      case 'file':
        this.replayer1!.apply(e);
        this.moveDoc(this.mirror1, ev.op, ev.f, ev.to, (doc) => this.finish(doc), (doc, to) => {
          doc.file = to;
        });
        break;
      default:
        break;
    }
    const fields = STRING_FIELDS[ev.t] ?? [];
    const record = ev as unknown as Readonly<Record<string, unknown>>;
    for (const key of fields) {
      const value = record[key];
      if (typeof value === 'string') {
        this.strings.note(value, fieldName(ev.t, key), e.seq);
      }
    }
  }

  /** Mirrors the replayer's handling of renames and deletes on our map of document lifetimes. */
  private moveDoc<D>(
    map: Map<string, D>,
    op: string,
    f: unknown,
    to: unknown,
    ended: (doc: D) => void,
    moved: (doc: D, to: string) => void,
  ): void {
    if (op === 'rename') {
      if (typeof f !== 'string' || typeof to !== 'string' || to === f) {
        return;
      }
      const doc = map.get(f);
      map.delete(f);
      if (doc !== undefined) {
        const replaced = map.get(to);
        if (replaced !== undefined) {
          ended(replaced);
        }
        map.set(to, doc);
        moved(doc, to);
      }
    } else if (op === 'delete') {
      const doc = map.get(f as string);
      if (doc !== undefined) {
        ended(doc);
        map.delete(f as string);
      }
    }
  }

  /** The windows of an applied edit: keyword zones, then each tier's rescan. */
  private afterEdit(doc: ScanDoc, seq: number): void {
    const changes = doc.changes;
    const buffer = doc.buffer;
    const len = buffer.length;
    const dirty = dirtyRanges(changes);
    const tiers = this.scan.tiers;
    const zs = doc.zoneStart;
    const ze = doc.zoneEnd;

    // Carry each tier's keyword-free zone through the changes.
    for (let t = 0; t < tiers.length; t++) {
      let s = zs[t];
      let e = ze[t];
      for (let c = 0; c < changes.length && s < e; c += 3) {
        const o = changes[c];
        const l = changes[c + 1];
        const d = changes[c + 2] - l;
        if (o + l <= s) {
          s += d;
          e += d;
        } else if (o >= e) {
          // after the zone: nothing moves
        } else if (o >= s && o + l <= e) {
          e += d;
        } else {
          e = o > s ? o : s;
        }
      }
      zs[t] = s;
      ze[t] = e;
    }
    // A keyword the edit created lies within maxKeywordLength - 1 of a changed range; a tier that
    // has one there loses its zone (its windows are checked afresh below).
    const reachK = this.scan.maxKeywordLength - 1;
    for (let k = 0; k < dirty.length; k += 2) {
      const text = buffer.slice(dirty[k] - reachK, dirty[k + 1] + reachK);
      if (text.length === 0) {
        continue;
      }
      this.scan.keywords.find(text, (id) => {
        for (const t of this.scan.keywordTiers[id]) {
          ze[t] = zs[t]!;
        }
        return false;
      });
    }
    for (let t = 0; t < tiers.length; t++) {
      const tier = tiers[t];
      const reach = tier.reach;
      let merged = dirty;
      if (dirty.length > 2) {
        const wins: number[] = [];
        for (let k = 0; k < dirty.length; k += 2) {
          wins.push(dirty[k] - reach, dirty[k + 1] + reach);
        }
        merged = mergeRanges(wins);
      }
      for (let k = 0; k < merged.length; k += 2) {
        const ws = Math.max(0, dirty.length > 2 ? merged[k] : merged[k] - reach);
        const we = Math.min(len, dirty.length > 2 ? merged[k + 1] : merged[k + 1] + reach);
        if (tier.keywordIds === undefined) {
          this.scanWindow(doc, tier, ws, we, seq);
          continue;
        }
        const s = zs[t];
        const e = ze[t];
        if (s <= ws && we <= e && s < e) {
          continue; // no keyword of this tier anywhere in the window
        }
        const overlap = s < e && ws < e && we > s;
        let hit: boolean;
        if (!overlap) {
          hit = this.hasKeyword(t, buffer, ws, we);
        } else {
          // Only the parts outside the zone, reaching into it far enough to see a keyword that
          // straddles the zone's edge.
          hit = (ws < s && this.hasKeyword(t, buffer, ws, Math.min(we, s + reachK))) || (we > e && this.hasKeyword(t, buffer, Math.max(ws, e - reachK), we));
        }
        if (hit) {
          this.scanWindow(doc, tier, ws, we, seq);
        } else if (overlap) {
          zs[t] = Math.min(s, ws);
          ze[t] = Math.max(e, we);
        } else {
          zs[t] = ws;
          ze[t] = we;
        }
      }
    }
    changes.length = 0;
  }

  /** Whether a keyword of tier `t` lies wholly within `[start, end)`. */
  private hasKeyword(t: number, buffer: ProvenanceBuffer, start: number, end: number): boolean {
    if (end <= start) {
      return false;
    }
    const tiersOf = this.scan.keywordTiers;
    return this.scan.keywords.find(buffer.slice(start, end), (id) => tiersOf[id].includes(t));
  }

  /**
   * Scans `[start, end)` with one tier, grown to line breaks (within `LINE_SLACK`) and to whole
   * placeholders. Why grow: a window edge in the middle of a line is a text start/end for the
   * regex, so lookarounds (`(?<![A-Za-z0-9])`, `(?:^|\n)`) would see a boundary that is not there
   * and could report a partial token; a line break is a boundary for almost every rule.
   */
  private scanWindow(doc: ScanDoc, tier: ScanTier, start: number, end: number, seq: number): void {
    const buffer = doc.buffer;
    const len = buffer.length;
    let ws = start;
    let we = end;
    // A short-reach tier grows by at most its reach: doubling a 60-character window is enough to
    // take in most lines, and it runs around every keystroke.
    const slack = Math.min(LINE_SLACK, Math.max(32, tier.reach));
    if (ws > 0) {
      const nl = buffer.lastIndexOf('\n', ws, slack);
      ws = nl >= 0 ? nl : ws <= slack ? 0 : ws;
    }
    if (we < len) {
      const nl = buffer.indexOf('\n', we, slack);
      we = nl >= 0 ? nl + 1 : len - we <= slack ? len : we;
    }
    const open = buffer.lastIndexOf('«', ws, MAX_PLACEHOLDER_LENGTH);
    if (open >= 0 && buffer.lastIndexOf('»', ws, ws - open) < 0) {
      ws = open;
    }
    const close = buffer.indexOf('»', we, MAX_PLACEHOLDER_LENGTH);
    if (close >= 0 && buffer.indexOf('«', we, close - we) < 0) {
      we = close + 1;
    }
    const text = buffer.slice(ws, we);
    const spans = tier.scan(maskPlaceholders(text));
    for (const span of spans) {
      this.record(doc, ws + span.start, ws + span.end, span, text.slice(span.start, span.end), seq, false);
    }
  }

  private scanWhole(doc: ScanDoc, seq: number, final: boolean): void {
    const text = doc.buffer.getText();
    if (text.length === 0) {
      return;
    }
    for (const span of this.scan.scanWhole(maskPlaceholders(text))) {
      this.record(doc, span.start, span.end, span, text.slice(span.start, span.end), seq, final);
    }
  }

  /** The last state of a lifetime: scanned whole, its spans flagged final. */
  private finish(doc: ScanDoc): void {
    if (doc.done) {
      return;
    }
    doc.done = true;
    this.scanWhole(doc, this.replayer1?.lastSeq ?? doc.id, true);
  }

  private record(doc: ScanDoc, start: number, end: number, span: FoundSpan, text: string, seq: number, final: boolean): void {
    const runs = doc.buffer.origins(start, end);
    this.marks.record(runs, span.rule, span.kind, text, { seq, discovery: this.discovery++, file: doc.file }, final);
    this.marked.add(doc.id);
  }

  // ---------------------------------------------------------------- spreading

  /** Builds the literal finder from what pass 1 found; false when nothing spreads. */
  private startSpread(): boolean {
    const values = [...this.marks.groupValues((rule) => this.scan.isGeneric(rule)), ...this.strings.detected()];
    const set = new SpreadSet(values);
    if (set.empty) {
      return false;
    }
    this.spreadSet = set;
    this.strings.setSpread(set);
    this.replayer3 = new Replayer({ createBuffer: (text, seq) => this.createSpreadDoc(text, seq) });
    return true;
  }

  private endSpread(): void {
    this.mirror3.clear();
    this.replayer3 = undefined;
  }

  private createSpreadDoc(text: string, seq: number): DocumentBuffer {
    const changes: number[] = [];
    const buffer = new ProvenanceBuffer(text, seq, this.space3, {
      afterApply: (_b, offset, length, inserted) => {
        changes.push(offset, length, inserted.length);
      },
    });
    this.created3 = { id: seq, buffer, file: '', changes };
    return buffer;
  }

  /**
   * The spread replay of one event. A literal needs no context, so an occurrence in a version
   * either was in the snapshot (found by the whole scan) or touches a range some edit changed
   * (found in that edit's window): no final scans are needed.
   */
  private spreadEvent(e: LoggedEvent): void {
    const ev = e.event;
    const set = this.spreadSet!;
    switch (ev.t) {
      case 'snap': {
        this.created3 = undefined;
        this.replayer3!.apply(e);
        const doc = this.created3 as SpreadDoc | undefined;
        if (doc !== undefined) {
          doc.file = ev.f;
          this.mirror3.set(ev.f, doc);
          const text = doc.buffer.getText();
          set.findIn(text, 0, text.length, (a, b) => doc.buffer.slice(a, b), (start, end, value, rule, kind) =>
            this.recordSpread(doc, start, end, value, rule, kind, e.seq),
          );
        } else if (typeof ev.text === 'string') {
          this.strings.note(ev.text, 'snap.text', e.seq, typeof ev.f === 'string' ? ev.f : undefined);
        }
        break;
      }
      case 'edit': {
        const doc = typeof ev.f === 'string' ? this.mirror3.get(ev.f) : undefined;
        this.replayer3!.apply(e);
        if (doc !== undefined && doc.changes.length > 0) {
          this.spreadWindows(doc, e.seq);
        } else if (Array.isArray(ev.c) && ev.c.length > 0) {
          for (const text of changeTexts(ev)) {
            this.strings.note(text, 'edit.text', e.seq, ev.f);
          }
        }
        break;
      }
      case 'file':
        this.replayer3!.apply(e);
        this.moveDoc(this.mirror3, ev.op, ev.f, ev.to, () => undefined, (doc, to) => {
          doc.file = to;
        });
        break;
      default:
        break;
    }
    const fields = STRING_FIELDS[ev.t] ?? [];
    const record = ev as unknown as Readonly<Record<string, unknown>>;
    for (const key of fields) {
      const value = record[key];
      if (typeof value === 'string') {
        this.strings.note(value, fieldName(ev.t, key), e.seq);
      }
    }
  }

  /** Searches the windows of an applied edit (its changed ranges widened by the set's reach). */
  private spreadWindows(doc: SpreadDoc, seq: number): void {
    const set = this.spreadSet!;
    const buffer = doc.buffer;
    const len = buffer.length;
    const reach = set.reach;
    const dirty = dirtyRanges(doc.changes);
    doc.changes.length = 0;
    const wins: number[] = [];
    for (let k = 0; k < dirty.length; k += 2) {
      wins.push(Math.max(0, dirty[k] - reach), Math.min(len, dirty[k + 1] + reach));
    }
    const merged = mergeRanges(wins);
    const read = (a: number, b: number): string => buffer.slice(a, b);
    for (let k = 0; k < merged.length; k += 2) {
      const ws = merged[k];
      set.findIn(buffer.slice(ws, merged[k + 1]), ws, len, read, (start, end, value, rule, kind) =>
        this.recordSpread(doc, start, end, value, rule, kind, seq),
      );
    }
  }

  private recordSpread(doc: SpreadDoc, start: number, end: number, value: string, rule: string, kind: string, seq: number): void {
    // Never flagged final: a spread occurrence nested in a detection must not start a second
    // placeholder inside the detection's (see the anchors in marks.ts).
    this.marks.record(doc.buffer.origins(start, end), rule, kind, value, { seq, discovery: this.discovery++, file: doc.file }, false);
    this.marked.add(doc.id);
  }

  // ---------------------------------------------------------------- between the passes

  private resolve(): void {
    this.mirror1.clear();
    this.replayer1 = undefined;
    this.fates = this.marks.resolve(this.keys, (rule) => this.scan.isGeneric(rule));
    this.keys.number();
    this.counts = new Array<number>(this.keys.size).fill(0);
    if (this.fates.size > 0) {
      this.replayer2 = new Replayer({ createBuffer: (text, seq) => this.createRewriteDoc(text, seq) });
    }
  }

  // ---------------------------------------------------------------- pass 2

  private createRewriteDoc(text: string, seq: number): DocumentBuffer {
    const fates = this.fates!;
    if (!this.marked.has(seq)) {
      this.created2 = { id: seq, prov: undefined, sink: undefined };
      return new LengthBuffer(text, seq, this.space2);
    }
    const doc: { id: number; prov: ProvenanceBuffer | undefined; sink: Change[] | undefined } = { id: seq, prov: undefined, sink: undefined };
    doc.prov = new ProvenanceBuffer(text, seq, this.space2, {
      weigh: (origin, length) => fates.renderedLength(origin, length),
      plain: (origin, length) => !fates.any(origin, length),
      beforeApply: (b, offset, length, inserted, origin) => {
        doc.sink?.push([b.weightBefore(offset), b.weightOf(offset, offset + length), this.renderCounted(origin, inserted)]);
      },
    });
    this.created2 = doc;
    return doc.prov;
  }

  /** Renders a fragment through the fates and counts it once per occurrence it holds (part of). */
  private renderCounted(origin: number, text: string): string {
    const fates = this.fates!;
    if (!fates.any(origin, text.length)) {
      return text;
    }
    return fates.render(origin, text, (k) => this.bump(k));
  }

  private bump(key: number): void {
    while (this.counts.length <= key) {
      this.counts.push(0);
    }
    this.counts[key]++;
  }

  private rewriteString(value: string): string {
    return this.strings.rewrite(value, (k) => this.bump(k));
  }

  private rewriteEvent(e: LoggedEvent): void {
    const ev = e.event;
    let next: CandorEvent = ev;
    const replaying = this.replayer2 !== undefined;
    switch (ev.t) {
      case 'snap': {
        this.created2 = undefined;
        this.replayer2?.apply(e);
        const doc = this.created2 as RewriteDoc | undefined;
        if (doc !== undefined) {
          this.mirror2.set(ev.f, doc);
        }
        if (this.unapplied.has(e.seq)) {
          if (typeof ev.text === 'string') {
            next = withField(next, 'text', this.rewriteString(ev.text));
          }
        } else if (doc?.prov !== undefined) {
          next = withField(next, 'text', this.renderCounted(doc.prov.snapshotOrigin, ev.text));
        }
        break;
      }
      case 'edit': {
        const doc = replaying && typeof ev.f === 'string' ? this.mirror2.get(ev.f) : undefined;
        if (doc?.prov !== undefined) {
          doc.sink = [];
        }
        this.replayer2?.apply(e);
        const sink = doc?.sink;
        if (doc !== undefined) {
          doc.sink = undefined;
        }
        if (this.unapplied.has(e.seq)) {
          next = this.unappliedEdit(ev, doc);
        } else if (sink !== undefined) {
          const c = sink.filter(([, l, t]) => l > 0 || t.length > 0);
          if (!sameChanges(c, ev.c)) {
            next = { ...ev, c };
          }
        }
        break;
      }
      case 'ckpt': {
        const doc = replaying ? this.mirror2.get(ev.f) : undefined;
        if (doc?.prov !== undefined && typeof ev.h === 'string' && sha256Hex(doc.prov.getText()) === ev.h.toLowerCase()) {
          // Only a checkpoint that held before is re-hashed: a mismatch in the input stays one.
          const h = sha256Hex(this.renderText(doc.prov));
          if (h !== ev.h) {
            next = { ...ev, h };
          }
        }
        break;
      }
      case 'sel': {
        const doc = replaying ? this.mirror2.get(ev.f) : undefined;
        if (doc?.prov !== undefined && Array.isArray(ev.s)) {
          next = this.translateSelection(ev, doc.prov);
        }
        break;
      }
      case 'file':
        this.replayer2?.apply(e);
        if (replaying) {
          this.moveDoc(this.mirror2, ev.op, ev.f, ev.to, () => undefined, () => undefined);
        }
        break;
      default:
        break;
    }
    next = this.rewriteFields(next);
    if (next !== ev) {
      this.changed++;
      this.out.push({ seq: e.seq, event: next });
    } else {
      this.out.push(e);
    }
  }

  private rewriteFields(ev: CandorEvent): CandorEvent {
    const fields = STRING_FIELDS[ev.t];
    if (fields === undefined) {
      return ev;
    }
    let next = ev;
    const record = ev as unknown as Readonly<Record<string, unknown>>;
    for (const key of fields) {
      const value = record[key];
      if (typeof value === 'string') {
        const rewritten = this.rewriteString(value);
        if (rewritten !== value) {
          next = withField(next, key, rewritten);
        }
      }
    }
    return next;
  }

  /**
   * An edit replay skipped (covered by a snapshot, out of range, before any snapshot): its texts
   * never entered a document, so they are redacted as strings. On a redacted document its offset
   * is pushed out by the growth of the redacted text, so a change that was out of range stays out
   * of range when the redacted stream is replayed.
   */
  private unappliedEdit(ev: EditEvent, doc: RewriteDoc | undefined): CandorEvent {
    const list: unknown = ev.c;
    if (!Array.isArray(list)) {
      return ev;
    }
    const grow = doc?.prov !== undefined ? Math.max(0, doc.prov.totalWeight - doc.prov.length) : 0;
    let changed = false;
    const c = ev.c.map((ch): Change => {
      // Replay skipped the event, so it may be malformed: look at each part before using it.
      const parts: unknown = ch;
      if (!Array.isArray(parts) || typeof parts[2] !== 'string') {
        return ch;
      }
      const [o, l, t] = parts as [unknown, unknown, string];
      const text = this.rewriteString(t);
      const offset = typeof o === 'number' ? o + grow : o;
      if (text === t && offset === o) {
        return ch;
      }
      changed = true;
      return [offset, l, text] as unknown as Change;
    });
    return changed ? { ...ev, c } : ev;
  }

  private translateSelection(ev: SelectionEvent, prov: ProvenanceBuffer): CandorEvent {
    let changed = false;
    const s = ev.s.map((pair): readonly [number, number] => {
      const parts: unknown = pair;
      if (!Array.isArray(parts)) {
        return pair;
      }
      const [a, b] = pair;
      const ra = typeof a === 'number' ? prov.weightBefore(a) : a;
      const rb = typeof b === 'number' ? prov.weightBefore(b) : b;
      if (ra === a && rb === b) {
        return pair;
      }
      changed = true;
      return [ra, rb];
    });
    return changed ? { ...ev, s } : ev;
  }

  private renderText(prov: ProvenanceBuffer): string {
    const fates = this.fates!;
    return prov.renderText((origin, text) => fates.render(origin, text));
  }

  // ---------------------------------------------------------------- report

  private report(): RedactionReport {
    const infos = this.keys.infos();
    const byRule = new Map<string, { kind: string; values: number; occurrences: number }>();
    const placeholders: PlaceholderReport[] = [];
    infos.forEach((info) => {
      const occurrences = this.counts[info.index] ?? 0;
      const rule = KeyTable.reportRule(info.rule);
      const entry = byRule.get(rule) ?? { kind: info.kind, values: 0, occurrences: 0 };
      entry.values++;
      entry.occurrences += occurrences;
      byRule.set(rule, entry);
      placeholders.push({
        placeholder: info.placeholder,
        rule,
        kind: info.kind,
        files: [...new Set([...info.files].map((f) => this.strings.rewrite(f)))].sort(),
        fields: [...info.fields].sort(),
        firstSeq: info.firstSeq,
        occurrences,
      });
    });
    const findings: RuleFinding[] = [...byRule.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([rule, v]) => ({ rule, kind: v.kind, values: v.values, occurrences: v.occurrences }));
    return {
      engine: REDACTION_ENGINE,
      findings,
      eventsChanged: this.changed,
      placeholders,
      documentsRedacted: this.marked.size,
    };
  }
}

/** The change texts of an edit whose `c` may be malformed. */
function changeTexts(ev: EditEvent): string[] {
  const out: string[] = [];
  for (const ch of ev.c as readonly unknown[]) {
    if (Array.isArray(ch) && typeof ch[2] === 'string' && ch[2].length > 0) {
      out.push(ch[2]);
    }
  }
  return out;
}

function sameChanges(a: readonly Change[], b: readonly Change[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) {
      return false;
    }
  }
  return true;
}

/** A shallow copy of `ev` with `key` set (field order kept). */
function withField(ev: CandorEvent, key: string, value: unknown): CandorEvent {
  const record = ev as unknown as Readonly<Record<string, unknown>>;
  if (record[key] === value) {
    return ev;
  }
  return { ...record, [key]: value } as unknown as CandorEvent;
}
