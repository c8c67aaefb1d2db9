import type { CandorEvent, Change, EditEvent, LoggedEvent, SelectionEvent } from '../../model/events';
import type { DocumentBuffer } from '../../replay/buffer';
import { sha256Hex } from '../../replay/hash';
import { OriginSpace, ProvenanceBuffer, SNAPSHOT_CHANGE } from '../../replay/provenance';
import { Replayer } from '../../replay/replayer';
import type { Fates } from './fates';
import type { RunContext } from './runContext';
import { moveDoc, STRING_FIELDS } from './runContext';

/**
 * Pass 2 of a redaction run (engine.ts), the rewrite pass. Built once the marks are resolved: the
 * groups have their values and placeholders, every marked character its fate. It replays again,
 * only the documents that have marks with provenance (the others with a length-only buffer, which
 * keeps origin numbering identical), and rewrites: snapshot texts and inserted texts through the
 * fates, change offsets and lengths and selections into redacted coordinates (sums of rendered
 * lengths), checkpoints re-hashed over the redacted text; other strings through the string
 * redactor. It counts each placeholder's occurrences for the report.
 */

/** A document lifetime in pass 2. */
interface RewriteDoc {
  readonly id: number;
  /** Present only when the lifetime has marks. */
  readonly prov: ProvenanceBuffer | undefined;
  /** Translated changes of the event being applied. */
  sink: Change[] | undefined;
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

export class RewritePass {
  /** The rewritten events, in order (an event left untouched is the very same object). */
  readonly out: LoggedEvent[] = [];
  /** Events the rewrite changed. */
  changed = 0;
  /** Occurrences rendered, per placeholder key. */
  readonly counts: number[];
  private readonly fates: Fates;
  private readonly replayer: Replayer | undefined;
  private readonly space = new OriginSpace(false);
  private readonly mirror = new Map<string, RewriteDoc>();
  private created: RewriteDoc | undefined;

  /** Resolves the marks into fates and numbers the placeholders. */
  constructor(private readonly run: RunContext) {
    this.fates = run.marks.resolve(run.keys, (rule) => run.scan.isGeneric(rule));
    run.keys.number();
    this.counts = new Array<number>(run.keys.size).fill(0);
    if (this.fates.size > 0) {
      this.replayer = new Replayer({ createBuffer: (text, seq) => this.createRewriteDoc(text, seq) });
    }
  }

  private createRewriteDoc(text: string, seq: number): DocumentBuffer {
    const fates = this.fates;
    if (!this.run.marked.has(seq)) {
      this.created = { id: seq, prov: undefined, sink: undefined };
      return new LengthBuffer(text, seq, this.space);
    }
    const doc: { id: number; prov: ProvenanceBuffer | undefined; sink: Change[] | undefined } = { id: seq, prov: undefined, sink: undefined };
    doc.prov = new ProvenanceBuffer(text, seq, this.space, {
      weigh: (origin, length) => fates.renderedLength(origin, length),
      plain: (origin, length) => !fates.any(origin, length),
      beforeApply: (b, offset, length, inserted, origin) => {
        doc.sink?.push([b.weightBefore(offset), b.weightOf(offset, offset + length), this.renderCounted(origin, inserted)]);
      },
    });
    this.created = doc;
    return doc.prov;
  }

  /** Renders a fragment through the fates and counts it once per occurrence it holds (part of). */
  private renderCounted(origin: number, text: string): string {
    const fates = this.fates;
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
    return this.run.strings.rewrite(value, (k) => this.bump(k));
  }

  /** Rewrites one event into `out`. */
  event(e: LoggedEvent): void {
    const ev = e.event;
    let next: CandorEvent = ev;
    const replaying = this.replayer !== undefined;
    switch (ev.t) {
      case 'snap': {
        this.created = undefined;
        this.replayer?.apply(e);
        const doc = this.created as RewriteDoc | undefined;
        if (doc !== undefined) {
          this.mirror.set(ev.f, doc);
        }
        if (this.run.unapplied.has(e.seq)) {
          if (typeof ev.text === 'string') {
            next = withField(next, 'text', this.rewriteString(ev.text));
          }
        } else if (doc?.prov !== undefined) {
          next = withField(next, 'text', this.renderCounted(doc.prov.snapshotOrigin, ev.text));
        }
        break;
      }
      case 'edit': {
        const doc = replaying && typeof ev.f === 'string' ? this.mirror.get(ev.f) : undefined;
        if (doc?.prov !== undefined) {
          doc.sink = [];
        }
        this.replayer?.apply(e);
        const sink = doc?.sink;
        if (doc !== undefined) {
          doc.sink = undefined;
        }
        if (this.run.unapplied.has(e.seq)) {
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
        const doc = replaying ? this.mirror.get(ev.f) : undefined;
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
        const doc = replaying ? this.mirror.get(ev.f) : undefined;
        if (doc?.prov !== undefined && Array.isArray(ev.s)) {
          next = this.translateSelection(ev, doc.prov);
        }
        break;
      }
      case 'file':
        this.replayer?.apply(e);
        if (replaying) {
          moveDoc(this.mirror, ev.op, ev.f, ev.to, () => undefined, () => undefined);
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
    const fates = this.fates;
    return prov.renderText((origin, text) => fates.render(origin, text));
  }
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
