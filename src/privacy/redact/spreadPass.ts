import type { LoggedEvent } from '../../model/events';
import type { DocumentBuffer } from '../../replay/buffer';
import { OriginSpace, ProvenanceBuffer } from '../../replay/provenance';
import { Replayer } from '../../replay/replayer';
import type { RunContext } from './runContext';
import { changeTexts, moveDoc } from './runContext';
import { SpreadSet } from './spread';
import { dirtyRanges, mergeRanges } from './windows';

/**
 * The spread replay of a redaction run (engine.ts), between the scan pass and the rewrite pass:
 * the values the scan pass found are looked for as literals (spread.ts) in every version of every
 * document (each snapshot whole, a small window around each edit) and, through the string
 * redactor, in every other string. Runs only when a found value spreads.
 */

/** A document lifetime in the spread replay. */
interface SpreadDoc {
  readonly id: number;
  readonly buffer: ProvenanceBuffer;
  file: string;
  /** Changes of the event being applied, flat: offset, length, inserted length. */
  readonly changes: number[];
}


export class SpreadPass {
  private readonly replayer: Replayer;
  private readonly space = new OriginSpace(false);
  private readonly mirror = new Map<string, SpreadDoc>();
  private created: SpreadDoc | undefined;

  /** Builds the literal finder from what the scan pass found; undefined when nothing spreads. */
  static start(run: RunContext): SpreadPass | undefined {
    const values = [...run.marks.groupValues((rule) => run.scan.isGeneric(rule)), ...run.strings.detected()];
    const set = new SpreadSet(values);
    if (set.empty) {
      return undefined;
    }
    run.strings.setSpread(set);
    return new SpreadPass(run, set);
  }

  private constructor(
    private readonly run: RunContext,
    private readonly set: SpreadSet,
  ) {
    this.replayer = new Replayer({ createBuffer: (text, seq) => this.createSpreadDoc(text, seq) });
  }

  private createSpreadDoc(text: string, seq: number): DocumentBuffer {
    const changes: number[] = [];
    const buffer = new ProvenanceBuffer(text, seq, this.space, {
      afterApply: (_b, offset, length, inserted) => {
        changes.push(offset, length, inserted.length);
      },
    });
    this.created = { id: seq, buffer, file: '', changes };
    return buffer;
  }

  /**
   * The spread replay of one event. A literal needs no context, so an occurrence in a version
   * either was in the snapshot (found by the whole scan) or touches a range some edit changed
   * (found in that edit's window): no final scans are needed.
   */
  event(e: LoggedEvent): void {
    const ev = e.event;
    const set = this.set;
    switch (ev.t) {
      case 'snap': {
        this.created = undefined;
        this.replayer.apply(e);
        const doc = this.created as SpreadDoc | undefined;
        if (doc !== undefined) {
          doc.file = ev.f;
          this.mirror.set(ev.f, doc);
          const text = doc.buffer.getText();
          set.findIn(text, 0, text.length, (a, b) => doc.buffer.slice(a, b), (start, end, value, rule, kind) =>
            this.recordSpread(doc, start, end, value, rule, kind, e.seq),
          );
        } else if (typeof ev.text === 'string') {
          this.run.strings.note(ev.text, 'snap.text', e.seq, typeof ev.f === 'string' ? ev.f : undefined);
        }
        break;
      }
      case 'edit': {
        const doc = typeof ev.f === 'string' ? this.mirror.get(ev.f) : undefined;
        this.replayer.apply(e);
        if (doc !== undefined && doc.changes.length > 0) {
          this.spreadWindows(doc, e.seq);
        } else if (Array.isArray(ev.c) && ev.c.length > 0) {
          for (const text of changeTexts(ev)) {
            this.run.strings.note(text, 'edit.text', e.seq, ev.f);
          }
        }
        break;
      }
      case 'file':
        this.replayer.apply(e);
        moveDoc(this.mirror, ev.op, ev.f, ev.to, () => undefined, (doc, to) => {
          doc.file = to;
        });
        break;
      default:
        break;
    }
    this.run.noteFields(e);
  }

  /** Searches the windows of an applied edit (its changed ranges widened by the set's reach). */
  private spreadWindows(doc: SpreadDoc, seq: number): void {
    const set = this.set;
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
    this.run.marks.record(doc.buffer.origins(start, end), rule, kind, value, { seq, discovery: this.run.nextDiscovery(), file: doc.file }, false);
    this.run.marked.add(doc.id);
  }
}
