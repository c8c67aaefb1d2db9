/**
 * Opens recording sessions for the consent service (its `SessionPort`): reads the policy in force
 * afresh, builds the recorder of the categories both the receipt and the policy allow, opens the
 * log, and keeps what lives exactly as long as a session (the .gitignore watcher, the retention
 * timer). Everything is released when the session ends.
 */
import * as vscode from 'vscode';
import type { ConsentReceipt } from '../consent/consentMachine';
import type { ConsentSession, SessionOpening, SessionPort } from '../consent/consentPorts';
import type { LogRegistry } from '../consent/logRegistry';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import { ExclusionMatcher } from '../privacy/policy/exclusion';
import type { PolicyGate } from '../privacy/policy/gate';
import { preparePolicy, type PreparedPolicy } from '../privacy/policy/load';
import { allowsCategory } from '../privacy/policy/model';
import { currentFolders, DocumentResolver } from '../recorder/documentResolver';
import { Recorder } from '../recorder/recorder';
import { Disposable, disposeAll, toDisposable, type IDisposable } from '../util/disposable';
import type { Config } from './config';
import { RecordingSession, type OpenLog } from './recordingSession';

const RETENTION_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * The policy in force here, read afresh (settings, team file, licences): what every session
 * enforces, and what a bundle build should apply again (src/privacy/policy `applyPolicyToEvents`).
 */
export function loadPolicy(config: Config): Promise<PreparedPolicy> {
  return preparePolicy({ user: config.userPolicy, teamPolicyFile: config.teamPolicyFile, folders: currentFolders() });
}

/** A session as the consent service holds it: the recording plus what lives as long as it does. */
export class LiveSession implements ConsentSession {
  constructor(
    readonly recording: RecordingSession,
    private readonly resources: IDisposable,
  ) {}

  halt(cutoff: number): void {
    this.recording.halt(cutoff);
  }

  async end(op: 'pause' | 'stop', note?: string): Promise<void> {
    this.resources.dispose();
    await this.recording.end(op, note);
  }
}

export interface SessionOpenerDeps {
  /** This window's log folder; undefined when no folder is open (no session opens then). */
  readonly logDir: string | undefined;
  readonly config: Config;
  readonly logger: Logger;
  readonly openLog: OpenLog;
  /** The workspace's list of window logs: this window's log is listed before it is opened. */
  readonly registry: LogRegistry | undefined;
  readonly enforceRetention: (dir: string, opts: { maxAgeDays: number; maxBytes: number; now: number }) => Promise<unknown>;
  readonly onLogError: (err: Error) => void;
  readonly onAppend: () => void;
  /** Benchmark only: told how long each recorder handler ran. */
  readonly measure?: ((ms: number, handler?: string) => void) | undefined;
}

export class SessionOpener extends Disposable implements SessionPort<LiveSession> {
  /** The resources of the open session (at most one), released on dispose if it never ended. */
  private readonly live = new Set<IDisposable>();

  constructor(private readonly deps: SessionOpenerDeps) {
    super();
    this._register(toDisposable(() => disposeAll([...this.live])));
  }

  async open(receipt: ConsentReceipt, op: 'start' | 'resume', checkConsent: () => Promise<number | undefined>): Promise<SessionOpening<LiveSession>> {
    const { config, logger } = this.deps;
    const logDir = this.deps.logDir;
    if (logDir === undefined) {
      throw new Error('Candor records per workspace: open a folder first.');
    }
    // The policy is read afresh for every session: settings, the team's file, licences, .gitignore.
    const prepared = await loadPolicy(config);
    if (!prepared.ok) {
      return { refused: prepared.message };
    }
    const categories = receipt.categories.filter((c) => allowsCategory(prepared.policy, c));
    const refusal = !prepared.recordable
      ? (prepared.ineligibleMessage ?? 'Candor will not record in this workspace (team policy).')
      : categories.length === 0
        ? `Candor will not record: the team policy (version ${prepared.policy.version}) allows none of the categories you granted (${receipt.categories.join(', ')}).`
        : undefined;
    if (refusal !== undefined) {
      return { refused: refusal };
    }
    if (prepared.ineligibleMessage !== undefined) {
      logger.warn(prepared.ineligibleMessage);
    }
    const gate = prepared.gate;
    const documents = new DocumentResolver(new ExclusionMatcher(prepared.policy.exclude ?? config.excludes), undefined, gate, logger);
    const settings = {
      checkpointEvery: config.checkpointEvery,
      maxFileSizeBytes: Math.min(config.maxFileSizeBytes, gate.maxFileSizeBytes ?? Number.MAX_SAFE_INTEGER),
      selectionIdleMs: config.selectionIdleMs,
      terminalOutputCapBytes: config.terminalOutputCapBytes,
    };
    const measure = this.deps.measure;
    await this.deps.registry?.register(logDir);
    const recording = await RecordingSession.start({
      logDir,
      checkConsent,
      openLog: this.deps.openLog,
      logger,
      op,
      categories,
      createRecorder: (emit) => new Recorder({ categories, documents, settings, emit, measure }),
      onLogError: this.deps.onLogError,
      onAppend: this.deps.onAppend,
    });
    const resources = [this.watchGitignores(gate, documents), this.scheduleRetention(logDir)];
    const owned = toDisposable(() => {
      this.live.delete(owned);
      disposeAll(resources);
    });
    this.live.add(owned);
    logger.info(`Recording ${op === 'start' ? 'started' : 'resumed'} (${categories.join(', ')}; policy ${prepared.policy.version}).`);
    return { session: new LiveSession(recording, owned) };
  }

  /**
   * While a session is open, a .gitignore that changes makes every document be decided again
   * (cheap: decisions are cached per document and only the changed rules are re-read).
   */
  private watchGitignores(gate: PolicyGate, documents: DocumentResolver): IDisposable {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    const again = (): void => {
      gate.invalidateGitignores();
      documents.reset();
    };
    return vscode.Disposable.from(watcher, watcher.onDidChange(again), watcher.onDidCreate(again), watcher.onDidDelete(again));
  }

  /** Enforces retention now and every RETENTION_INTERVAL_MS while the session lasts. */
  private scheduleRetention(dir: string): IDisposable {
    const run = (): void => {
      const config = this.deps.config;
      this.deps
        .enforceRetention(dir, { maxAgeDays: config.retentionDays, maxBytes: config.maxLocalStorageBytes, now: Date.now() })
        .catch((err: unknown) => this.deps.logger.error(`Retention failed: ${describeError(err)}`));
    };
    run();
    const timer = setInterval(run, RETENTION_INTERVAL_MS);
    timer.unref?.();
    return toDisposable(() => clearInterval(timer));
  }
}
