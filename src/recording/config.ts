import * as vscode from 'vscode';
import type { TeamPolicy } from '../privacy/policy/model';
import { effectiveExcludes } from '../privacy/policy/exclusion';

/** Settings that must never be widened by a workspace: only the user's own value counts. */
type UserOnlyNumber =
  | 'maxFileSizeKB'
  | 'retentionDays'
  | 'maxLocalStorageMB'
  | 'checkpointEvery'
  | 'terminalOutputCapKB'
  | 'selectionIdleMs';

const DEFAULTS: Record<UserOnlyNumber, number> = {
  maxFileSizeKB: 512,
  retentionDays: 30,
  maxLocalStorageMB: 200,
  checkpointEvery: 100,
  terminalOutputCapKB: 16,
  selectionIdleMs: 500,
};

const LIMITS: Record<UserOnlyNumber, readonly [number, number]> = {
  maxFileSizeKB: [1, 10240],
  retentionDays: [1, 365],
  maxLocalStorageMB: [10, 10240],
  checkpointEvery: [10, 10000],
  terminalOutputCapKB: [1, 1024],
  selectionIdleMs: [50, 10000],
};

/**
 * Typed access to Candor's settings. The rule (design invariant 1): nothing a workspace brings
 * can switch recording on, widen what is recorded or change where data goes. So numeric limits
 * read only the user's (global) value, and exclusions are the union of every level — a
 * workspace can add exclusions but never remove one. There is deliberately no setting that
 * starts recording or chooses categories: those live only in the consent receipt.
 */
export class Config {
  private static readonly section = 'candor';

  get excludes(): string[] {
    const inspected = vscode.workspace.getConfiguration(Config.section).inspect<unknown>('exclude');
    const extra: string[] = [];
    for (const value of [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue]) {
      if (Array.isArray(value)) {
        extra.push(...value.filter((v): v is string => typeof v === 'string'));
      }
    }
    return effectiveExcludes(extra);
  }

  get maxFileSizeBytes(): number {
    return this.userNumber('maxFileSizeKB') * 1024;
  }
  get retentionDays(): number {
    return this.userNumber('retentionDays');
  }
  get maxLocalStorageBytes(): number {
    return this.userNumber('maxLocalStorageMB') * 1024 * 1024;
  }
  get checkpointEvery(): number {
    return this.userNumber('checkpointEvery');
  }
  get terminalOutputCapBytes(): number {
    return this.userNumber('terminalOutputCapKB') * 1024;
  }
  get selectionIdleMs(): number {
    return this.userNumber('selectionIdleMs');
  }

  /**
   * `candor.teamPolicyFile`: where the team's policy is. User level only — a workspace that could
   * point it elsewhere could swap the team's policy for a laxer one.
   */
  get teamPolicyFile(): string | undefined {
    const value = vscode.workspace.getConfiguration(Config.section).inspect<unknown>('teamPolicyFile')?.globalValue;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  }

  /**
   * `candor.excludeGitignored` (default on). User level only: turning it off widens what is
   * recorded, which a workspace must never do. (A team policy can turn it back on.)
   */
  get excludeGitignored(): boolean {
    const value = vscode.workspace.getConfiguration(Config.section).inspect<unknown>('excludeGitignored')?.globalValue;
    return typeof value === 'boolean' ? value : true;
  }

  /** The developer's own restrictions, in the policy's shape, to merge with the team's (stricter wins). */
  get userPolicy(): TeamPolicy {
    return {
      version: 'user-settings',
      exclude: this.excludes,
      maxFileSizeKB: this.userNumber('maxFileSizeKB'),
      excludeGitignored: this.excludeGitignored,
    };
  }

  /** Fires when any Candor setting changes. */
  onDidChange(listener: () => void, thisArg?: unknown, disposables?: vscode.Disposable[]): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration(
      (e) => {
        if (e.affectsConfiguration(Config.section)) {
          listener();
        }
      },
      thisArg,
      disposables,
    );
  }

  private userNumber(key: UserOnlyNumber): number {
    const inspected = vscode.workspace.getConfiguration(Config.section).inspect<unknown>(key);
    const value = inspected?.globalValue;
    const [min, max] = LIMITS[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      return Math.min(max, Math.max(min, value));
    }
    return DEFAULTS[key];
  }
}
