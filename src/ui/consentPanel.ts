import * as vscode from 'vscode';
import { CONSENT_POLICY_VERSION } from '../consent/receipt';
import { Disposable } from '../util/disposable';
import { consentChoiceProblem, parseConsentMessage, type CategoryInfo, type ConsentToWebview, type ConsentViewState } from './protocol/consent';
import { renderPage, webviewOptions } from './webviewHtml';

export interface ConsentHandler {
  /**
   * The rows to offer, computed by the host from the policy in force: categories the team policy
   * forbids come disabled, with the reason.
   */
  consentChoices(): Promise<readonly CategoryInfo[]>;
  /** The developer accepted these categories. Resolves once recording started; rejects (with the reason) a grant the policy forbids. */
  accept(categories: readonly string[]): Promise<void>;
}

/**
 * The page. The actions sit in a sticky footer (Start is visible without scrolling at any panel
 * height) with the one line that says what happens next; the hint under Start says why it is
 * disabled (nothing is ticked when the screen opens) and is its aria-describedby.
 */
const BODY = `
<main>
  <h1>Record your activity in this workspace?</h1>
  <p class="lead">Candor records what you do <strong>inside VS Code, in workspace <span id="workspace-name"></span> only</strong> —
  never other workspaces, other applications, the screen, or the keyboard outside the editor.
  Nothing leaves this machine unless you preview a bundle and approve it.</p>
  <fieldset class="choices" aria-describedby="choices-help">
    <legend><h2>Choose what to record</h2></legend>
    <p id="choices-help" class="help">Nothing is ticked for you: tick each category you agree to record.</p>
    <ul id="categories" class="categories"></ul>
  </fieldset>
  <ul class="facts">
    <li>Files matching the exclusion list (<code>.env*</code>, keys, <code>secrets/</code>, <code>node_modules/</code>, your own patterns) are never recorded.</li>
    <li>A status-bar item shows <strong>● REC</strong> while recording. You can pause, stop (withdraw) and delete local data at any time.</li>
    <li>Unshared data stays in this workspace's local storage and is deleted after the retention period.</li>
  </ul>
  <p class="policy">Consent text version <span id="policy-version"></span></p>
</main>
<footer class="actions-bar">
  <p id="next" class="next">Recording starts in this workspace only; nothing leaves your machine until you approve a preview.</p>
  <div class="actions">
    <button id="accept" class="primary" disabled aria-describedby="accept-hint next">Start recording</button>
    <button id="cancel" class="secondary">Cancel</button>
    <span id="accept-hint" class="hint">Tick at least one category to start recording.</span>
  </div>
  <p id="status" role="status" aria-live="polite"></p>
</footer>`;

/**
 * The consent screen. The webview only shows choices and posts them back; the host validates
 * the message and decides. Restored after a reload through the serializer.
 */
export class ConsentPanel extends Disposable {
  static readonly viewType = 'candor.consent';

  /** The rows rendered, once the host computed them. */
  private categories: readonly CategoryInfo[] | undefined;
  private readonly rendered: Promise<void>;
  /** Taps see every message posted (test hooks); empty in normal use. */
  private readonly taps = new Set<(m: ConsentToWebview) => void>();

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly handler: ConsentHandler,
  ) {
    super();
    this._register(panel);
    panel.onDidDispose(() => this.dispose(), this, this._subscriptions);
    panel.webview.onDidReceiveMessage(this.onMessage, this, this._subscriptions);
    // preparePolicy never throws; a failure here would leave an empty panel, not a wrong one.
    this.rendered = this.render().catch(() => undefined);
  }

  static show(extensionUri: vscode.Uri, handler: ConsentHandler, existing: ConsentPanel | undefined): ConsentPanel {
    if (existing && !existing.isDisposed) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(ConsentPanel.viewType, 'Candor: Consent', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new ConsentPanel(panel, extensionUri, handler);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, handler: ConsentHandler): ConsentPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new ConsentPanel(panel, extensionUri, handler);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** The offer as the webview got it (tests read it through the hooks). */
  get offered(): readonly CategoryInfo[] | undefined {
    return this.categories;
  }

  private async render(): Promise<void> {
    const categories = await this.handler.consentChoices();
    if (this.isDisposed) {
      return;
    }
    this.categories = categories;
    const state: ConsentViewState = {
      policyVersion: CONSENT_POLICY_VERSION,
      workspaceName: vscode.workspace.name ?? 'this workspace',
      categories,
    };
    this.panel.webview.html = renderPage({
      webview: this.panel.webview,
      extensionUri: this.extensionUri,
      title: 'Candor: Consent',
      script: 'dist/consent.js',
      styles: ['consent.css'],
      state,
      body: BODY,
    });
  }

  /** Feeds `raw` through the same validation as a webview message; resolves with what was posted meanwhile (test hooks). */
  async handleForTest(raw: unknown): Promise<ConsentToWebview[]> {
    const posted: ConsentToWebview[] = [];
    this.taps.add((m) => posted.push(m));
    try {
      await this.rendered;
      await this.onMessage(raw);
    } finally {
      this.taps.clear();
    }
    return posted;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseConsentMessage(raw);
    if (!message) {
      return;
    }
    switch (message.type) {
      case 'ready':
        return;
      case 'cancel':
        this.dispose();
        return;
      case 'accept':
        try {
          // The same rule the webview applies before it enables Start — at least one category,
          // only rows this screen offered as choosable, prerequisites ticked — checked again here:
          // a message that breaks it was not written by the screen. The handler checks the policy again.
          const problem = consentChoiceProblem(message.categories, this.categories ?? []);
          if (problem !== undefined) {
            throw new Error(`${problem} Nothing was started.`);
          }
          await this.handler.accept(message.categories);
          await this.post({ type: 'accepted' });
          this.dispose();
        } catch (err) {
          await this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        }
        return;
    }
  }

  private async post(message: ConsentToWebview): Promise<void> {
    for (const tap of this.taps) {
      tap(message);
    }
    if (!this.isDisposed) {
      await this.panel.webview.postMessage(message);
    }
  }
}
