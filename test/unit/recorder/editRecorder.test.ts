import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CandorEvent, LoggedEvent } from '../../../src/model/events';
import { EditRecorder, type ContentChange } from '../../../src/recorder/editRecorder';
import { replayEvents } from '../../../src/replay/replay';

/** A document the way VS Code's extension host keeps one: text + version, changes applied in order. */
class SimDocument {
  version = 1;
  constructor(public text: string) {}
  getText(): string {
    return this.text;
  }
  apply(changes: readonly ContentChange[]): void {
    for (const c of changes) {
      this.text = this.text.slice(0, c.rangeOffset) + c.text + this.text.slice(c.rangeOffset + c.rangeLength);
    }
    this.version++;
  }
}

const piece = fc.constantFrom('a', 'b', ' ', '\n', '\r\n', '😀', '𝒳', 'é', '{}', 'const x = 1;', '');

/** One change event: non-overlapping changes in descending offset order, as VS Code emits them. */
function changesFor(text: string): fc.Arbitrary<ContentChange[]> {
  return fc
    .array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.array(piece, { maxLength: 3 }).map((p) => p.join(''))), { minLength: 1, maxLength: 3 })
    .map((raw) => {
      const out: ContentChange[] = [];
      let limit = text.length;
      const sorted = raw.map(([o, l, t]) => [text.length === 0 ? 0 : o % (text.length + 1), l, t] as const).sort((a, b) => b[0] - a[0]);
      for (const [o, l, t] of sorted) {
        if (o > limit) continue;
        const len = Math.min(l, limit - o);
        out.push({ rangeOffset: o, rangeLength: len, text: t });
        limit = o;
      }
      return out.length > 0 ? out : [{ rangeOffset: 0, rangeLength: 0, text: 'z' }];
    });
}

describe('edit recorder → replay', () => {
  it('records what replays to every document state (property)', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 20 }).map((p) => p.join('')),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom<'undo' | 'redo' | undefined>(undefined, undefined, 'undo', 'redo'), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 2, max: 7 }),
        (initial, steps, every) => {
          const events: CandorEvent[] = [];
          const rec = new EditRecorder((e) => events.push(e), () => 0, every, 1e9);
          const doc = new SimDocument(initial);
          const versions = new Map<number, string>();
          for (const [seed, reason, save, rotate] of steps) {
            const changes = fc.sample(changesFor(doc.text), { numRuns: 1, seed })[0];
            doc.apply(changes);
            versions.set(doc.version, doc.text);
            rec.onChange('a.ts', doc, changes, reason);
            if (save) rec.onSave('a.ts', doc);
            if (rotate) rec.reset();
          }
          const logged: LoggedEvent[] = events.map((event, i) => ({ seq: i + 1, event }));
          const seen = new Map<number, string>();
          const result = replayEvents(logged, { onVersion: (_f, v, _seq, getText) => seen.set(v, getText()) });
          assert.deepEqual(result.issues, []);
          assert.equal(result.documents.find((d) => d.f === 'a.ts')?.text, doc.text);
          for (const [v, text] of seen) {
            assert.equal(text, versions.get(v), `version ${v}`);
          }
        },
      ),
      { numRuns: Number(process.env['CANDOR_FC_RUNS'] ?? 300) },
    );
  });

  it('skips files over the size cap entirely', () => {
    const events: CandorEvent[] = [];
    const rec = new EditRecorder((e) => events.push(e), () => 0, 100, 10);
    const doc = new SimDocument('x'.repeat(11));
    assert.equal(rec.onChange('big.txt', doc, [{ rangeOffset: 0, rangeLength: 0, text: 'y' }], undefined), 'too-large');
    assert.deepEqual(events, []);
  });

  it('an edit record stays compact', () => {
    const events: CandorEvent[] = [];
    const rec = new EditRecorder((e) => events.push(e), () => 1764470000123, 100, 1e9);
    const doc = new SimDocument('hello');
    rec.onChange('src/recorder/editSource.ts', doc, [{ rangeOffset: 5, rangeLength: 0, text: '!' }], undefined);
    doc.apply([{ rangeOffset: 5, rangeLength: 0, text: '?' }]);
    rec.onChange('src/recorder/editSource.ts', doc, [{ rangeOffset: 6, rangeLength: 0, text: '?' }], undefined);
    const edit = JSON.stringify(events[events.length - 1]);
    assert.ok(edit.length < 110, `${edit.length} bytes: ${edit}`);
  });
});
