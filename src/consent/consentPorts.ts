/**
 * The ports through which the consent service (consentService.ts) reaches everything outside
 * src/consent: the recording session, messages, the clock, the workspace, the logs on disk.
 * src/recording implements them over VS Code; the unit tests implement them with doubles.
 */
import type { Logger } from '../model/logger';
import type { WatchPlatform } from './consentRecord';
import type { ConsentReceipt } from './consentMachine';
import type { ConsentStore } from './consentStore';
import type { LogRegistry } from './logRegistry';

/** What the service needs of a recording session: stop accepting at once, and end with a record. */
export interface ConsentSession {
  /** Consent ended at `cutoff`: accept nothing more, take back what was queued after it. Synchronous. */
  halt(cutoff: number): void;
  /** Writes the closing record (with `note`, if any) and releases everything the session owns. */
  end(op: 'pause' | 'stop', note?: string): Promise<void>;
}

/** A session opened, or refused by the policy in force (the reason, in words). */
export type SessionOpening<S> = { readonly session: S } | { readonly refused: string };

/** Opens recording sessions (src/recording: the policy, the log, the recorder, the watchers). */
export interface SessionPort<S extends ConsentSession> {
  /**
   * Opens a session recording what `receipt` grants and the policy in force allows. The session
   * calls `checkConsent` before each write of its log: it returns when consent ended, if it did.
   * Throws when the log cannot be opened.
   */
  open(receipt: ConsentReceipt, op: 'start' | 'resume', checkConsent: () => Promise<number | undefined>): Promise<SessionOpening<S>>;
}

/** Messages to the developer that need no answer. */
export interface PromptPort {
  info(message: string): void;
  error(message: string): void;
}

export interface ClockPort {
  now(): number;
}

/** What the service needs of the window's workspace. */
export interface WorkspacePort {
  /** Recording never runs in an untrusted workspace. */
  isTrusted(): boolean;
  /** The salted workspace id a receipt carries. */
  workspaceId(): string;
  /** Rejects, with the reason, a grant that the policy in force now forbids. */
  checkGrant(categories: readonly string[]): Promise<void>;
}

/** Deleting logs (src/store through the composition root). */
export interface LocalLogsPort {
  deleteLog(dir: string): Promise<void>;
  /** The pid of the live process writing the log in `dir`, if one is. */
  lockHolder(dir: string): Promise<number | undefined>;
}

/** Consent changed, a session opened or closed, or the local data was deleted. */
export type ConsentChange = 'consent' | 'session' | 'deleted';

export interface ConsentServiceDeps<S extends ConsentSession> {
  /** The workspace's shared folder under global storage; undefined when no folder is open. */
  readonly workspaceDir: string | undefined;
  /** This window's log folder; undefined when no folder is open. */
  readonly logDir: string | undefined;
  readonly extensionVersion: string;
  /** Where consent lived before windows shared it (carried over once, then cleared). */
  readonly legacy?: ConsentStore | undefined;
  /** The workspace's list of window logs (in the shared folder). */
  readonly registry?: LogRegistry | undefined;
  readonly logger: Logger;
  readonly clock: ClockPort;
  readonly workspace: WorkspacePort;
  readonly sessions: SessionPort<S>;
  readonly prompts: PromptPort;
  readonly localLogs: LocalLogsPort;
  readonly onDidChange: (change: ConsentChange) => void;
  /** How the record is watched (tests drive it by hand; default: fs.watch plus a poll). */
  readonly watchPlatform?: WatchPlatform | undefined;
}
