import type { LoggedEvent } from '../../model/events';
import type { DocumentBuffer } from '../../replay/buffer';
import { OriginSpace, ProvenanceBuffer } from '../../replay/provenance';
import { Replayer } from '../../replay/replayer';
import { MAX_PLACEHOLDER_LENGTH, maskPlaceholders } from './placeholders';
import type { RunContext } from './runContext';
import { changeTexts, moveDoc } from './runContext';
import type { FoundSpan, ScanSet, ScanTier } from './scanners';
import { dirtyRanges, mergeRanges } from './windows';

/**
 * Pass 1 of a redaction run (engine.ts), the scan pass: replays every document into provenance
 * buffers and detects, each snapshot whole, each edit only in windows around what it changed (per
 * tier, see scanners.ts), and each document's final state whole. Every span found is recorded by
 * the origins of its characters (marks.ts). Other strings are detected whole (runContext.ts).
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


export class ScanPass {
  private readonly scan: ScanSet;
  private readonly space = new OriginSpace(false);
  private readonly mirror = new Map<string, ScanDoc>();
  private created: ScanDoc | undefined;
  private readonly replayer: Replayer;
  private finalQueue: ScanDoc[] = [];

  constructor(private readonly run: RunContext) {
    this.scan = run.scan;
    this.replayer = new Replayer({ createBuffer: (text, seq) => this.createScanDoc(text, seq) });
  }

  /** After the last event: queues every lifetime still open for its final scan. */
  startFinal(): void {
    this.finalQueue = [...this.mirror.values()];
  }

  /** Scans one queued lifetime's final state; false when none is left. */
  finishNext(): boolean {
    const doc = this.finalQueue.pop();
    if (doc === undefined) {
      return false;
    }
    this.finish(doc);
    return true;
  }

  private createScanDoc(text: string, seq: number): DocumentBuffer {
    const tiers = this.scan.tiers.length;
    // Filled by the buffer as the replayer applies an event's changes; emptied by afterEdit.
    const changes: number[] = [];
    const buffer = new ProvenanceBuffer(text, seq, this.space, {
      afterApply: (_b, offset, length, inserted) => {
        changes.push(offset, length, inserted.length);
      },
    });
    this.created = {
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

  /** Replays and scans one event. */
  event(e: LoggedEvent): void {
    const ev = e.event;
    switch (ev.t) {
      case 'snap': {
        this.created = undefined;
        this.replayer.apply(e);
        const doc = this.created as ScanDoc | undefined;
        if (doc !== undefined) {
          const prev = this.mirror.get(ev.f);
          if (prev !== undefined) {
            this.finish(prev);
          }
          doc.file = ev.f;
          this.mirror.set(ev.f, doc);
          this.scanWhole(doc, e.seq, false);
        } else {
          this.run.unapplied.add(e.seq);
          if (typeof ev.text === 'string') {
            this.run.strings.note(ev.text, 'snap.text', e.seq, typeof ev.f === 'string' ? ev.f : undefined);
          }
        }
        break;
      }
      case 'edit': {
        const doc = typeof ev.f === 'string' ? this.mirror.get(ev.f) : undefined;
        this.replayer.apply(e);
        if (doc !== undefined && doc.changes.length > 0) {
          this.afterEdit(doc, e.seq);
        } else if (Array.isArray(ev.c) && ev.c.length > 0) {
          this.run.unapplied.add(e.seq);
          for (const text of changeTexts(ev)) {
            this.run.strings.note(text, 'edit.text', e.seq, ev.f);
          }
        }
        break;
      }
      case 'file':
        this.replayer.apply(e);
        moveDoc(this.mirror, ev.op, ev.f, ev.to, (doc) => this.finish(doc), (doc, to) => {
          doc.file = to;
        });
        break;
      default:
        break;
    }
    this.run.noteFields(e);
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
    this.scanWhole(doc, this.replayer.lastSeq ?? doc.id, true);
  }

  private record(doc: ScanDoc, start: number, end: number, span: FoundSpan, text: string, seq: number, final: boolean): void {
    const runs = doc.buffer.origins(start, end);
    this.run.marks.record(runs, span.rule, span.kind, text, { seq, discovery: this.run.nextDiscovery(), file: doc.file }, final);
    this.run.marked.add(doc.id);
  }
}
