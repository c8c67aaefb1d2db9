import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LoggedEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';
import { replayEvents, replayEventStream } from '../../../src/replay/replay';
import { Replayer } from '../../../src/replay/replayer';
import { LogBuilder } from './helpers';

function run(events: readonly LoggedEvent[]): Replayer {
  const r = new Replayer();
  for (const e of events) {
    r.apply(e);
  }
  r.finish();
  return r;
}

describe('replay/hash', () => {
  it('is SHA-256 hex of the UTF-8 bytes', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const text = 'a😀é\r\n';
    assert.equal(sha256Hex(text), createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
  });
});

describe('replay/Replayer', () => {
  it('applies a multi-change event in order, each against the previous result', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 1, 'one two three');
    // Multi-cursor typing as VS Code reports it: descending offsets.
    log.edit('a.ts', 2, [[8, 0, 'X'], [4, 0, 'X'], [0, 0, 'X']]);
    // Sequential semantics: the second change sees the first one's result.
    log.edit('a.ts', 3, [[0, 1, 'AB'], [1, 1, '']]);
    log.ckpt('a.ts', 3, 'Aone Xtwo Xthree');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.document('a.ts')?.text, 'Aone Xtwo Xthree');
    assert.equal(r.stats.checkpointsMatched, 1);
  });

  it('applies undo and redo edits like any other', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 1, 'abc');
    log.edit('a.ts', 2, [[3, 0, 'def']]);
    log.edit('a.ts', 3, [[3, 3, '']], 'undo');
    log.ckpt('a.ts', 3, 'abc');
    log.edit('a.ts', 4, [[3, 0, 'def']], 'redo');
    log.ckpt('a.ts', 4, 'abcdef');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.document('a.ts')?.text, 'abcdef');
    assert.equal(r.document('a.ts')?.v, 4);
  });

  it('keeps CRLF line endings exactly', () => {
    const log = new LogBuilder();
    log.snap('w.txt', 5, 'line1\r\nline2\r\n');
    log.edit('w.txt', 6, [[7, 0, 'new\r\n']]);
    log.edit('w.txt', 7, [[5, 2, '']]); // join line1 and new
    log.ckpt('w.txt', 7, 'line1new\r\nline2\r\n');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.document('w.txt')?.text, 'line1new\r\nline2\r\n');
  });

  it('counts offsets in UTF-16 code units (astral characters take two)', () => {
    const log = new LogBuilder();
    log.snap('e.md', 1, 'a😀b');
    log.edit('e.md', 2, [[3, 0, '𝒳']]); // after the emoji: 'a' (1) + '😀' (2)
    log.ckpt('e.md', 2, 'a😀𝒳b');
    log.edit('e.md', 3, [[1, 2, '']]); // delete the emoji
    log.ckpt('e.md', 3, 'a𝒳b');
    log.edit('e.md', 4, [[1, 2, '😀😀']]); // replace 𝒳
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.document('e.md')?.text, 'a😀😀b');
  });

  it('handles empty documents and deleting everything', () => {
    const log = new LogBuilder();
    log.snap('e.txt', 1, '');
    log.ckpt('e.txt', 1, '');
    log.edit('e.txt', 2, [[0, 0, 'hi']]);
    log.edit('e.txt', 3, [[0, 2, '']]);
    log.ckpt('e.txt', 3, '');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.document('e.txt')?.text, '');
    assert.equal(r.stats.checkpointsMatched, 2);
  });

  it('skips edits a snapshot already includes, and counts them as covered', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 10, 'abc');
    log.edit('a.ts', 9, [[0, 0, 'old']]);
    log.edit('a.ts', 10, [[0, 0, 'old']]);
    log.edit('a.ts', 11, [[3, 0, 'd']]);
    log.ckpt('a.ts', 11, 'abcd');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.stats.editsCovered, 2);
    assert.equal(r.stats.editsApplied, 1);
  });

  it('resets a document on a later snapshot without an error', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 3, 'first');
    log.edit('a.ts', 4, [[5, 0, '!']]);
    log.snap('a.ts', 1, 'reopened'); // reopened: VS Code restarts versions
    log.edit('a.ts', 1, [[0, 0, 'stale']]); // covered by the new snapshot
    log.edit('a.ts', 2, [[8, 0, '?']]);
    const ck = log.ckpt('a.ts', 2, 'reopened?');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.document('a.ts'), { f: 'a.ts', text: 'reopened?', v: 2, snapSeq: 3, lastEditSeq: 5, lastSeq: 5 });
    assert.equal(ck, 6);
  });

  it('moves a document on rename and drops it on delete', () => {
    const log = new LogBuilder();
    log.snap('old.ts', 1, 'x');
    log.file('rename', 'old.ts', 'new.ts');
    log.edit('new.ts', 2, [[1, 0, 'y']]);
    log.ckpt('new.ts', 2, 'xy');
    const stale = log.ckpt('old.ts', 1, 'x');
    log.file('delete', 'new.ts');
    const gone = log.ckpt('new.ts', 2, 'xy');
    log.file('open', 'other.ts'); // other file ops mean nothing to replay
    const r = run(log.events);
    assert.deepEqual(
      r.issues.map((i) => [i.kind, i.seq, i.f]),
      [
        ['checkpoint-without-document', stale, 'old.ts'],
        ['checkpoint-without-document', gone, 'new.ts'],
      ],
    );
    assert.deepEqual(r.files(), []);
    assert.equal(r.stats.checkpointsMatched, 1);
  });

  it('reports a checkpoint mismatch naming the checkpoint, the file, the version and the last edit', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 1, 'abc');
    log.edit('a.ts', 2, [[3, 0, 'd']]);
    const lastEdit = log.edit('a.ts', 3, [[4, 0, 'e']]);
    log.snap('b.ts', 1, 'other'); // another document's events in between
    log.edit('b.ts', 2, [[0, 0, '!']]);
    const wrong = sha256Hex('abcdE');
    const ck = log.ckptHash('a.ts', 3, wrong);
    const r = run(log.events);
    assert.equal(r.issues.length, 1);
    const issue = r.issues[0];
    assert.equal(issue.kind, 'checkpoint-mismatch');
    assert.equal(issue.seq, ck);
    assert.equal(issue.f, 'a.ts');
    assert.equal(issue.v, 3);
    assert.equal(issue.lastEditSeq, lastEdit);
    assert.equal(issue.expected, wrong);
    assert.equal(issue.actual, sha256Hex('abcde'));
    assert.match(issue.message, new RegExp(`seq ${ck}\\b.*a\\.ts v3.*last edit applied: seq ${lastEdit}\\b.*${wrong}.*${sha256Hex('abcde')}`));
  });

  it('says when no edit was applied since the snapshot, and when versions differ', () => {
    const log = new LogBuilder();
    const s = log.snap('a.ts', 4, 'abc');
    log.ckpt('a.ts', 5, 'abcd');
    const r = run(log.events);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0].lastEditSeq, undefined);
    assert.match(r.issues[0].message, new RegExp(`v5 \\(replayed to v4\\); no edit applied since the snapshot at seq ${s}`));
  });

  it('reports an edit on a document without a snapshot, without crashing', () => {
    const log = new LogBuilder();
    const e1 = log.edit('ghost.ts', 2, [[0, 0, 'x']]);
    log.edit('ghost.ts', 3, [[1, 0, 'y']]);
    log.snap('a.ts', 1, 'fine');
    const r = run(log.events);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0].kind, 'edit-before-snapshot');
    assert.equal(r.issues[0].seq, e1);
    assert.equal(r.issues[0].count, 2);
    assert.match(r.issues[0].message, /seq 1: 2 edits at seq 1–2 of ghost\.ts before any snapshot/);
    assert.equal(r.document('ghost.ts'), undefined);
  });

  it('accepts the edit that first touched a document when the snapshot after it includes it', () => {
    const log = new LogBuilder();
    log.edit('a.ts', 7, [[0, 0, 'x']]);
    log.snap('a.ts', 7, 'xabc');
    log.edit('a.ts', 8, [[4, 0, 'd']]);
    log.ckpt('a.ts', 8, 'xabcd');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.stats.editsCovered, 1);
  });

  it('reports edits before a snapshot that does not include them', () => {
    const log = new LogBuilder();
    const e = log.edit('a.ts', 9, [[0, 0, 'x']]);
    log.snap('a.ts', 7, 'abc');
    const r = run(log.events);
    assert.deepEqual(r.issues.map((i) => [i.kind, i.seq]), [['edit-before-snapshot', e]]);
    assert.match(r.issues[0].message, /snapshot at seq 2 is only at v7/);
  });

  it('skips an out-of-range event as a whole and names its seq', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 1, 'abc');
    // The first change is fine, the second runs past the end once the first is applied.
    const bad = log.edit('a.ts', 2, [[0, 1, ''], [1, 2, 'z']]);
    log.edit('a.ts', 3, [[3, 0, 'd']]);
    log.ckpt('a.ts', 3, 'abcd');
    const r = run(log.events);
    assert.deepEqual(r.issues.map((i) => [i.kind, i.seq, i.f]), [['edit-out-of-range', bad, 'a.ts']]);
    assert.match(r.issues[0].message, /seq 2: .*a\.ts v2 change #1 \[1, 2\].*length 2/);
    assert.equal(r.document('a.ts')?.text, 'abcd');
  });

  it('turns malformed records into issues instead of exceptions', () => {
    const r = new Replayer();
    const junk = [
      { t: 'edit', ts: 1, f: 'a.ts', v: 2 },
      { t: 'snap', ts: 1, f: 'a.ts', v: 1 },
      { t: 'ckpt', ts: 1, v: 1, h: 'x', why: 'save' },
      { t: 'file', ts: 1, op: 'rename', f: 'a.ts' },
      { t: 'future-kind', ts: 1 },
    ];
    junk.forEach((event, k) => r.apply({ seq: k + 1, event } as unknown as LoggedEvent));
    r.apply({ seq: 6, event: { t: 'snap', ts: 1, f: 'a.ts', v: 1, text: 'ok' } });
    r.apply({ seq: 7, event: { t: 'edit', ts: 1, f: 'a.ts', v: 2, c: [[-1, 0, 'x']] } });
    r.apply({ seq: 8, event: { t: 'edit', ts: 1, f: 'a.ts', v: 2, c: [[0, 0, 5]] } as unknown as LoggedEvent['event'] });
    r.finish();
    assert.deepEqual(r.issues.map((i) => [i.kind, i.seq]), [
      ['malformed-event', 1],
      ['malformed-event', 2],
      ['malformed-event', 3],
      ['malformed-event', 4],
      ['malformed-event', 7],
      ['malformed-event', 8],
    ]);
    assert.equal(r.document('a.ts')?.text, 'ok');
  });

  it('counts version gaps without calling them issues', () => {
    const log = new LogBuilder();
    log.snap('a.ts', 1, '');
    log.edit('a.ts', 4, [[0, 0, 'a']]);
    log.ckpt('a.ts', 4, 'a');
    const r = run(log.events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.stats.versionGaps, 1);
  });
});

describe('replay/replayEvents', () => {
  function sample(): LogBuilder {
    const log = new LogBuilder();
    log.snap('a.ts', 1, 'a'); // 1
    log.snap('b.ts', 1, 'b'); // 2
    log.edit('a.ts', 2, [[1, 0, '1']]); // 3
    log.edit('b.ts', 2, [[1, 0, '2']]); // 4
    log.file('rename', 'b.ts', 'c.ts'); // 5
    log.edit('c.ts', 3, [[2, 0, '3']]); // 6
    return log;
  }

  it('reports every version through onVersion, and the final documents', () => {
    const seen: string[] = [];
    const result = replayEvents(sample().events, { onVersion: (f, v, seq, getText) => seen.push(`${seq}:${f}@${v}=${getText()}`) });
    assert.deepEqual(seen, ['1:a.ts@1=a', '2:b.ts@1=b', '3:a.ts@2=a1', '4:b.ts@2=b2', '6:c.ts@3=b23']);
    assert.deepEqual(result.documents.map((d) => [d.f, d.text]), [['a.ts', 'a1'], ['c.ts', 'b23']]);
    assert.equal(result.lastSeq, 6);
    assert.equal(result.stats.renames, 1);
  });

  it('stops after untilSeq and filters by file', () => {
    const seen: number[] = [];
    const result = replayEvents(sample().events, { untilSeq: 4, file: 'b.ts', onVersion: (_f, _v, seq) => seen.push(seq) });
    assert.deepEqual(seen, [2, 4]);
    assert.deepEqual(result.documents.map((d) => [d.f, d.text, d.v]), [['b.ts', 'b2', 2]]);
    assert.equal(result.lastSeq, 4);
  });

  it('follows a document renamed into the requested file', () => {
    const result = replayEvents(sample().events, { file: 'c.ts' });
    assert.deepEqual(result.documents.map((d) => d.text), ['b23']);
  });

  it('replays an async stream the same way', async () => {
    const events = sample().events;
    async function* stream(): AsyncGenerator<LoggedEvent> {
      for (const e of events) {
        await Promise.resolve();
        yield e;
      }
    }
    const result = await replayEventStream(stream(), { untilSeq: 5 });
    assert.deepEqual(result.documents.map((d) => [d.f, d.text]), [['a.ts', 'a1'], ['c.ts', 'b2']]);
  });
});
