import * as assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LoggedEvent } from '../../../src/model/events';
import { encodeRecord } from '../../../src/store/framing';
import { listSessions, LogIndex } from '../../../src/preview/logSessions';
import { writeLog } from '../bundle/helpers';

function session(first: number, sid: string, n: number, ts0: number): LoggedEvent[] {
  const out: LoggedEvent[] = [{ seq: first, event: { t: 'session', ts: ts0, op: 'start', sid } }];
  for (let k = 1; k <= n; k++) {
    out.push({ seq: first + k, event: { t: 'cmd', ts: ts0 + k, id: 'candor.showLog' } });
  }
  out.push({ seq: first + n + 1, event: { t: 'session', ts: ts0 + n + 1, op: 'pause', sid } });
  return out;
}

describe('log index (the Candor view and the preview QuickPick)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'candor-index-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads what was appended since, and agrees with a full read', async () => {
    const a = session(1, 'a', 5, 1000);
    await writeLog(dir, a, 4);
    const index = new LogIndex(() => dir);
    const first = await index.read();
    assert.deepEqual(first.sessions.map((s) => [s.sessionId, s.events, s.firstSeq, s.lastSeq, s.ended]), [['a', 7, 1, 7, true]]);
    assert.equal(first.events, 7);
    // Appending to the last segment, with a line still being written at the end.
    const b = session(8, 'b', 3, 2000);
    const last = path.join(dir, 'seg-000002.log');
    await appendFile(last, b.slice(0, 2).map((e) => encodeRecord(e.seq, e.event)).join('') + encodeRecord(b[2].seq, b[2].event).slice(0, 10));
    const mid = await index.read();
    assert.deepEqual(mid.sessions.map((s) => [s.sessionId, s.events, s.ended]), [['a', 7, true], ['b', 2, false]]);
    await appendFile(last, encodeRecord(b[2].seq, b[2].event).slice(10) + b.slice(3).map((e) => encodeRecord(e.seq, e.event)).join(''));
    const done = await index.read();
    assert.deepEqual(done.sessions, (await listSessions(dir)).map((s) => ({ ...s })));
    assert.deepEqual([done.firstSeq, done.lastSeq, done.events], [1, 12, 12]);
  });

  it('starts over when retention deleted the first segment, and after reset', async () => {
    const all = [...session(1, 'a', 5, 1000), ...session(8, 'b', 5, 2000)];
    await writeLog(dir, all, 7);
    const index = new LogIndex(() => dir);
    assert.equal((await index.read()).sessions.length, 2);
    await unlink(path.join(dir, 'seg-000001.log'));
    const after = await index.read();
    assert.deepEqual(after.sessions.map((s) => s.sessionId), ['b']);
    // Deleted and recorded again: seqs restart at 1 (the controller resets the index).
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeLog(dir, session(1, 'c', 2, 3000), 7);
    index.reset();
    assert.deepEqual((await index.read()).sessions.map((s) => [s.sessionId, s.firstSeq, s.lastSeq]), [['c', 1, 4]]);
  });

  it('reads no log as empty', async () => {
    const index = new LogIndex(() => undefined);
    assert.deepEqual(await index.read(), { sessions: [], events: 0 });
    const missing = new LogIndex(() => path.join(dir, 'nope'));
    assert.deepEqual(await missing.read(), { sessions: [], events: 0 });
  });
});
