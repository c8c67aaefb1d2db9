import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsentReceipt } from '../../../src/consent/consentMachine';
import { ConsentHistory, type ConsentHistoryEntry } from '../../../src/consent/consentHistory';
import { ConsentRecordFile, CONSENT_RECORD_FILE, type ConsentRecord, type WatchPlatform } from '../../../src/consent/consentRecord';
import type { ConsentChange, ConsentSession, SessionOpening, SessionPort } from '../../../src/consent/consentPorts';
import { CONSENT_HISTORY_FILE, ConsentService } from '../../../src/consent/consentService';
import { ConsentStore, type MementoLike } from '../../../src/consent/consentStore';
import { LogRegistry } from '../../../src/consent/logRegistry';
import type { CandorEvent } from '../../../src/model/events';
import type { Logger } from '../../../src/model/logger';
import { RecordingSession } from '../../../src/recording/recordingSession';
import { removeDir, tempDir } from '../store/helpers';
import { FakeRecorder, memoryLogs, type MemoryLog } from '../recording/fakes';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** No fs.watch, no poll: the tests make a window look at the record with `checkRecord()`. */
const byHand: WatchPlatform = { watch: () => undefined, every: () => ({ cancel: () => undefined }) };

/** A session as the port double opens it: a real RecordingSession over an in-memory log. */
class TrackedSession implements ConsentSession {
  constructor(
    readonly recording: RecordingSession,
    readonly log: MemoryLog,
    readonly recorder: FakeRecorder,
    private readonly order: string[],
  ) {}

  halt(cutoff: number): void {
    this.order.push('halt');
    this.recording.halt(cutoff);
  }

  async end(op: 'pause' | 'stop', note?: string): Promise<void> {
    this.order.push(`end ${op}`);
    await this.recording.end(op, note);
  }
}

/** The session port double: opens tracked sessions, or refuses like a policy would; can be held. */
class Sessions implements SessionPort<TrackedSession> {
  readonly order: string[] = [];
  readonly opened: { receipt: ConsentReceipt; op: string }[] = [];
  readonly all: TrackedSession[] = [];
  refuse: string | undefined;
  /** Set: opening the log fails with it. */
  failure: Error | undefined;
  /** While set, `open` waits for it (and resolves `entered` first). */
  hold: Promise<void> | undefined;
  entered: () => void = () => undefined;

  async open(receipt: ConsentReceipt, op: 'start' | 'resume', checkConsent: () => Promise<number | undefined>): Promise<SessionOpening<TrackedSession>> {
    this.order.push(`open ${op}`);
    this.opened.push({ receipt, op });
    if (this.refuse !== undefined) {
      return { refused: this.refuse };
    }
    this.entered();
    await this.hold;
    if (this.failure !== undefined) {
      throw this.failure;
    }
    const logs = memoryLogs();
    let recorder: FakeRecorder | undefined;
    const recording = await RecordingSession.start({
      logDir: '/log',
      openLog: logs.open,
      logger: quiet,
      op,
      categories: receipt.categories,
      createRecorder: (emit) => (recorder = new FakeRecorder(emit)),
      onLogError: () => undefined,
      checkConsent,
    });
    const [log] = logs.logs;
    assert.ok(log && recorder);
    const session = new TrackedSession(recording, log, recorder, this.order);
    this.all.push(session);
    this.order.push('opened');
    return { session };
  }
}

function memento(): MementoLike & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}

interface Window {
  readonly service: ConsentService<TrackedSession>;
  readonly sessions: Sessions;
  readonly changes: ConsentChange[];
  readonly infos: string[];
  readonly errors: string[];
  readonly deleted: string[];
}

describe('ConsentService (vscode-free consent, real shared record, port doubles)', () => {
  let shared: string;
  const windows: Window[] = [];

  function window(name: string, options: { legacy?: ConsentStore } = {}): Window {
    const sessions = new Sessions();
    const changes: ConsentChange[] = [];
    const infos: string[] = [];
    const errors: string[] = [];
    const deleted: string[] = [];
    const service = new ConsentService<TrackedSession>({
      workspaceDir: shared,
      logDir: join(shared, '..', `${name}-log`),
      extensionVersion: '0.1.0',
      legacy: options.legacy,
      registry: new LogRegistry(shared),
      logger: quiet,
      clock: { now: () => Date.now() },
      workspace: {
        isTrusted: () => true,
        workspaceId: () => 'a'.repeat(64),
        checkGrant: (categories) => (categories.includes('terminalOutput') ? Promise.reject(new Error('Not started: terminalOutput is forbidden.')) : Promise.resolve()),
      },
      sessions,
      prompts: { info: (m) => infos.push(m), error: (m) => errors.push(m) },
      localLogs: { deleteLog: (dir) => Promise.resolve(void deleted.push(dir)), lockHolder: () => Promise.resolve(undefined) },
      onDidChange: (c) => changes.push(c),
      watchPlatform: byHand,
    });
    const w = { service, sessions, changes, infos, errors, deleted };
    windows.push(w);
    return w;
  }

  function onDisk(): Promise<ConsentRecord> {
    return new ConsentRecordFile(join(shared, CONSENT_RECORD_FILE), { logger: quiet }).probe();
  }

  function history(): Promise<ConsentHistoryEntry[]> {
    return new ConsentHistory(join(shared, CONSENT_HISTORY_FILE)).read();
  }

  beforeEach(async () => {
    shared = join(await tempDir('candor-service-'), 'shared');
  });

  afterEach(async () => {
    for (const w of windows.splice(0)) {
      await w.service.shutdown();
      w.service.dispose();
    }
    await removeDir(join(shared, '..'));
  });

  it('a grant writes the record first, then opens a session with the receipt', async () => {
    const a = window('a');
    await a.service.restore();
    await a.service.accept(['files', 'edits', 'nonsense']);
    assert.equal(a.service.state.state, 'recording');
    const [opened] = a.sessions.opened;
    assert.equal(opened?.op, 'start');
    assert.deepEqual(opened.receipt.categories, ['edits', 'files']);
    assert.deepEqual(opened.receipt, a.service.state.receipt);
    assert.equal(a.service.session, a.sessions.all[0]);
    const record = await onDisk();
    assert.equal(record.consent.state, 'recording');
    assert.deepEqual(record.consent.receipt, opened.receipt);
    assert.deepEqual(a.changes, ['consent', 'consent', 'session']);
  });

  it('refuses a grant the policy forbids, and one with nothing to record', async () => {
    const a = window('a');
    await a.service.restore();
    await assert.rejects(a.service.accept(['edits', 'terminalOutput']), /forbidden/);
    await assert.rejects(a.service.accept(['nonsense']), /at least one category/);
    assert.equal(a.service.state.state, 'off');
    assert.equal(a.sessions.opened.length, 0);
    assert.equal((await onDisk()).rev, 0, 'nothing written');
  });

  it('a withdrawal in another window halts this session at once, closes it with a note, and nothing is written after', async () => {
    const a = window('a');
    const b = window('b');
    await a.service.restore();
    await a.service.accept(['edits']);
    await b.service.restore();
    assert.deepEqual(b.sessions.opened.map((o) => o.op), ['resume'], 'the other window follows the grant');
    const session = a.service.session;
    assert.ok(session);

    await b.service.stop({ deleteLocalData: false });
    const record = await onDisk();
    assert.equal(record.consent.state, 'withdrawn');
    // Typed in window a after the withdrawal, before a looked at the record: taken back.
    session.recorder.emit({ t: 'cmd', ts: record.changedAt + 1, id: 'after' });
    await a.service.checkRecord();
    assert.equal(a.service.state.state, 'withdrawn');
    assert.ok(session.recording.isHalted, 'halted synchronously, before the queue runs');
    await a.service.idle();
    assert.equal(a.service.session, undefined);
    assert.deepEqual(a.sessions.order.slice(-2), ['halt', 'end stop']);
    assert.ok(session.log.closed);
    const last = session.log.written.at(-1);
    assert.equal(last?.t, 'session');
    assert.equal((last as { note?: string }).note, 'stopped by the developer (in another window)');
    assert.ok(!session.log.written.some((e: CandorEvent) => e.t === 'cmd'), 'the event stamped after the withdrawal was not written');
    session.recorder.emit({ t: 'cmd', ts: Date.now(), id: 'later' });
    assert.equal(session.log.queued.length, 0, 'nothing accepted after the end');
  });

  it('pauses for the policy when the session is refused, and says why', async () => {
    const a = window('a');
    a.sessions.refuse = 'The team policy allows none of the categories you granted.';
    await a.service.restore();
    await a.service.accept(['edits']);
    assert.equal(a.service.state.state, 'paused');
    assert.equal(a.service.state.pauseReason, 'error');
    assert.equal(a.service.session, undefined);
    assert.deepEqual(a.errors, ['The team policy allows none of the categories you granted. Recording is paused.']);
    const record = await onDisk();
    assert.equal(record.note, 'paused (error)');
    assert.deepEqual(
      (await history()).map((h) => [h.from, h.to, h.reason]),
      [
        ['off', 'recording', undefined],
        ['recording', 'paused', 'error'],
      ],
    );
  });

  it('pauses when the log cannot be opened', async () => {
    const a = window('a');
    a.sessions.failure = new Error('EACCES');
    await a.service.restore();
    await a.service.accept(['edits']);
    assert.equal(a.service.state.state, 'paused');
    assert.deepEqual(a.errors, ['Candor paused: its local log could not be opened (EACCES).']);
  });

  it('serialises concurrent commands: a pause during a start waits for the session, then closes it', async () => {
    const a = window('a');
    await a.service.restore();
    let release: () => void = () => undefined;
    a.sessions.hold = new Promise<void>((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (a.sessions.entered = resolve));
    const started = a.service.accept(['edits']);
    const paused = a.service.pause('user');
    const resumed = a.service.resume();
    await entered;
    assert.deepEqual(a.sessions.order, ['open start']);
    a.sessions.hold = undefined;
    release();
    await Promise.all([started, paused, resumed]);
    assert.deepEqual(a.sessions.order, ['open start', 'opened', 'end pause', 'open resume', 'opened']);
    assert.equal(a.service.state.state, 'recording');
    assert.equal(a.service.session, a.sessions.all[1]);
  });

  it('appends every change to the history', async () => {
    const a = window('a');
    await a.service.restore();
    await a.service.accept(['edits', 'files']);
    await a.service.pause('user');
    await a.service.resume();
    await a.service.stop({ deleteLocalData: false });
    const lines = await history();
    assert.deepEqual(
      lines.map((h) => [h.from, h.to, h.reason ?? null, h.categories ?? null]),
      [
        ['off', 'recording', null, ['edits', 'files']],
        ['recording', 'paused', 'user', null],
        ['paused', 'recording', null, null],
        ['recording', 'withdrawn', 'stopped by the developer', null],
      ],
    );
    assert.ok(lines.every((h) => !Number.isNaN(Date.parse(h.at))));
    assert.equal(lines[0]?.policyVersion, a.sessions.opened[0]?.receipt.policyVersion);
  });

  it('reads a damaged record as no consent: nothing opens, and a running session closes', async () => {
    const a = window('a');
    await a.service.restore();
    await a.service.accept(['edits']);
    const session = a.service.session;
    assert.ok(session);
    await writeFile(join(shared, CONSENT_RECORD_FILE), '{"format":1,"rev":', 'utf8');
    await a.service.checkRecord();
    await a.service.idle();
    assert.equal(a.service.state.state, 'off');
    assert.equal(a.service.session, undefined);
    assert.equal((session.log.written.at(-1) as { note?: string }).note, 'the consent record is damaged');

    const b = window('b');
    await b.service.restore();
    assert.equal(b.service.state.state, 'off');
    assert.equal(b.sessions.opened.length, 0, 'a damaged record is never consent');
  });

  it('deleting the local data in another window deletes this window’s log and records into a new one', async () => {
    const a = window('a');
    const b = window('b');
    await a.service.restore();
    await a.service.accept(['edits']);
    await b.service.restore();
    await b.service.deleteLocalData();
    assert.ok(b.deleted.includes(join(shared, '..', 'b-log')));
    assert.deepEqual(b.infos, ['Candor deleted the local data of this workspace. Bundles you approved stay in the outbox.']);
    await a.service.checkRecord();
    await a.service.idle();
    assert.deepEqual(a.deleted, [join(shared, '..', 'a-log')]);
    assert.ok(a.changes.includes('deleted'));
    assert.deepEqual(a.sessions.order, ['open start', 'opened', 'end stop', 'open start', 'opened']);
    assert.equal(a.service.state.state, 'recording');
  });

  it('carries consent over from workspace state once', async () => {
    const store = new ConsentStore(memento());
    const receipt: ConsentReceipt = { policyVersion: 'p', categories: ['edits'], grantedAt: new Date().toISOString(), extensionVersion: '0.0.1', workspaceId: 'b'.repeat(64) };
    await store.save({ state: 'recording', receipt });
    const a = window('a', { legacy: store });
    await a.service.restore();
    assert.equal(a.service.state.state, 'recording');
    assert.deepEqual(a.sessions.opened.map((o) => o.op), ['resume']);
    assert.equal((await onDisk()).note, 'carried over from workspace state');
    assert.equal(store.load().state, 'off');
  });
});
