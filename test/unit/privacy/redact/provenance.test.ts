import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { OriginSpace, ProvenanceBuffer, SNAPSHOT_CHANGE } from '../../../../src/replay/provenance';
import { replayEvents } from '../../../../src/replay/replay';
import { provenanceBufferFactory } from '../../../../src/replay/provenance';
import { fcRuns } from './helpers';

// Pieces that stress UTF-16 offsets and line endings (as the replay property test does).
const piece = fc.constantFrom('a', 'b', 'x', ' ', '\n', '\r\n', 'é', '😀', '𝒳', '{');
const text = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''));
const edit = fc.record({ a: fc.nat(), b: fc.nat(), text });

/** Weight used by the tests: characters with an id divisible by 3 weigh 0, by 5 weigh 4, else 1. */
function weigh(origin: number, length: number): number {
  let w = 0;
  for (let id = origin; id < origin + length; id++) {
    w += id % 3 === 0 ? 0 : id % 5 === 0 ? 4 : 1;
  }
  return w;
}

describe('ProvenanceBuffer', () => {
  it('matches a character-by-character model: text, origins, weights, searches', () => {
    fc.assert(
      fc.property(text, fc.array(edit, { maxLength: 40 }), fc.constantFrom(4, 5, 8, 16, 2048), (initial, edits, maxChunk) => {
        const space = new OriginSpace();
        const buf = new ProvenanceBuffer(initial, 7, space, { maxChunk, weigh });
        // The model: the text and one origin id per code unit.
        let model = initial;
        let ids = [...Array(initial.length).keys()].map((k) => buf.snapshotOrigin + k);
        edits.forEach((e, k) => {
          const len = model.length;
          const lo = Math.min(e.a % (len + 1), e.b % (len + 1));
          const hi = Math.max(e.a % (len + 1), e.b % (len + 1));
          const before = space.size;
          buf.apply(lo, hi - lo, e.text, 100 + k, k % 3);
          model = model.slice(0, lo) + e.text + model.slice(hi);
          ids = [...ids.slice(0, lo), ...[...Array(e.text.length).keys()].map((i) => before + i), ...ids.slice(hi)];
          assert.equal(buf.length, model.length);
        });
        assert.equal(buf.getText(), model);
        const flat = buf.origins(0, model.length).flatMap(([o, n]) => [...Array(n).keys()].map((i) => o + i));
        assert.deepEqual(flat, ids);
        for (const [s, e] of [
          [0, model.length],
          [1, 5],
          [model.length >> 1, model.length],
          [3, 3],
        ] as const) {
          assert.equal(buf.slice(s, e), model.slice(Math.max(0, s), Math.min(model.length, e)));
          const w = ids.slice(s, e).reduce((sum, id) => sum + weigh(id, 1), 0);
          assert.equal(buf.weightOf(s, Math.min(e, model.length)), s > model.length ? 0 : w);
        }
        assert.equal(buf.totalWeight, ids.reduce((sum, id) => sum + weigh(id, 1), 0));
        const runs: string[] = [];
        buf.forEachRun(0, model.length, (_o, t) => runs.push(t));
        assert.equal(runs.join(''), model);
        for (const at of [0, 3, model.length >> 1, model.length]) {
          const want = model.lastIndexOf('\n', at - 1);
          assert.equal(buf.lastIndexOf('\n', at, 10), at > 0 && want >= at - 10 ? want : -1);
          const fwd = model.indexOf('\n', at);
          assert.equal(buf.indexOf('\n', at, 10), fwd >= 0 && fwd < at + 10 ? fwd : -1);
        }
      }),
      { numRuns: fcRuns() },
    );
  });

  it('resolves every origin to its event, change and offset', () => {
    const space = new OriginSpace();
    const buf = new ProvenanceBuffer('hello', 3, space);
    buf.apply(5, 0, ' world', 4, 0);
    buf.apply(0, 1, 'J', 9, 2);
    assert.equal(buf.getText(), 'Jello world');
    assert.deepEqual(space.resolve(buf.originAt(0)), { seq: 9, change: 2, offset: 0 });
    assert.deepEqual(space.resolve(buf.originAt(1)), { seq: 3, change: SNAPSHOT_CHANGE, offset: 1 });
    assert.deepEqual(space.resolve(buf.originAt(8)), { seq: 4, change: 0, offset: 3 });
    assert.equal(space.resolve(-1), undefined);
    assert.equal(space.resolve(space.size), undefined);
  });

  it('keeps a typed run as one piece (consecutive origins merge)', () => {
    const space = new OriginSpace();
    const buf = new ProvenanceBuffer('ab', 1, space);
    for (let k = 0; k < 500; k++) {
      buf.apply(1 + k, 0, String.fromCharCode(97 + (k % 26)), 2 + k, 0);
    }
    // 'a', the typed run, 'b'.
    assert.equal(buf.pieceCount, 3);
    // Backspacing part of the run and typing again adds one piece per resumed run only.
    buf.apply(300, 1, '', 600, 0);
    assert.equal(buf.pieceCount, 4);
  });

  it('works as the replayer’s buffer (BufferFactory)', () => {
    const space = new OriginSpace();
    const events = [
      { seq: 1, event: { t: 'snap' as const, ts: 1, f: 'a', v: 1, text: 'abc' } },
      { seq: 2, event: { t: 'edit' as const, ts: 2, f: 'a', v: 2, c: [[1, 1, 'XY'] as [number, number, string]] } },
    ];
    const r = replayEvents(events, { createBuffer: provenanceBufferFactory(space) });
    assert.equal(r.documents[0].text, 'aXYc');
    assert.equal(space.size, 5);
  });
});
