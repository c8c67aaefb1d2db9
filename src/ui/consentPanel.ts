import * as vscode from 'vscode';
import { CATEGORIES } from '../model/events';
import { CONSENT_POLICY_VERSION } from '../consent/receipt';
import { Disposable } from '../util/disposable';
import { categoryInfos } from './categories';
import { parseConsentMessage, type ConsentToWebview, type ConsentViewState } from './protocol';
import { renderPage, webviewOptions } from './webviewHtml';

export interface ConsentHandler {
  /** The developer accepted these categories. Resolves once recording started. */
  accept(categories: readonly string[]): Promise<void>;
}

const BODY = `
<main>
  <h1>Record your activity in this workspace?</h1>
  <p class="lead">Candor records what you do <strong>inside VS Code, in workspace <span id="workspace-name"></span> only</strong> —
  never other workspaces, other applications, the screen, or the keyboard outside the editor.
  Nothing leaves this machine unless you preview a bundle and approve it.</p>
  <h2>Choose what to record</h2>
  <ul id="categories" class="categories"></ul>
  <ul class="facts">
    <li>Files matching the exclusion list (<code>.env*</code>, keys, <code>secrets/</code>, <code>node_modules/</code>, your own patterns) are never recorded.</li>
    <li>A status-bar item shows <strong>● REC</strong> while recording. You can pause, stop (withdraw) and delete local data at any time.</li>
    <li>Unshared data stays in this workspace's local storage and is deleted after the retention period.</li>
  </ul>
  <div class="actions">
    <button id="accept" class="primary">Start recording</button>
    <button id="cancel" class="secondary">Cancel</button>
  </div>
  <p id="status" role="status" aria-live="polite"></p>
  <p class="policy">Consent text version <span id="policy-version"></span></p>
</main>`;

/**
 * The consent screen. The webview only shows choices and posts them back; the host validates
 * the message and decides. Restored after a reload through the serializer.
 */
export class ConsentPanel extends Disposable {
  static readonly viewType = 'candor.consent';

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly handler: ConsentHandler,
  ) {
    super();
    this._register(panel);
    panel.onDidDispose(() => this.dispose(), this, this._subscriptions);
    panel.webview.onDidReceiveMessage(this.onMessage, this, this._subscriptions);
    this.render();
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

  private render(): void {
    const state: ConsentViewState = {
      policyVersion: CONSENT_POLICY_VERSION,
      workspaceName: vscode.workspace.name ?? 'this workspace',
      categories: categoryInfos(CATEGORIES),
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
    if (!this.isDisposed) {
      await this.panel.webview.postMessage(message);
    }
  }
}
