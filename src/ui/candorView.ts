import * as vscode from 'vscode';
import type { ConsentSnapshot } from '../consent/consentMachine';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import { Disposable } from '../util/disposable';
import type { SeqRange } from '../bundle/seqRanges';
import { CATEGORY_TEXT } from './categories';
import type { LogSession } from '../preview/logSessions';
import type { OtherLog } from '../preview/otherLogs';
import type { OutboxEntry } from '../upload/outbox';
import { describeSessionCounts, describeSpan } from './preview/previewService';
import { formatBytes, shortHash } from '../preview/timeline';

/** What the view lists, from the objects that own it. */
export interface CandorViewSource {
  readonly state: ConsentSnapshot;
  /** Fires when the recording state changes or the log grows (throttled by the controller). */
  readonly onDidChange: vscode.Event<unknown>;
  /** Newest first. */
  sessions(): Promise<readonly LogSession[]>;
  /** Log seqs already approved (to say how much of each session is). */
  approved(): Promise<readonly SeqRange[]>;
  /** The logs of this workspace's other windows (each writes its own), with their unapproved counts. */
  otherLogs?(): Promise<readonly OtherLog[]>;
  outbox(): Promise<OutboxEntry[]>;
}

type Node =
  | { readonly kind: 'preview' }
  | { readonly kind: 'recording' }
  | { readonly kind: 'log' }
  | { readonly kind: 'session'; readonly session: LogSession; readonly approved: readonly SeqRange[] }
  | { readonly kind: 'otherLog'; readonly log: OtherLog }
  | { readonly kind: 'outbox' }
  | { readonly kind: 'approved'; readonly entry: OutboxEntry }
  | { readonly kind: 'empty'; readonly label: string };

/**
 * The Candor view in the activity bar: a way into the preview, the recording state, the sessions
 * in the local log (each previewable on its own) and the outbox of approved bundles.
 */
export class CandorView extends Disposable implements vscode.TreeDataProvider<Node> {
  static readonly viewId = 'candor.overview';

  private readonly changed = this._register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private refreshes = 0;

  constructor(
    private readonly source: CandorViewSource,
    private readonly logger: Logger,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(CandorView.viewId, { treeDataProvider: this, showCollapseAll: false }));
    // Live while in sight: the controller says when recording changes and (every few seconds at
    // most) when the log grew. Out of sight nothing is re-read; coming into sight catches up.
    source.onDidChange(
      () => {
        if (this.view.visible) {
          this.refresh();
        }
      },
      this,
      this._subscriptions,
    );
    this.view.onDidChangeVisibility(
      (e) => {
        if (e.visible) {
          this.refresh();
        }
      },
      this,
      this._subscriptions,
    );
  }

  /** How many times the tree was told to refresh (the test hooks watch it). */
  get refreshCount(): number {
    return this.refreshes;
  }

  refresh(): void {
    this.refreshes++;
    this.changed.fire(undefined);
  }

  /** The session rows under "Local log", as the tree shows them (for the test hooks). */
  async sessionRows(): Promise<{ label: string; description: string }[]> {
    const nodes = await this.getChildren({ kind: 'log' });
    return nodes.map((n) => {
      const item = this.getTreeItem(n);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { label, description: typeof item.description === 'string' ? item.description : '' };
    });
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'preview': {
        const item = new vscode.TreeItem('Preview What Would Be Shared');
        item.iconPath = new vscode.ThemeIcon('eye');
        item.command = { command: 'candor.previewBundle', title: 'Preview What Would Be Shared' };
        item.tooltip = 'Build a bundle from the local log and see exactly what would leave this machine before approving it.';
        return item;
      }
      case 'recording': {
        const { state, receipt } = this.source.state;
        const item = new vscode.TreeItem(state === 'recording' ? 'Recording' : state === 'paused' ? 'Recording paused' : 'Not recording');
        item.iconPath = new vscode.ThemeIcon(state === 'recording' ? 'record' : state === 'paused' ? 'debug-pause' : 'circle-slash');
        item.description = (receipt?.categories ?? []).map((c) => CATEGORY_TEXT[c].label).join(', ');
        item.command =
          state === 'recording' || state === 'paused'
            ? { command: 'candor.showStatus', title: 'Recording options' }
            : { command: 'candor.startRecording', title: 'Start Recording' };
        return item;
      }
      case 'log': {
        const item = new vscode.TreeItem('Local log (not shared)', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('database');
        item.tooltip = 'Recording sessions in this workspace’s local log. Select one to preview it on its own.';
        return item;
      }
      case 'session': {
        const s = node.session;
        const item = new vscode.TreeItem(describeSpan(s.firstTs, s.lastTs));
        item.description = describeSessionCounts(s, node.approved);
        item.iconPath = new vscode.ThemeIcon('history');
        item.tooltip = 'Preview this session';
        item.command = { command: 'candor.previewBundle', title: 'Preview this session', arguments: [{ range: 'session', sessionId: s.sessionId }] };
        return item;
      }
      case 'otherLog': {
        const o = node.log;
        const item = new vscode.TreeItem(o.label);
        item.description = describeOtherLog(o);
        item.iconPath = new vscode.ThemeIcon('multiple-windows');
        item.tooltip = 'Recorded in another window of this workspace, which keeps its own log. Select it to preview what it holds that you have not approved.';
        item.command = { command: 'candor.previewBundle', title: 'Preview this window’s log', arguments: [{ range: 'all', log: o.id }] };
        return item;
      }
      case 'outbox': {
        const item = new vscode.TreeItem('Outbox (approved)', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('inbox');
        item.tooltip = 'Bundles you approved. Uploading is not set up yet: they stay on this machine.';
        item.contextValue = 'candor.outbox';
        return item;
      }
      case 'approved': {
        const r = node.entry.receipt;
        const item = new vscode.TreeItem(new Date(r.approvedAt).toLocaleString());
        item.description = `${r.events.toLocaleString()} events · ${formatBytes(r.sizeBytes)} · ${shortHash(r.sha256)}`;
        item.tooltip = `SHA-256 ${r.sha256}`;
        item.iconPath = new vscode.ThemeIcon('package');
        item.command = { command: 'candor.openApprovedBundle', title: 'Open approved bundle', arguments: [r.sha256] };
        return item;
      }
      case 'empty':
        return new vscode.TreeItem(node.label);
    }
  }

  /** The other windows' logs; one that cannot be read is logged and left out (this window's rows still show). */
  private async otherLogs(): Promise<readonly OtherLog[]> {
    try {
      return (await this.source.otherLogs?.()) ?? [];
    } catch (err) {
      this.logger.warn(`Candor view: the other windows’ logs could not be read: ${describeError(err)}`);
      return [];
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node === undefined) {
      return [{ kind: 'preview' }, { kind: 'recording' }, { kind: 'log' }, { kind: 'outbox' }];
    }
    try {
      if (node.kind === 'log') {
        const [sessions, approved, others] = await Promise.all([this.source.sessions(), this.source.approved(), this.otherLogs()]);
        const rows: Node[] = sessions.map((session) => ({ kind: 'session', session, approved }));
        rows.push(...others.filter((o) => o.events > 0).map((log): Node => ({ kind: 'otherLog', log })));
        return rows.length === 0 ? [{ kind: 'empty', label: 'Nothing recorded' }] : rows;
      }
      if (node.kind === 'outbox') {
        const entries = await this.source.outbox();
        return entries.length === 0 ? [{ kind: 'empty', label: 'No approved bundles' }] : entries.map((entry) => ({ kind: 'approved', entry }));
      }
    } catch (err) {
      this.logger.error(`Candor view: ${describeError(err)}`);
      return [{ kind: 'empty', label: 'Could not be read (see Candor: Show Log)' }];
    }
    return [];
  }
}

/** `12 events not yet approved` (`all approved` when none is left). */
export function describeOtherLog(o: Pick<OtherLog, 'events' | 'unapproved'>): string {
  return o.unapproved === 0 ? `${o.events.toLocaleString()} events · all approved` : `${o.unapproved.toLocaleString()} event${o.unapproved === 1 ? '' : 's'} not yet approved`;
}
