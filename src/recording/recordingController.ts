/**
 * src/recording/ is the VS Code side of consent: the flows that start, pause, stop and delete a
 * recording in this workspace, the recording session (the open log plus the granted sources), the
 * typed settings, Candor's commands and the store adapter. The consent state itself (state machine,
 * receipts, the shared record every window watches, the service that follows it) is vscode-free in
 * src/consent/; this folder only wires it to windows, panels and the status bar.
 *
 * `RecordingController` is the facade the rest of the extension talks to: it builds the consent
 * service (src/consent/consentService.ts) with this window's ports, the session opener
 * (sessionOpener.ts) and the flows (recordingFlows.ts), turns the service's changes into a VS Code
 * event and context keys, and throttles the log's growth into at most one change per interval.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConsentSnapshot, PauseReason } from '../consent/consentMachine';
import { workspaceKey } from '../consent/consentRecord';
import type { ConsentChange, LocalLogsPort } from '../consent/consentPorts';
import { ConsentService } from '../consent/consentService';
import { ConsentStore, type MementoLike } from '../consent/consentStore';
import { LogRegistry } from '../consent/logRegistry';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import type { PreparedPolicy } from '../privacy/policy/load';
import type { ConsentPanel } from '../ui/consentPanel';
import type { Prompter } from '../ui/prompter';
import type { CategoryInfo } from '../ui/protocol/consent';
import type { StatusFigures } from '../ui/statusBar';
import { Throttle } from '../ui/throttle';
import { Disposable } from '../util/disposable';
import type { Config } from './config';
import { RecordingFlows, windowPrompts, windowWorkspace, workspaceIdentity } from './recordingFlows';
import type { OpenLog } from './recordingSession';
import { loadPolicy, SessionOpener, type LiveSession } from './sessionOpener';

/** Local-data operations the controller needs of the store. */
export interface LocalData extends LocalLogsPort {
  enforceRetention(dir: string, opts: { maxAgeDays: number; maxBytes: number; now: number }): Promise<unknown>;
  isDiskFull(err: unknown): boolean;
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
  readonly measure?: ((ms: number, handler?: string) => void) | undefined;
}

/** How often, at most, a growing log is announced (the Candor view and the status bar follow it). */
export const LOG_CHANGE_INTERVAL_MS = 2000;

/**
 * What changed: consent (granted, withdrawn, paused, resumed), the recording session (opened or
 * closed), the log (it grew; at most every LOG_CHANGE_INTERVAL_MS), or the local data (deleted).
 */
export type ControllerChange = ConsentChange | 'log';

/**
 * Owns the consent state and the recording session of this window's workspace (through the
 * consent service). Every consent change is announced through `onDidChange` (the status bar and
 * the Candor view listen) and reflected in the context keys.
 */
export class RecordingController extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<ControllerChange>());
  /** Fires on every consent or session change, when local data is deleted, and (throttled) as the log grows. */
  readonly onDidChange = this.changed.event;
  /** Pokes from every logged event become at most one 'log' change per interval. */
  private readonly logGrew = this._register(new Throttle(LOG_CHANGE_INTERVAL_MS, () => this.changed.fire('log')));
  private readonly consent: ConsentService<LiveSession>;
  private readonly flows: RecordingFlows;
  /** This window's log folder; undefined when no folder is open. */
  readonly logDir: string | undefined;

  constructor(private readonly deps: ControllerDeps) {
    super();
    const logDir = deps.storageDir ? path.join(deps.storageDir, 'log') : undefined;
    this.logDir = logDir;
    const identity = workspaceIdentity();
    const workspaceDir = deps.storageDir && identity.length > 0 ? path.join(deps.globalStorageDir, 'workspaces', workspaceKey(identity)) : undefined;
    const registry = workspaceDir !== undefined ? new LogRegistry(workspaceDir) : undefined;
    const sessions = this._register(
      new SessionOpener({
        logDir,
        config: deps.config,
        logger: deps.logger,
        openLog: deps.openLog,
        registry,
        enforceRetention: (dir, opts) => deps.localData.enforceRetention(dir, opts),
        onLogError: (err) => {
          deps.logger.error(`Writing the event log failed: ${describeError(err)}`);
          this.flows.onLogError(err);
        },
        onAppend: () => this.logGrew.poke(),
        measure: deps.measure,
      }),
    );
    this.consent = this._register(
      new ConsentService<LiveSession>({
        workspaceDir,
        logDir,
        extensionVersion: deps.extensionVersion,
        legacy: new ConsentStore(deps.workspaceState),
        registry,
        logger: deps.logger,
        clock: { now: () => Date.now() },
        workspace: windowWorkspace(deps.globalState, () => this.loadPolicy()),
        sessions,
        prompts: windowPrompts,
        localLogs: deps.localData,
        onDidChange: (change) => this.announce(change),
      }),
    );
    this.flows = new RecordingFlows({
      extensionUri: deps.extensionUri,
      prompter: deps.prompter,
      consent: this.consent,
      logDir,
      loadPolicy: () => this.loadPolicy(),
      isDiskFull: (err) => deps.localData.isDiskFull(err),
    });
    // Exclusions or folders changed: restart the session so every source sees the new policy.
    vscode.workspace.onDidChangeWorkspaceFolders(() => this.consent.restartSession(), this, this._subscriptions);
    deps.config.onDidChange(() => this.consent.restartSession(), this, this._subscriptions);
  }

  get state(): ConsentSnapshot {
    return this.consent.state;
  }

  /** This session's figures, for the status bar (zero while not recording). */
  get figures(): StatusFigures {
    return this.consent.session?.recording.figures ?? { events: 0, dropped: 0 };
  }

  /**
   * The workspace's shared folder (consent record, consent history, list of its windows' logs),
   * and every log folder of this workspace's windows (this window's first).
   */
  localDataFolders(): Promise<{ shared: string | undefined; logs: string[] }> {
    return this.consent.localDataFolders();
  }

  /** The log folders of the other windows of this workspace (each window writes its own log). */
  otherLogDirs(): Promise<string[]> {
    return this.consent.otherLogDirs();
  }

  /** On activation: pick up where this workspace left off, then follow its consent record. */
  restore(): Promise<void> {
    return this.consent.restore();
  }

  /** "Start Recording in This Workspace": the consent screen, unless the policy forbids recording here. */
  startFlow(): Promise<void> {
    return this.flows.startFlow();
  }

  /** The consent panel, while one is open (the test hooks reach it through here). */
  get openConsentPanel(): ConsentPanel | undefined {
    return this.flows.openConsentPanel;
  }

  /** Re-opens a consent panel that VS Code restored after a reload. */
  reviveConsentPanel(panel: vscode.WebviewPanel): void {
    this.flows.reviveConsentPanel(panel);
  }

  /** The consent screen's rows, from the policy in force now. */
  consentChoices(): Promise<readonly CategoryInfo[]> {
    return this.flows.consentChoices();
  }

  /** The developer accepted the consent screen with these categories (also the test hooks' way in). */
  accept(categories: readonly string[]): Promise<void> {
    return this.consent.accept(categories);
  }

  pause(reason: PauseReason = 'user'): Promise<void> {
    return this.consent.pause(reason);
  }

  resume(): Promise<void> {
    return this.consent.resume();
  }

  /** "Stop Recording": withdraws consent; offers to delete the unapproved local data. */
  stopFlow(): Promise<void> {
    return this.flows.stopFlow();
  }

  /** "Delete Local Data" (after a modal). */
  deleteFlow(): Promise<void> {
    return this.flows.deleteFlow();
  }

  /** Records that one of Candor's own commands ran (the only commands VS Code lets us see). */
  recordCommand(id: string): void {
    this.consent.session?.recording.emit({ t: 'cmd', ts: Date.now(), id });
  }

  /** Test and shutdown support: flush + fsync whatever was recorded. */
  async sync(): Promise<void> {
    await this.consent.session?.recording.sync();
  }

  /** On deactivate: end the session cleanly (fsync) without changing consent. */
  shutdown(): Promise<void> {
    return this.consent.shutdown();
  }

  /**
   * The policy in force here, read afresh (settings, team file, licences): what every session
   * enforces, and what a bundle build should apply again (src/privacy/policy `applyPolicyToEvents`).
   */
  loadPolicy(): Promise<PreparedPolicy> {
    return loadPolicy(this.deps.config);
  }

  /** Context keys follow consent; the status bar and the view follow `onDidChange`. */
  private announce(change: ConsentChange): void {
    if (change === 'consent') {
      const { state } = this.consent.state;
      void vscode.commands.executeCommand('setContext', 'candor.recording', state === 'recording');
      void vscode.commands.executeCommand('setContext', 'candor.paused', state === 'paused');
    }
    if (!this.isDisposed) {
      this.changed.fire(change);
    }
  }
}
