import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { Change, LoggedEvent } from '../../../src/model/events';
import { ChunkedTextBuffer } from '../../../src/replay/buffer';
import { replayEvents } from '../../../src/replay/replay';
import { fcRuns, LogBuilder } from './helpers';

// Pieces that stress UTF-16 offsets and line endings; offsets may still land inside a surrogate
// pair or between \r and \n, which replay must handle as plain code units.
const piece = fc.constantFrom('a', 'b', 'x', ' ', '\t', '\n', '\r\n', '\r', 'é', '😀', '𝒳', '{');
const text = fc.array(piece, { maxLength: 24 }).map((p) => p.join(''));

const changeSpec = fc.record({ a: fc.nat(), b: fc.nat(), text });
const eventSpec = fc.record({
  file: fc.nat(2),
  changes: fc.array(changeSpec, { minLength: 1, maxLength: 4 }),
  reason: fc.constantFrom<'undo' | 'redo' | undefined>(undefined, undefined, 'undo', 'redo'),
  checkpoint: fc.boolean(),
  // Now and then the document is snapshotted again (log rotation, reopen) and an already
  // included edit shows up again after it, as it may after rotation.
  resnapshot: fc.nat(12).map((n) => n === 0),
});
const scenario = fc.record({
  initial: fc.array(text, { minLength: 3, maxLength: 3 }),
  events: fc.array(eventSpec, { maxLength: 40 }),
  maxChunk: fc.constantFrom(2, 3, 4, 8, 16, 2048),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface Built {
  readonly events: LoggedEvent[];
  /** Expected text for every seq that establishes a version (snapshots and edits). */
  readonly versions: Map<number, string>;
  readonly checkpoints: { seq: number; f: string; lastEditSeq: number | undefined }[];
  readonly finalText: Map<string, string>;
}

/**
 * Turns raw numbers into a VS Code-style multi-change event against `current`: non-overlapping
 * ranges, listed in descending offset order so that applying them one after the other is the
 * same as applying them all to the original text.
 */
function vscodeChanges(current: string, specs: readonly { a: number; b: number; text: string }[]): Change[] {
  const cuts = specs.flatMap((s) => [s.a % (current.length + 1), s.b % (current.length + 1)]).sort((x, y) => x - y);
  const ascending = specs.map((s, i): Change => [cuts[2 * i], cuts[2 * i + 1] - cuts[2 * i], s.text]);
  return ascending.reverse();
}

/** The expected result, computed left to right from the original text: independent of sequential application. */
function expectedAfter(current: string, changes: readonly Change[]): string {
  const ascending = [...changes].reverse();
  let out = '';
  let pos = 0;
  for (const [offset, length, insert] of ascending) {
    out += current.slice(pos, offset) + insert;
    pos = offset + length;
  }
  return out + current.slice(pos);
}

function build(s: Scenario): Built {
  const log = new LogBuilder();
  const names = ['src/a.ts', 'docs/b b.md', 'ünï/c.txt'];
  const model = [...s.initial];
  const v = [1, 1, 1];
  const lastEdit: (LoggedEvent | undefined)[] = [undefined, undefined, undefined];
  const versions = new Map<number, string>();
  const checkpoints: Built['checkpoints'] = [];
  names.forEach((f, k) => versions.set(log.snap(f, v[k], model[k]), model[k]));
  for (const spec of s.events) {
    const k = spec.file;
    const f = names[k];
    const changes = vscodeChanges(model[k], spec.changes);
    model[k] = expectedAfter(model[k], changes);
    v[k]++;
    const seq = log.edit(f, v[k], changes, spec.reason);
    lastEdit[k] = log.events[seq - 1];
    versions.set(seq, model[k]);
    if (spec.checkpoint) {
      checkpoints.push({ seq: log.ckpt(f, v[k], model[k]), f, lastEditSeq: lastEdit[k]?.seq });
    }
    if (spec.resnapshot) {
      versions.set(log.snap(f, v[k], model[k]), model[k]);
      log.push(lastEdit[k].event); // v <= the snapshot's: must be skipped
      lastEdit[k] = undefined;
    }
  }
  names.forEach((f, k) => checkpoints.push({ seq: log.ckpt(f, v[k], model[k]), f, lastEditSeq: lastEdit[k]?.seq }));
  return { events: log.events, versions, checkpoints, finalText: new Map(names.map((f, k) => [f, model[k]])) };
}

describe('replay properties', () => {
  it('reproduces every version exactly and matches every checkpoint', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const built = build(s);
        const seen = new Set<number>();
        const result = replayEvents(built.events, {
          createBuffer: (t) => new ChunkedTextBuffer(t, { maxChunk: s.maxChunk }),
          onVersion: (_f, _v, seq, getText) => {
            assert.equal(getText(), built.versions.get(seq), `text at seq ${seq}`);
            seen.add(seq);
          },
        });
        assert.deepEqual(result.issues, []);
        assert.equal(seen.size, built.versions.size);
        assert.equal(result.stats.checkpointsMatched, built.checkpoints.length);
        assert.deepEqual(new Map(result.documents.map((d) => [d.f, d.text])), built.finalText);
      }),
      { numRuns: fcRuns() },
    );
  });

  it('reports exactly one issue, naming its seq, for one corrupted checkpoint', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.nat(63), (s, pick, digit) => {
        const built = build(s);
        const target = built.checkpoints[pick % built.checkpoints.length];
        const original = built.events[target.seq - 1];
        assert.equal(original.event.t, 'ckpt');
        const h = original.event.t === 'ckpt' ? original.event.h : '';
        const flipped = h.slice(0, digit) + (h[digit] === '0' ? '1' : '0') + h.slice(digit + 1);
        const events = built.events.map((e) => (e === original ? { seq: e.seq, event: { ...original.event, h: flipped } } : e));
        const result = replayEvents(events, { createBuffer: (t) => new ChunkedTextBuffer(t, { maxChunk: s.maxChunk }) });
        assert.equal(result.issues.length, 1);
        const issue = result.issues[0];
        assert.equal(issue.kind, 'checkpoint-mismatch');
        assert.equal(issue.seq, target.seq);
        assert.equal(issue.f, target.f);
        assert.equal(issue.lastEditSeq, target.lastEditSeq);
        assert.equal(issue.expected, flipped);
        assert.ok(issue.message.includes(`seq ${target.seq}:`));
      }),
      { numRuns: fcRuns() },
    );
  });
});
