/**
 * src/recording/ is the VS Code side of consent: the flows that start, pause, stop and delete a
 * recording in this workspace, the recording session (the open log plus the granted sources), the
 * typed settings, Candor's commands and the store adapter. The consent state itself (state machine,
 * receipts, the shared record every window watches) is vscode-free in src/consent/; this folder
 * only wires it to windows, panels and the status bar.
 *
 * `RecordingController` owns this workspace's consent and its current session: it applies every
 * change to the shared consent record first, then follows it in this window (and every other
 * window follows the same record through its watcher).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Config } from './config';
import {
  INITIAL_CONSENT,
  InvalidConsentTransition,
  mayRecord,
  transition,
  type ConsentAction,
  type ConsentSnapshot,
  type PauseReason,
} from '../consent/consentMachine';
import { ConsentHistory } from '../consent/consentHistory';
import { ConsentRecordFile, ConsentRecordWatcher, CONSENT_RECORD_FILE, workspaceKey, type ConsentRecord } from '../consent/consentRecord';
import { ConsentStore, ensureSalt, type MementoLike } from '../consent/consentStore';
import { createReceipt, workspaceId } from '../consent/receipt';
import { CATEGORIES } from '../model/events';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import type { PolicyGate } from '../privacy/policy/gate';
import { preparePolicy, type PreparedPolicy } from '../privacy/policy/load';
import { allowsCategory } from '../privacy/policy/model';
import { currentFolders, DocumentResolver } from '../recorder/documentResolver';
import { ExclusionMatcher } from '../privacy/policy/exclusion';
import { RecordingSession, type OpenLog } from './recordingSession';
import { categoryInfos, forbiddenCategories, forbiddenNote } from '../ui/categories';
import { ConsentPanel } from '../ui/consentPanel';
import type { Prompter } from '../ui/prompter';
import type { CategoryInfo } from '../ui/protocol/consent';
import type { StatusFigures } from '../ui/statusBar';
import { Throttle } from '../ui/throttle';
import { Disposable } from '../util/disposable';

/** Local-data operations the controller needs of the store. */
export interface LocalData {
  deleteLog(dir: string): Promise<void>;
  enforceRetention(dir: string, opts: { maxAgeDays: number; maxBytes: number; now: number }): Promise<unknown>;
  isDiskFull(err: unknown): boolean;
  /** The pid of the live process writing the log in `dir`, if one is. */
  lockHolder(dir: string): Promise<number | undefined>;
}

export interface ControllerDeps {
  readonly extensionUri: vscode.Uri;
  readonly extensionVersion: string;
  /** This window's extension storage folder for the workspace; undefined when no folder is open. */
  readonly storageDir: string | undefined;
  /**
   * The extension's global storage folder: one for every window. The workspace's consent record,
   * its consent history and the list of its windows' logs live in `workspaces/<key>/` there.
   */
  readonly globalStorageDir: string;
  readonly workspaceState: MementoLike;
  readonly globalState: MementoLike;
  readonly config: Config;
  readonly logger: Logger;
  readonly prompter: Prompter;
  readonly openLog: OpenLog;
  readonly localData: LocalData;
  /** Benchmark only: told how long each recorder handler ran. */
  readonly measure?: ((ms: number) => void) | undefined;
}

const RETENTION_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** How often, at most, a growing log is announced (the Candor view and the status bar follow it). */
export const LOG_CHANGE_INTERVAL_MS = 2000;

/**
 * What changed: consent (granted, withdrawn, paused, resumed), the recording session (opened or
 * closed), the log (it grew; at most every LOG_CHANGE_INTERVAL_MS), or the local data (deleted).
 */
export type ControllerChange = 'consent' | 'session' | 'log' | 'deleted';

/**
 * Owns the consent state and the recording session of this window's workspace. Every path that
 * could write an event goes through `mayRecord`; every consent change is persisted, appended to
 * the local history, reflected in the context keys, and announced through `onDidChange` (the
 * status bar and the Candor view listen).
 */
export class RecordingController extends Disposable {
  private consent: ConsentSnapshot = INITIAL_CONSENT;
  private readonly changed = this._register(new vscode.EventEmitter<ControllerChange>());
  /** Fires on every consent or session change, when local data is deleted, and (throttled) as the log grows. */
  readonly onDidChange = this.changed.event;
  /** Pokes from every logged event become at most one 'log' change per interval. */
  private readonly logGrew = this._register(new Throttle(LOG_CHANGE_INTERVAL_MS, () => this.changed.fire('log')));
  private session: RecordingSession | undefined;
  private consentPanel: ConsentPanel | undefined;
  /** Where consent lived before it was shared by windows (read once, to carry it over). */
  private readonly legacyStore: ConsentStore;
  /** The workspace's shared folder under global storage; undefined when no folder is open. */
  private readonly workspaceDir: string | undefined;
  private readonly record: ConsentRecordFile | undefined;
  private watcher: ConsentRecordWatcher | undefined;
  /** The local-data epoch this window's log belongs to (see ConsentRecord.epoch). */
  private epoch = 0;
  private readonly history: ConsentHistory | undefined;
  /** Serialises state changes: a pause arriving during a start waits for it. */
  private queue: Promise<unknown> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | undefined;
  /** While a session is open: re-decides documents when a .gitignore changes. */
  private gitignoreWatcher: vscode.Disposable | undefined;

  constructor(private readonly deps: ControllerDeps) {
    super();
    this.legacyStore = new ConsentStore(deps.workspaceState);
    const identity = workspaceIdentity();
    this.workspaceDir = deps.storageDir && identity.length > 0 ? path.join(deps.globalStorageDir, 'workspaces', workspaceKey(identity)) : undefined;
    this.record = this.workspaceDir ? new ConsentRecordFile(path.join(this.workspaceDir, CONSENT_RECORD_FILE), { logger: deps.logger }) : undefined;
    this.history = this.workspaceDir ? new ConsentHistory(path.join(this.workspaceDir, 'consent-history.jsonl')) : undefined;
    this._register({ dispose: () => this.clearTimers() });
    this._register({ dispose: () => this.watcher?.dispose() });
    vscode.workspace.onDidChangeWorkspaceFolders(() => this.resetPolicy(), this, this._subscriptions);
    deps.config.onDidChange(() => this.resetPolicy(), this, this._subscriptions);
  }

  get state(): ConsentSnapshot {
    return this.consent;
  }

  get logDir(): string | undefined {
    return this.deps.storageDir ? path.join(this.deps.storageDir, 'log') : undefined;
  }

  /** This session's figures, for the status bar (zero while not recording). */
  get figures(): StatusFigures {
    return this.session?.figures ?? { events: 0, dropped: 0 };
  }

  /**
   * The workspace's shared folder (consent record, consent history, list of its windows' logs),
   * and every log folder of this workspace's windows (this window's first).
   */
  async localDataFolders(): Promise<{ shared: string | undefined; logs: string[] }> {
    const own = this.logDir;
    const logs = own ? [own] : [];
    for (const dir of await this.registeredLogs()) {
      if (!logs.includes(dir)) {
        logs.push(dir);
      }
    }
    return { shared: this.workspaceDir, logs };
  }

  /** The log folders of the other windows of this workspace (each window writes its own log). */
  async otherLogDirs(): Promise<string[]> {
    return (await this.localDataFolders()).logs.filter((d) => d !== this.logDir);
  }

  /**
   * On activation: pick up where this workspace left off (recording resumes, paused stays
   * paused), from the workspace's consent record, which every window of it shares; then follow
   * that record, so a change made in any window reaches this one within CONSENT_POLL_MS.
   */
  async restore(): Promise<void> {
    const record = this.record;
    if (!record) {
      this.refresh();
      this.changed.fire('consent');
      return;
    }
    await this.migrateLegacyConsent(record);
    const saved = await record.probe();
    this.consent = saved.consent;
    this.epoch = saved.epoch;
    // The folder must exist for fs.watch to watch it (the poll alone would still see changes).
    await mkdir(path.dirname(record.file), { recursive: true }).catch(() => undefined);
    this.watcher = new ConsentRecordWatcher(record, (r) => this.onRecord(r), this.deps.logger);
    if (saved.consent.state === 'recording') {
      if (!vscode.workspace.isTrusted || !this.logDir) {
        // Recording never runs untrusted; keep consent but hold it paused.
        await this.change({ type: 'pause', reason: 'user' }, 'workspace not trusted');
      } else {
        await this.openSession('resume');
      }
    }
    this.refresh();
    // The restored state (paused stays paused) must show at once: the status bar follows this.
    this.changed.fire('consent');
  }

  /**
   * "Start Recording in This Workspace": shows the consent screen — unless the policy forbids
   * recording here (invalid team policy, no folder under an allowed licence), which the developer
   * is told, with the reason, before being asked anything.
   */
  async startFlow(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Candor records only in trusted workspaces. Trust this workspace first.');
      return;
    }
    if (!this.logDir || !vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showWarningMessage('Candor records per workspace: open a folder first.');
      return;
    }
    if (this.consent.state === 'recording' || this.consent.state === 'paused') {
      void vscode.window.showInformationMessage(`Candor is already ${this.consent.state} in this workspace.`);
      return;
    }
    const prepared = await this.loadPolicy();
    if (!prepared.ok) {
      void vscode.window.showErrorMessage(prepared.message);
      return;
    }
    if (!prepared.recordable) {
      void vscode.window.showErrorMessage(prepared.ineligibleMessage ?? 'Candor will not record in this workspace (team policy).');
      return;
    }
    if (prepared.ineligibleMessage !== undefined) {
      void vscode.window.showWarningMessage(prepared.ineligibleMessage);
    }
    this.consentPanel = ConsentPanel.show(this.deps.extensionUri, this, this.consentPanel);
  }

  /** The consent panel, while one is open (the test hooks reach it through here). */
  get openConsentPanel(): ConsentPanel | undefined {
    return this.consentPanel?.disposed === false ? this.consentPanel : undefined;
  }

  /** Re-opens a consent panel that VS Code restored after a reload. */
  reviveConsentPanel(panel: vscode.WebviewPanel): void {
    this.consentPanel = ConsentPanel.revive(panel, this.deps.extensionUri, this);
  }

  /**
   * The consent screen's rows: every category, those the team policy in force forbids disabled
   * with the reason (and all of them when the policy cannot be read: nothing can be granted then).
   */
  async consentChoices(): Promise<readonly CategoryInfo[]> {
    const prepared = await this.loadPolicy();
    if (!prepared.ok) {
      return categoryInfos(CATEGORIES).map((c) => ({ ...c, checked: false, disabled: true, note: c.note ?? 'the team policy cannot be read' }));
    }
    return categoryInfos(CATEGORIES, prepared.policy);
  }

  /**
   * The developer accepted the consent screen with these categories (also the test hooks' way in).
   * Checked against the policy in force now: a grant naming a category the team policy forbids
   * is refused whole — the webview is untrusted, and the policy may have changed since it rendered.
   */
  accept(categories: readonly string[]): Promise<void> {
    return this.serialize(async () => {
      if (!vscode.workspace.isTrusted || !this.logDir) {
        throw new Error('Candor cannot record in this workspace.');
      }
      if (this.consent.state !== 'off' && this.consent.state !== 'withdrawn') {
        return;
      }
      const prepared = await this.loadPolicy();
      if (!prepared.ok) {
        throw new Error(prepared.message);
      }
      const forbidden = forbiddenCategories(categories, prepared.policy);
      if (forbidden.length > 0) {
        throw new Error(`Not started: ${forbidden.join(', ')} ${forbidden.length === 1 ? 'is' : 'are'} ${forbiddenNote(prepared.policy)}.`);
      }
      const receipt = createReceipt({
        categories,
        now: new Date(),
        extensionVersion: this.deps.extensionVersion,
        workspaceId: this.workspaceId(),
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
    return this.serialize(async () => {
      if (this.consent.state !== 'recording') {
        return;
      }
      await this.closeSession('pause');
      await this.change({ type: 'pause', reason });
    });
  }

  resume(): Promise<void> {
    return this.serialize(async () => {
      if (this.consent.state !== 'paused' || !vscode.workspace.isTrusted) {
        return;
      }
      await this.change({ type: 'resume' });
      await this.openSession('resume');
    });
  }

  /** "Stop Recording": withdraws consent; offers to delete the unapproved local data. */
  async stopFlow(): Promise<void> {
    if (this.consent.state !== 'recording' && this.consent.state !== 'paused') {
      void vscode.window.showInformationMessage('Candor is not recording in this workspace.');
      return;
    }
    const stop = 'Stop';
    const stopAndDelete = 'Stop and Delete Local Data';
    const answer = await this.deps.prompter.confirm(
      'Stop recording in this workspace?',
      'This withdraws your consent: nothing more is recorded here until you start again. Data already recorded stays on this machine, unshared, unless you delete it.',
      stop,
      stopAndDelete,
    );
    if (answer !== stop && answer !== stopAndDelete) {
      return;
    }
    await this.serialize(async () => {
      // Withdraw first: every other window stops before its next write, then this one closes.
      if (this.consent.state === 'recording' || this.consent.state === 'paused') {
        await this.change({ type: 'withdraw' }, 'stopped by the developer');
      }
      await this.closeSession('stop');
      if (answer === stopAndDelete) {
        await this.deleteNow();
      }
    });
  }

  /**
   * "Delete Local Data": removes the local log (every unapproved event, and the approved ones,
   * which live on in their bundles in the outbox). The composition root clears the record of
   * approvals and the preview under review first (see localData.deleteLog there).
   */
  async deleteFlow(): Promise<void> {
    const del = 'Delete';
    const answer = await this.deps.prompter.confirm(
      'Delete all of Candor’s local data for this workspace?',
      'The local log of this workspace is deleted from this machine, with every event you have not approved. Bundles you approved stay in the outbox. This cannot be undone. Recording, if on, continues into a new, empty log.',
      del,
    );
    if (answer !== del) {
      return;
    }
    await this.serialize(async () => {
      const wasRecording = this.session !== undefined;
      await this.closeSession('stop');
      await this.deleteNow();
      if (wasRecording && mayRecord(this.consent)) {
        await this.openSession('start');
      }
    });
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
      this.session?.halt(record.changedAt);
    }
    this.deps.logger.info(`Consent for this workspace is now ${record.consent.state}: ${record.damaged ? 'the consent record is damaged' : elsewhere}.`);
    this.refresh();
    this.changed.fire('consent');
    void this.serialize(async () => {
      if (deleted) {
        // Another window deleted the local data; this window's log is its own to delete.
        const wasRecording = this.session !== undefined;
        await this.closeSession('stop', 'local data deleted in another window');
        await this.deleteOwnLog();
        if (wasRecording && mayRecord(this.consent)) {
          await this.openSession('start');
        }
      }
      if (!mayRecord(this.consent)) {
        await this.closeSession(this.consent.state === 'paused' ? 'pause' : 'stop', record.damaged ? 'the consent record is damaged' : elsewhere);
      } else if (!this.session && vscode.workspace.isTrusted) {
        await this.openSession(before.state === 'paused' ? 'resume' : 'start');
      }
    }).catch((err: unknown) => this.deps.logger.error(`Following a consent change failed: ${describeError(err)}`));
  }

  /** Carries consent kept in workspace state (before it was shared by windows) into the record, once. */
  private async migrateLegacyConsent(record: ConsentRecordFile): Promise<void> {
    const legacy = this.legacyStore.load();
    if (legacy.state === 'off') {
      return;
    }
    try {
      await record.update((current) => (current.rev === 0 ? { consent: legacy, note: 'carried over from workspace state' } : undefined));
      await this.legacyStore.save(INITIAL_CONSENT);
    } catch (err) {
      this.deps.logger.error(`Could not carry consent over to the shared consent record: ${describeError(err)}`);
    }
  }

  /** Log folders other windows of this workspace registered (those that still exist). */
  private async registeredLogs(): Promise<string[]> {
    if (!this.workspaceDir) {
      return [];
    }
    const dir = path.join(this.workspaceDir, 'logs');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const found: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        const value = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { dir?: unknown };
        if (typeof value.dir === 'string' && path.isAbsolute(value.dir)) {
          found.push(value.dir);
        }
      } catch {
        // unreadable entry: skipped (it names no data we could show)
      }
    }
    return found;
  }

  /** Lists this window's log in the workspace's shared folder, so every window can find it. */
  private async registerLog(logDir: string): Promise<void> {
    if (!this.workspaceDir) {
      return;
    }
    const dir = path.join(this.workspaceDir, 'logs');
    const name = `${createHash('sha256').update(logDir).digest('hex').slice(0, 16)}.json`;
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name), `${JSON.stringify({ dir: logDir })}\n`, 'utf8');
  }

  /** Records that one of Candor's own commands ran (the only commands VS Code lets us see). */
  recordCommand(id: string): void {
    this.session?.emit({ t: 'cmd', ts: Date.now(), id });
  }

  /** Test and shutdown support: flush + fsync whatever was recorded. */
  async sync(): Promise<void> {
    await this.session?.sync();
  }

  /** On deactivate: end the session cleanly (fsync) without changing consent. */
  async shutdown(): Promise<void> {
    await this.serialize(() => this.closeSession('pause'));
  }

  private async deleteNow(): Promise<void> {
    if (this.logDir) {
      await this.deleteOwnLog();
      // The other windows' logs: one written right now is deleted by its own window (told through
      // the record's epoch); the others are deleted here.
      for (const dir of await this.otherLogDirs()) {
        if ((await this.deps.localData.lockHolder(dir)) === undefined) {
          await this.deps.localData.deleteLog(dir);
        }
      }
      if (this.record) {
        const rec = await this.record.update((current) => ({ consent: current.consent, note: 'local data deleted', bumpEpoch: true }));
        this.epoch = rec.epoch;
        this.watcher?.saw(rec);
      }
      this.deps.logger.info('Deleted local data for this workspace.');
    }
    void vscode.window.showInformationMessage('Candor deleted the local data of this workspace. Bundles you approved stay in the outbox.');
  }

  private async deleteOwnLog(): Promise<void> {
    if (this.logDir) {
      await this.deps.localData.deleteLog(this.logDir);
      this.changed.fire('deleted');
    }
  }

  private async openSession(op: 'start' | 'resume'): Promise<void> {
    const logDir = this.logDir;
    const receipt = this.consent.receipt;
    if (!logDir || !receipt || !mayRecord(this.consent) || this.session) {
      return;
    }
    const config = this.deps.config;
    // The policy is read afresh for every session: settings, the team's file, licences, .gitignore.
    const prepared = await this.loadPolicy();
    const categories = prepared.ok ? receipt.categories.filter((c) => allowsCategory(prepared.policy, c)) : [];
    const refusal = !prepared.ok
      ? prepared.message
      : !prepared.recordable
        ? (prepared.ineligibleMessage ?? 'Candor will not record in this workspace (team policy).')
        : categories.length === 0
          ? `Candor will not record: the team policy (version ${prepared.policy.version}) allows none of the categories you granted (${receipt.categories.join(', ')}).`
          : undefined;
    if (!prepared.ok || refusal !== undefined) {
      this.deps.logger.warn(refusal ?? 'policy refused');
      await this.change({ type: 'pause', reason: 'error' }, 'the policy does not allow recording');
      void vscode.window.showErrorMessage(`${refusal ?? ''} Recording is paused.`);
      return;
    }
    if (prepared.ineligibleMessage !== undefined) {
      this.deps.logger.warn(prepared.ineligibleMessage);
    }
    const gate = prepared.gate;
    const documents = new DocumentResolver(new ExclusionMatcher(prepared.policy.exclude ?? config.excludes), undefined, gate, this.deps.logger);
    try {
      await this.registerLog(logDir);
      this.session = await RecordingSession.start({
        logDir,
        checkConsent: () => this.checkConsent(),
        openLog: this.deps.openLog,
        logger: this.deps.logger,
        op,
        categories,
        documents,
        settings: {
          checkpointEvery: config.checkpointEvery,
          maxFileSizeBytes: Math.min(config.maxFileSizeBytes, gate.maxFileSizeBytes ?? Number.MAX_SAFE_INTEGER),
          selectionIdleMs: config.selectionIdleMs,
          terminalOutputCapBytes: config.terminalOutputCapBytes,
        },
        onLogError: (err) => this.onLogError(err),
        onAppend: () => this.logGrew.poke(),
        measure: this.deps.measure,
      });
    } catch (err) {
      this.deps.logger.error(`Could not open the event log: ${describeError(err)}`);
      await this.change({ type: 'pause', reason: 'error' }, 'log could not be opened');
      void vscode.window.showErrorMessage(`Candor paused: its local log could not be opened (${err instanceof Error ? err.message : String(err)}).`);
      return;
    }
    this.watchGitignores(gate, documents);
    this.deps.logger.info(`Recording ${op === 'start' ? 'started' : 'resumed'} (${categories.join(', ')}; policy ${prepared.policy.version}).`);
    this.scheduleRetention();
    this.refresh();
    this.changed.fire('session');
  }

  /**
   * Before each write of the log: the record as it is now. A change seen here is handled like one
   * the watcher saw (a withdrawal halts the session and takes back what was queued after it).
   */
  private async checkConsent(): Promise<number | undefined> {
    await this.watcher?.check();
    return mayRecord(this.consent) ? undefined : (this.record?.current.changedAt ?? Date.now());
  }

  private async closeSession(op: 'pause' | 'stop', note?: string): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.clearTimers();
    this.gitignoreWatcher?.dispose();
    this.gitignoreWatcher = undefined;
    if (session) {
      await session.end(op, note);
      this.deps.logger.info(`Recording ${op === 'pause' ? 'paused' : 'stopped'}.`);
      if (!this.isDisposed) {
        this.changed.fire('session');
      }
    }
  }

  private onLogError(err: Error): void {
    this.deps.logger.error(`Writing the event log failed: ${describeError(err)}`);
    if (this.deps.localData.isDiskFull(err) && this.consent.state === 'recording') {
      void this.pause('disk-full').then(async () => {
        const resume = 'Resume';
        const choice = await vscode.window.showWarningMessage(
          'Candor paused recording: the disk is full. Nothing recorded so far was lost. Free some space, then resume.',
          resume,
        );
        if (choice === resume) {
          await this.resume();
        }
      });
    }
  }

  /**
   * Applies `action` to the workspace's consent record as it is now (another window may have
   * changed it) and adopts the result. An action the record's state no longer allows (e.g. a
   * pause after another window withdrew) writes nothing; this window then follows the record.
   */
  private async change(actions: ConsentAction | readonly ConsentAction[], reason?: string): Promise<void> {
    const steps: readonly ConsentAction[] = Array.isArray(actions) ? actions : [actions as ConsentAction];
    const action = steps[steps.length - 1];
    const grant = steps.find((a) => a.type === 'grant');
    const record = this.record;
    if (!record) {
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
        this.session?.halt(rec.changedAt);
        await this.closeSession(after.state === 'paused' ? 'pause' : 'stop', rec.note);
      }
      this.refresh();
      this.changed.fire('consent');
      return;
    }
    if (!mayRecord(after)) {
      // This window's own session writes nothing stamped after the change either.
      this.session?.halt(rec.changedAt);
    }
    try {
      await this.history?.append({
        at: new Date().toISOString(),
        from: before.state,
        to: after.state,
        ...(grant?.type === 'grant' ? { categories: grant.receipt.categories, policyVersion: grant.receipt.policyVersion } : {}),
        ...(action.type === 'pause' ? { reason: action.reason } : reason ? { reason } : {}),
      });
    } catch (err) {
      this.deps.logger.error(`Could not append to the consent history: ${describeError(err)}`);
    }
    this.refresh();
    if (!this.isDisposed) {
      this.changed.fire('consent');
    }
  }

  /** Context keys for menus; the status bar and the view follow `onDidChange`. */
  private refresh(): void {
    const { state } = this.consent;
    void vscode.commands.executeCommand('setContext', 'candor.recording', state === 'recording');
    void vscode.commands.executeCommand('setContext', 'candor.paused', state === 'paused');
  }

  private workspaceId(): string {
    const { salt, save } = ensureSalt(this.deps.globalState, () => randomBytes(32).toString('hex'));
    void save;
    return workspaceId(salt, workspaceIdentity());
  }

  /**
   * The policy in force here, read afresh (settings, team file, licences): what every session
   * enforces, and what a bundle build should apply again (src/privacy/policy `applyPolicyToEvents`).
   */
  loadPolicy(): Promise<PreparedPolicy> {
    const config = this.deps.config;
    return preparePolicy({ user: config.userPolicy, teamPolicyFile: config.teamPolicyFile, folders: currentFolders() });
  }

  /**
   * While a session is open, a .gitignore that changes makes every document be decided again
   * (cheap: decisions are cached per document and only the changed rules are re-read).
   */
  private watchGitignores(gate: PolicyGate, documents: DocumentResolver): void {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    const again = (): void => {
      gate.invalidateGitignores();
      documents.reset();
    };
    const subscriptions = [watcher, watcher.onDidChange(again), watcher.onDidCreate(again), watcher.onDidDelete(again)];
    this.gitignoreWatcher = vscode.Disposable.from(...subscriptions);
  }

  private resetPolicy(): void {
    // Exclusions or folders changed: restart the session so every source sees the new policy.
    if (this.session) {
      void this.serialize(async () => {
        await this.closeSession('pause');
        await this.openSession('resume');
      });
    }
  }

  private scheduleRetention(): void {
    const run = (): void => {
      const dir = this.logDir;
      if (!dir) {
        return;
      }
      const config = this.deps.config;
      this.deps.localData
        .enforceRetention(dir, { maxAgeDays: config.retentionDays, maxBytes: config.maxLocalStorageBytes, now: Date.now() })
        .catch((err: unknown) => this.deps.logger.error(`Retention failed: ${describeError(err)}`));
    };
    run();
    this.retentionTimer = setInterval(run, RETENTION_INTERVAL_MS);
    this.retentionTimer.unref?.();
  }

  private clearTimers(): void {
    if (this.retentionTimer) {
      clearInterval(this.retentionTimer);
      this.retentionTimer = undefined;
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The workspace's identity: its workspace file URI, or its folder URIs (empty without a folder). */
function workspaceIdentity(): string[] {
  return vscode.workspace.workspaceFile
    ? [vscode.workspace.workspaceFile.toString()]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
}
