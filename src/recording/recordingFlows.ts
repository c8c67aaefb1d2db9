/**
 * The VS Code side of the consent flows: what the developer sees and answers around a change of
 * consent (start through the consent panel, stop, delete, the disk-full prompt), and the ports the
 * vscode-free consent service uses to show messages and ask about the workspace. The state changes
 * themselves happen in src/consent/consentService.ts.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PromptPort, WorkspacePort } from '../consent/consentPorts';
import type { ConsentService } from '../consent/consentService';
import { ensureSalt, type MementoLike } from '../consent/consentStore';
import { workspaceId } from '../consent/receipt';
import { CATEGORIES } from '../model/events';
import type { PreparedPolicy } from '../privacy/policy/load';
import { categoryInfos, forbiddenCategories, forbiddenNote } from '../ui/categories';
import { ConsentPanel, type ConsentHandler } from '../ui/consentPanel';
import type { Prompter } from '../ui/prompter';
import type { CategoryInfo } from '../ui/protocol/consent';
import type { LiveSession } from './sessionOpener';

/** The workspace's identity: its workspace file URI, or its folder URIs (empty without a folder). */
export function workspaceIdentity(): string[] {
  return vscode.workspace.workspaceFile
    ? [vscode.workspace.workspaceFile.toString()]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
}

/** Messages that need no answer, as VS Code notifications. */
export const windowPrompts: PromptPort = {
  info: (message) => void vscode.window.showInformationMessage(message),
  error: (message) => void vscode.window.showErrorMessage(message),
};

/** The workspace as the consent service sees it: trust, its salted id, the policy's say on a grant. */
export function windowWorkspace(globalState: MementoLike, loadPolicy: () => Promise<PreparedPolicy>): WorkspacePort {
  return {
    isTrusted: () => vscode.workspace.isTrusted,
    workspaceId: () => {
      const { salt, save } = ensureSalt(globalState, () => randomBytes(32).toString('hex'));
      void save;
      return workspaceId(salt, workspaceIdentity());
    },
    checkGrant: async (categories) => {
      const prepared = await loadPolicy();
      if (!prepared.ok) {
        throw new Error(prepared.message);
      }
      const forbidden = forbiddenCategories(categories, prepared.policy);
      if (forbidden.length > 0) {
        throw new Error(`Not started: ${forbidden.join(', ')} ${forbidden.length === 1 ? 'is' : 'are'} ${forbiddenNote(prepared.policy)}.`);
      }
    },
  };
}

export interface RecordingFlowsDeps {
  readonly extensionUri: vscode.Uri;
  readonly prompter: Prompter;
  readonly consent: ConsentService<LiveSession>;
  /** This window's log folder; undefined when no folder is open. */
  readonly logDir: string | undefined;
  readonly loadPolicy: () => Promise<PreparedPolicy>;
  readonly isDiskFull: (err: unknown) => boolean;
}

/** Start, stop, delete and the consent panel: the questions asked before the service acts. */
export class RecordingFlows implements ConsentHandler {
  private consentPanel: ConsentPanel | undefined;

  constructor(private readonly deps: RecordingFlowsDeps) {}

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
    if (!this.deps.logDir || !vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showWarningMessage('Candor records per workspace: open a folder first.');
      return;
    }
    const { state } = this.deps.consent.state;
    if (state === 'recording' || state === 'paused') {
      void vscode.window.showInformationMessage(`Candor is already ${state} in this workspace.`);
      return;
    }
    const prepared = await this.deps.loadPolicy();
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
    const prepared = await this.deps.loadPolicy();
    if (!prepared.ok) {
      return categoryInfos(CATEGORIES).map((c) => ({ ...c, checked: false, disabled: true, note: c.note ?? 'the team policy cannot be read' }));
    }
    return categoryInfos(CATEGORIES, prepared.policy);
  }

  /** The consent screen's Accept: the service checks the grant against the policy and starts. */
  accept(categories: readonly string[]): Promise<void> {
    return this.deps.consent.accept(categories);
  }

  /** "Stop Recording": withdraws consent; offers to delete the unapproved local data. */
  async stopFlow(): Promise<void> {
    const { state } = this.deps.consent.state;
    if (state !== 'recording' && state !== 'paused') {
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
    await this.deps.consent.stop({ deleteLocalData: answer === stopAndDelete });
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
    await this.deps.consent.deleteLocalData();
  }

  /** Writing the log failed: a full disk pauses recording and offers to resume once space is freed. */
  onLogError(err: Error): void {
    if (this.deps.isDiskFull(err) && this.deps.consent.state.state === 'recording') {
      void this.deps.consent.pause('disk-full').then(async () => {
        const resume = 'Resume';
        const choice = await vscode.window.showWarningMessage(
          'Candor paused recording: the disk is full. Nothing recorded so far was lost. Free some space, then resume.',
          resume,
        );
        if (choice === resume) {
          await this.deps.consent.resume();
        }
      });
    }
  }
}
