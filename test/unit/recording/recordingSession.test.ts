import * as assert from 'node:assert/strict';
import type { CandorEvent } from '../../../src/model/events';
import type { Logger } from '../../../src/model/logger';
import { RecordingSession, UNCLEAN_END_NOTE } from '../../../src/recording/recordingSession';
import { FakeRecorder, memoryLogs, type MemoryLog } from './fakes';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function cmd(ts: number, id = 'x'): CandorEvent {
  return { t: 'cmd', ts, id };
}

async function open(
  options: { tail?: { sid: string; lastTs: number }; checkConsent?: () => Promise<number | undefined>; op?: 'start' | 'resume' } = {},
): Promise<{ session: RecordingSession; log: MemoryLog; recorder: FakeRecorder; errors: Error[]; appends: number[] }> {
  const logs = memoryLogs(options.tail);
  const recorders: FakeRecorder[] = [];
  const errors: Error[] = [];
  const appends: number[] = [];
  const session = await RecordingSession.start({
    logDir: '/nowhere',
    openLog: logs.open,
    logger: quiet,
    op: options.op ?? 'start',
    categories: ['edits', 'files'],
    createRecorder: (emit) => {
      const r = new FakeRecorder(emit);
      recorders.push(r);
      return r;
    },
    onLogError: (err) => errors.push(err),
    onAppend: () => appends.push(1),
    checkConsent: options.checkConsent,
  });
  const [log] = logs.logs;
  const [recorder] = recorders;
  assert.ok(log && recorder, 'one log opened, one recorder built');
  return { session, log, recorder, errors, appends };
}

describe('RecordingSession (with a fake recorder factory)', () => {
  it('opens with a start record naming its categories, and the recorder emits into the log', async () => {
    const { session, log, recorder, appends } = await open({ op: 'resume' });
    recorder.emit(cmd(1));
    assert.deepEqual(
      log.queued.map((e) => e.t),
      ['session', 'cmd'],
    );
    assert.deepEqual(log.queued[0], { t: 'session', ts: log.queued[0]?.ts, op: 'resume', sid: session.sid, cats: ['edits', 'files'] });
    assert.deepEqual(session.figures, { events: 2, dropped: 0 });
    assert.equal(appends.length, 2);
  });

  it('closes a session its previous writer left open, at the last time known, before its own start', async () => {
    const { log, session } = await open({ tail: { sid: 'old', lastTs: 42 } });
    assert.deepEqual(log.queued[0], { t: 'session', ts: 42, op: 'stop', sid: 'old', unclean: true, note: UNCLEAN_END_NOTE });
    assert.equal(log.queued[1]?.t, 'session');
    assert.equal((log.queued[1] as { sid: string }).sid, session.sid);
  });

  it('sync flushes what the recorder holds back, then the log', async () => {
    const { session, log, recorder } = await open();
    recorder.held.push(cmd(5, 'held'));
    await session.sync();
    assert.deepEqual(
      log.written.map((e) => (e.t === 'cmd' ? e.id : e.t)),
      ['session', 'held'],
    );
  });

  it('end flushes, writes the closing record with its note, disposes the recorder and closes the log', async () => {
    const { session, log, recorder } = await open();
    recorder.held.push(cmd(5, 'held'));
    await session.end('stop', 'stopped by the developer');
    assert.ok(recorder.disposed);
    assert.ok(log.closed);
    assert.equal(log.listeners, 0, 'the log listeners are released');
    const last = log.written.at(-1);
    assert.deepEqual(last, { t: 'session', ts: last?.ts, op: 'stop', sid: session.sid, note: 'stopped by the developer' });
    assert.ok(log.written.some((e) => e.t === 'cmd' && e.id === 'held'));
    recorder.emit(cmd(6, 'late'));
    assert.ok(!log.written.concat(log.queued).some((e) => e.t === 'cmd' && e.id === 'late'), 'nothing after the end');
    await session.end('stop'); // a second end does nothing
    assert.equal(log.written.filter((e) => e.t === 'session').length, 2);
  });

  it('halt takes back what was queued after the cutoff and accepts nothing more; end still says why', async () => {
    const { session, log, recorder } = await open();
    const cutoff = Date.now() + 1_000;
    recorder.emit(cmd(cutoff - 1, 'before'));
    recorder.emit(cmd(cutoff + 1, 'after'));
    recorder.held.push(cmd(cutoff + 2, 'held'));
    session.halt(cutoff);
    assert.ok(session.isHalted);
    recorder.emit(cmd(cutoff - 1, 'late'));
    await session.end('stop', 'withdrawn in another window');
    const ids = log.written.filter((e) => e.t === 'cmd').map((e) => (e.t === 'cmd' ? e.id : ''));
    assert.deepEqual(ids, ['before'], 'nothing queued after the cutoff, nothing held, nothing after the halt');
    assert.equal(log.written.at(-1)?.t, 'session');
  });

  it('re-checks consent before each write: a cutoff from the check halts the session first', async () => {
    const ended = Date.now() + 1_000;
    const consent: { endedAt?: number } = {};
    const { session, log, recorder } = await open({ checkConsent: () => Promise.resolve(consent.endedAt) });
    recorder.emit(cmd(ended - 1, 'in time'));
    await session.sync();
    consent.endedAt = ended;
    recorder.emit(cmd(ended + 1, 'too late'));
    await session.sync();
    assert.ok(session.isHalted);
    assert.deepEqual(
      log.written.filter((e) => e.t === 'cmd').map((e) => (e.t === 'cmd' ? e.id : '')),
      ['in time'],
    );
  });

  it('forwards log errors and rotations', async () => {
    const { log, recorder, errors } = await open();
    log.rotate();
    log.fail(new Error('disk full'));
    assert.equal(recorder.rotations, 1);
    assert.deepEqual(
      errors.map((e) => e.message),
      ['disk full'],
    );
  });
});
