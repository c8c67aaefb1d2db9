import * as vscode from 'vscode';
import type { ConsentSnapshot } from '../consent/consentMachine';
import { CATEGORY_TEXT } from './categories';
import { Disposable } from '../util/disposable';

export interface StatusFigures {
  readonly events: number;
  readonly dropped: number;
}

/** What the status bar shows, and when it changed (the RecordingController). */
export interface StatusSource {
  readonly state: ConsentSnapshot;
  readonly figures: StatusFigures;
  readonly onDidChange: vscode.Event<unknown>;
}

/**
 * The always-visible indicator (design invariant 6): `● REC` while recording, `❚❚ Paused` while
 * paused, hidden when recording is off. Clicking it opens the recording menu. It follows the
 * controller's changes: consent and session at once, the event count as the log grows.
 */
export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(source: StatusSource) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('candor.status', vscode.StatusBarAlignment.Left, 1000));
    this.item.name = 'Candor Recording';
    this.item.command = 'candor.showStatus';
    source.onDidChange(() => this.update(source.state, source.figures), this, this._subscriptions);
    this.update(source.state, source.figures);
  }

  update(consent: ConsentSnapshot, figures: StatusFigures): void {
    const { state } = consent;
    if (state !== 'recording' && state !== 'paused') {
      this.item.hide();
      return;
    }
    const cats = (consent.receipt?.categories ?? []).map((c) => CATEGORY_TEXT[c].label).join(', ');
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    if (state === 'recording') {
      this.item.text = '● REC';
      this.item.backgroundColor = figures.dropped > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.accessibilityInformation = { label: 'Candor is recording in this workspace. Click for options.', role: 'button' };
      tooltip.appendMarkdown('**Candor is recording in this workspace**\n\n');
    } else {
      this.item.text = '❚❚ Paused';
      const problem = consent.pauseReason === 'disk-full' || consent.pauseReason === 'error';
      this.item.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.accessibilityInformation = { label: 'Candor recording is paused in this workspace. Click for options.', role: 'button' };
      tooltip.appendMarkdown(
        consent.pauseReason === 'disk-full'
          ? '**Candor paused: the disk is full.** Free some space, then resume.\n\n'
          : '**Candor recording is paused**\n\n',
      );
    }
    tooltip.appendText(`Recording: ${cats}\n\nEvents this session: ${figures.events}`);
    if (figures.dropped > 0) {
      tooltip.appendText(`\n\n${figures.dropped} events were dropped because the local log could not keep up.`);
    }
    tooltip.appendMarkdown('\n\n_Click for pause, resume, stop and local data._');
    this.item.tooltip = tooltip;
    this.item.show();
  }
}
