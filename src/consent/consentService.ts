/**
 * The consent of one workspace as this window follows it, without VS Code: the state, the queue
 * that keeps two changes from interleaving, the history, the receipts, and the recording session
 * (opened and closed through a port, so plain mocha can drive all of it).
 *
 * The protocol with the other windows of the workspace (see consentRecord.ts): every change is
 * applied to the shared consent record first, under its lock, against the record as it is on disk
 * then; this window then follows what the record says. A change another window made arrives
 * through the record's watcher (or the re-check before each write of the log): a withdrawal or a
 * pause halts this window's session at once and closes it with a note saying why; a grant or a
 * resume opens one here too. src/recording/ supplies the ports (consentPorts.ts: VS Code messages,
 * workspace trust, the policy, the real session).
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { describeError } from '../model/logger';
import { Disposable } from '../util/disposable';
import { SerialQueue } from '../util/serialQueue';
import {
  INITIAL_CONSENT,
  InvalidConsentTransition,
  mayRecord,
  transition,
  type ConsentAction,
  type ConsentSnapshot,
  type PauseReason,
} from './consentMachine';
import { ConsentHistory } from './consentHistory';
import { ConsentRecordFile, ConsentRecordWatcher, CONSENT_RECORD_FILE, type ConsentRecord } from './consentRecord';
import type { ConsentServiceDeps, ConsentSession, SessionOpening } from './consentPorts';
import { createReceipt } from './receipt';

export const CONSENT_HISTORY_FILE = 'consent-history.jsonl';

/**
 * Owns the consent state and the recording session of this window's workspace. Every path that
 * could write an event goes through `mayRecord`; every consent change is written to the shared
 * record, appended to the history, and announced through `onDidChange`.
 */
export class ConsentService<S extends ConsentSession> extends Disposable {
  private consent: ConsentSnapshot = INITIAL_CONSENT;
  /** The local-data epoch this window's log belongs to (see ConsentRecord.epoch). */
  private epoch = 0;
  private current: S | undefined;
  private readonly record: ConsentRecordFile | undefined;
  private readonly history: ConsentHistory | undefined;
  private watcher: ConsentRecordWatcher | undefined;
  /** Serialises state changes: a pause arriving during a start waits for it. */
  private readonly queue = new SerialQueue();

  constructor(private readonly deps: ConsentServiceDeps<S>) {
    super();
    const dir = deps.workspaceDir;
    this.record = dir !== undefined ? new ConsentRecordFile(path.join(dir, CONSENT_RECORD_FILE), { logger: deps.logger }) : undefined;
    this.history = dir !== undefined ? new ConsentHistory(path.join(dir, CONSENT_HISTORY_FILE)) : undefined;
    this._register({ dispose: () => this.watcher?.dispose() });
  }

  get state(): ConsentSnapshot {
    return this.consent;
  }

  /** The open session, if recording. */
  get session(): S | undefined {
    return this.current;
  }

  /**
   * The workspace's shared folder (consent record, consent history, list of its windows' logs),
   * and every log folder of this workspace's windows (this window's first).
   */
  async localDataFolders(): Promise<{ shared: string | undefined; logs: string[] }> {
    const own = this.deps.logDir;
    const logs = own !== undefined ? [own] : [];
    for (const dir of (await this.deps.registry?.list()) ?? []) {
      if (!logs.includes(dir)) {
        logs.push(dir);
      }
    }
    return { shared: this.deps.workspaceDir, logs };
  }

  /** The log folders of the other windows of this workspace (each window writes its own log). */
  async otherLogDirs(): Promise<string[]> {
    return (await this.localDataFolders()).logs.filter((d) => d !== this.deps.logDir);
  }

  /**
   * On activation: pick up where this workspace left off (recording resumes, paused stays
   * paused), from the workspace's consent record; then follow that record, so a change made in any
   * window reaches this one within CONSENT_POLL_MS.
   */
  async restore(): Promise<void> {
    const record = this.record;
    if (!record) {
      this.deps.onDidChange('consent');
      return;
    }
    await this.migrateLegacyConsent(record);
    const saved = await record.probe();
    this.consent = saved.consent;
    this.epoch = saved.epoch;
    // The folder must exist for fs.watch to watch it (the poll alone would still see changes).
    await mkdir(path.dirname(record.file), { recursive: true }).catch(() => undefined);
    this.watcher = new ConsentRecordWatcher(record, (r) => this.onRecord(r), this.deps.logger, this.deps.watchPlatform);
    if (saved.consent.state === 'recording') {
      if (!this.deps.workspace.isTrusted() || this.deps.logDir === undefined) {
        // Recording never runs untrusted; keep consent but hold it paused.
        await this.change({ type: 'pause', reason: 'user' }, 'workspace not trusted');
      } else {
        await this.openSession('resume');
      }
    }
    // The restored state (paused stays paused) must show at once: the status bar follows this.
    this.deps.onDidChange('consent');
  }

  /**
   * The developer granted these categories (the consent screen's Accept, or the test hooks).
   * Checked against the policy in force now: a grant naming a category the policy forbids is
   * refused whole — the webview is untrusted, and the policy may have changed since it rendered.
   */
  accept(categories: readonly string[]): Promise<void> {
    return this.queue.run(async () => {
      if (!this.deps.workspace.isTrusted() || this.deps.logDir === undefined) {
        throw new Error('Candor cannot record in this workspace.');
      }
      if (this.consent.state !== 'off' && this.consent.state !== 'withdrawn') {
        return;
      }
      await this.deps.workspace.checkGrant(categories);
      const receipt = createReceipt({
        categories,
        now: new Date(this.deps.clock.now()),
        extensionVersion: this.deps.extensionVersion,
        workspaceId: this.deps.workspace.workspaceId(),
      });
      if (receipt.categories.length === 0) {
        throw new Error('Choose at least one category to record.');
      }
      // One write: other windows never see a granted-but-not-started record.
      await this.change([{ type: 'grant', receipt }, { type: 'start' }]);
      if (mayRecord(this.consent)) {
        await this.openSession('start');
      }
    });
  }

  pause(reason: PauseReason = 'user'): Promise<void> {
    return this.queue.run(async () => {
      if (this.consent.state !== 'recording') {
        return;
      }
      await this.closeSession('pause');
      await this.change({ type: 'pause', reason });
    });
  }

  resume(): Promise<void> {
    return this.queue.run(async () => {
      if (this.consent.state !== 'paused' || !this.deps.workspace.isTrusted()) {
        return;
      }
      await this.change({ type: 'resume' });
      await this.openSession('resume');
    });
  }

  /** Withdraws consent ("Stop Recording"), then closes the session; optionally deletes the local data. */
  stop(options: { readonly deleteLocalData: boolean }): Promise<void> {
    return this.queue.run(async () => {
      // Withdraw first: every other window stops before its next write, then this one closes.
      if (this.consent.state === 'recording' || this.consent.state === 'paused') {
        await this.change({ type: 'withdraw' }, 'stopped by the developer');
      }
      await this.closeSession('stop');
      if (options.deleteLocalData) {
        await this.deleteNow();
      }
    });
  }

  /** Deletes the local logs; recording, if on, continues into a new, empty log. */
  deleteLocalData(): Promise<void> {
    return this.queue.run(async () => {
      const wasRecording = this.current !== undefined;
      await this.closeSession('stop');
      await this.deleteNow();
      if (wasRecording && mayRecord(this.consent)) {
        await this.openSession('start');
      }
    });
  }

  /** The policy may have changed (settings, folders): a session is reopened so it applies. */
  restartSession(): void {
    if (this.current) {
      void this.queue.run(async () => {
        await this.closeSession('pause');
        await this.openSession('resume');
      });
    }
  }

  /** On deactivate: end the session cleanly without changing consent. */
  shutdown(): Promise<void> {
    return this.queue.run(() => this.closeSession('pause'));
  }

  /** Reads the shared record now and follows it if another window changed it (the poll does this too). */
  async checkRecord(): Promise<void> {
    await this.watcher?.check();
  }

  /** Resolves once every change queued so far has been carried out. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * A revision of the consent record this window did not write: another window granted, paused,
   * resumed, withdrew or deleted the local data. A withdrawal or pause halts this window's session
   * at once (synchronously: nothing more is accepted, and what was queued after the change is
   * taken back); the session is then closed with a record that says why. A grant or resume opens
   * a session here too: consent is per workspace, one truth for all its windows.
   */
  private onRecord(record: ConsentRecord): void {
    const before = this.consent;
    const deleted = record.epoch !== this.epoch;
    this.consent = record.consent;
    this.epoch = record.epoch;
    const elsewhere = record.note !== undefined ? `${record.note} (in another window)` : 'changed in another window';
    if (!mayRecord(record.consent)) {
      this.current?.halt(record.changedAt);
    }
    this.deps.logger.info(`Consent for this workspace is now ${record.consent.state}: ${record.damaged ? 'the consent record is damaged' : elsewhere}.`);
    this.deps.onDidChange('consent');
    void this.queue
      .run(async () => {
        if (deleted) {
          // Another window deleted the local data; this window's log is its own to delete.
          const wasRecording = this.current !== undefined;
          await this.closeSession('stop', 'local data deleted in another window');
          await this.deleteOwnLog();
          if (wasRecording && mayRecord(this.consent)) {
            await this.openSession('start');
          }
        }
        if (!mayRecord(this.consent)) {
          await this.closeSession(this.consent.state === 'paused' ? 'pause' : 'stop', record.damaged ? 'the consent record is damaged' : elsewhere);
        } else if (!this.current && this.deps.workspace.isTrusted()) {
          await this.openSession(before.state === 'paused' ? 'resume' : 'start');
        }
      })
      .catch((err: unknown) => this.deps.logger.error(`Following a consent change failed: ${describeError(err)}`));
  }

  /** Carries consent kept in workspace state (before it was shared by windows) into the record, once. */
  private async migrateLegacyConsent(record: ConsentRecordFile): Promise<void> {
    const legacy = this.deps.legacy;
    const saved = legacy?.load();
    if (legacy === undefined || saved === undefined || saved.state === 'off') {
      return;
    }
    try {
      await record.update((current) => (current.rev === 0 ? { consent: saved, note: 'carried over from workspace state' } : undefined));
      await legacy.save(INITIAL_CONSENT);
    } catch (err) {
      this.deps.logger.error(`Could not carry consent over to the shared consent record: ${describeError(err)}`);
    }
  }

  private async deleteNow(): Promise<void> {
    if (this.deps.logDir !== undefined) {
      await this.deleteOwnLog();
      // The other windows' logs: one written right now is deleted by its own window (told through
      // the record's epoch); the others are deleted here.
      for (const dir of await this.otherLogDirs()) {
        if ((await this.deps.localLogs.lockHolder(dir)) === undefined) {
          await this.deps.localLogs.deleteLog(dir);
        }
      }
      if (this.record) {
        const rec = await this.record.update((current) => ({ consent: current.consent, note: 'local data deleted', bumpEpoch: true }));
        this.epoch = rec.epoch;
        this.watcher?.saw(rec);
      }
      this.deps.logger.info('Deleted local data for this workspace.');
    }
    this.deps.prompts.info('Candor deleted the local data of this workspace. Bundles you approved stay in the outbox.');
  }

  private async deleteOwnLog(): Promise<void> {
    if (this.deps.logDir !== undefined) {
      await this.deps.localLogs.deleteLog(this.deps.logDir);
      this.deps.onDidChange('deleted');
    }
  }

  private async openSession(op: 'start' | 'resume'): Promise<void> {
    const logDir = this.deps.logDir;
    const receipt = this.consent.receipt;
    if (logDir === undefined || !receipt || !mayRecord(this.consent) || this.current) {
      return;
    }
    let opening: SessionOpening<S>;
    try {
      opening = await this.deps.sessions.open(receipt, op, () => this.checkConsent());
    } catch (err) {
      this.deps.logger.error(`Could not open the event log: ${describeError(err)}`);
      await this.change({ type: 'pause', reason: 'error' }, 'log could not be opened');
      this.deps.prompts.error(`Candor paused: its local log could not be opened (${err instanceof Error ? err.message : String(err)}).`);
      return;
    }
    if ('refused' in opening) {
      this.deps.logger.warn(opening.refused);
      await this.change({ type: 'pause', reason: 'error' }, 'the policy does not allow recording');
      this.deps.prompts.error(`${opening.refused} Recording is paused.`);
      return;
    }
    this.current = opening.session;
    this.deps.onDidChange('session');
  }

  /**
   * Before each write of the log: the record as it is now. A change seen here is handled like one
   * the watcher saw (a withdrawal halts the session and takes back what was queued after it).
   */
  private async checkConsent(): Promise<number | undefined> {
    await this.watcher?.check();
    return mayRecord(this.consent) ? undefined : (this.record?.current.changedAt ?? this.deps.clock.now());
  }

  private async closeSession(op: 'pause' | 'stop', note?: string): Promise<void> {
    const session = this.current;
    this.current = undefined;
    if (session) {
      await session.end(op, note);
      this.deps.logger.info(`Recording ${op === 'pause' ? 'paused' : 'stopped'}.`);
      this.deps.onDidChange('session');
    }
  }

  /**
   * Applies `actions` to the workspace's consent record as it is now (another window may have
   * changed it) and adopts the result. An action the record's state no longer allows (e.g. a
   * pause after another window withdrew) writes nothing; this window then follows the record.
   */
  private async change(actions: ConsentAction | readonly ConsentAction[], reason?: string): Promise<void> {
    const steps: readonly ConsentAction[] = Array.isArray(actions) ? actions : [actions as ConsentAction];
    const action = steps[steps.length - 1];
    const grant = steps.find((a) => a.type === 'grant');
    const record = this.record;
    if (!record || action === undefined) {
      throw new Error('Candor records per workspace: open a folder first.');
    }
    let before = this.consent;
    let wrote = false;
    const rec = await record.update((current) => {
      before = current.consent;
      try {
        const consent = steps.reduce(transition, current.consent);
        wrote = true;
        return { consent, ...(action.type === 'pause' ? { note: `paused (${action.reason})` } : reason !== undefined ? { note: reason } : {}) };
      } catch (err) {
        if (InvalidConsentTransition.is(err)) {
          return undefined;
        }
        throw err;
      }
    });
    this.watcher?.saw(rec);
    const after = rec.consent;
    this.consent = after;
    if (!wrote) {
      this.deps.logger.info(`Consent is ${after.state} (changed in another window): "${action.type}" was not applied.`);
      if (!mayRecord(after)) {
        this.current?.halt(rec.changedAt);
        await this.closeSession(after.state === 'paused' ? 'pause' : 'stop', rec.note);
      }
      this.deps.onDidChange('consent');
      return;
    }
    if (!mayRecord(after)) {
      // This window's own session writes nothing stamped after the change either.
      this.current?.halt(rec.changedAt);
    }
    try {
      await this.history?.append({
        at: new Date(this.deps.clock.now()).toISOString(),
        from: before.state,
        to: after.state,
        ...(grant?.type === 'grant' ? { categories: grant.receipt.categories, policyVersion: grant.receipt.policyVersion } : {}),
        ...(action.type === 'pause' ? { reason: action.reason } : reason ? { reason } : {}),
      });
    } catch (err) {
      this.deps.logger.error(`Could not append to the consent history: ${describeError(err)}`);
    }
    this.deps.onDidChange('consent');
  }
}
