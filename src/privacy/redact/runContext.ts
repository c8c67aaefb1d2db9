import type { EditEvent, LoggedEvent } from '../../model/events';
import { KeyTable, MarkBook } from './marks';
import { maskPlaceholders } from './placeholders';
import type { FoundSpan, ScanSet } from './scanners';
import type { SpreadSet, SpreadValue } from './spread';
import { valuesOf, withSpread } from './spread';

/**
 * What the passes of one redaction run (engine.ts) share: the placeholder keys, the marks on
 * document characters, the redactor of every other string, which events replay skipped and which
 * document lifetimes have marks, and the discovery counter (one order over marks and strings,
 * which decides placeholder numbers).
 */
export class RunContext {
  readonly keys: KeyTable;
  readonly marks = new MarkBook();
  readonly strings: StringRedactor;
  /** Seqs of snapshots and edits replay did not apply (their texts are redacted as strings). */
  readonly unapplied = new Set<number>();
  /** Document lifetimes (by snapshot seq) with at least one mark. */
  readonly marked = new Set<number>();
  private discovery = 0;

  constructor(readonly scan: ScanSet) {
    this.keys = new KeyTable((rule) => this.scan.isGeneric(rule));
    this.strings = new StringRedactor(this.scan, this.keys, () => this.discovery++);
  }

  /** The next discovery number (detections are ordered by it). */
  nextDiscovery(): number {
    return this.discovery++;
  }

  /** Notes every free-text field of `e` (not its document text) with the string redactor. */
  noteFields(e: LoggedEvent): void {
    const ev = e.event;
    const fields = STRING_FIELDS[ev.t] ?? [];
    const record = ev as unknown as Readonly<Record<string, unknown>>;
    for (const key of fields) {
      const value = record[key];
      if (typeof value === 'string') {
        this.strings.note(value, fieldName(ev.t, key), e.seq);
      }
    }
  }
}

/** Fields of each event type that are free text and go through the detectors. */
export const STRING_FIELDS: Readonly<Record<string, readonly string[]>> = {
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
export class StringRedactor {
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

/** Mirrors the replayer's handling of renames and deletes on our map of document lifetimes. */
export function moveDoc<D>(
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

/** The change texts of an edit whose `c` may be malformed. */
export function changeTexts(ev: EditEvent): string[] {
  const out: string[] = [];
  for (const ch of ev.c as readonly unknown[]) {
    if (Array.isArray(ch) && typeof ch[2] === 'string' && ch[2].length > 0) {
      out.push(ch[2]);
    }
  }
  return out;
}
