import * as vscode from 'vscode';
import { CONSENT_POLICY_VERSION } from '../consent/receipt';
import { consentChoiceProblem, parseConsentMessage, type CategoryInfo, type ConsentFromWebview, type ConsentToWebview, type ConsentViewState } from './protocol/consent';
import { WebviewHost } from './webviewHost';

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
export class ConsentPanel extends WebviewHost<ConsentFromWebview, ConsentToWebview> {
  static readonly viewType = 'candor.consent';

  /** The rows rendered, once the host computed them. */
  private categories: readonly CategoryInfo[] | undefined;
  private readonly rendered: Promise<void>;

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly handler: ConsentHandler,
  ) {
    super(panel, { extensionUri, parse: parseConsentMessage, name: 'Consent' });
    // preparePolicy never throws; a failure here would leave an empty panel, not a wrong one.
    this.rendered = this.render().catch(() => undefined);
  }

  static show(extensionUri: vscode.Uri, handler: ConsentHandler, existing: ConsentPanel | undefined): ConsentPanel {
    if (existing && !existing.isDisposed) {
      existing.reveal();
      return existing;
    }
    return new ConsentPanel(WebviewHost.createPanel(ConsentPanel.viewType, 'Candor: Consent', extensionUri), extensionUri, handler);
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, handler: ConsentHandler): ConsentPanel {
    return new ConsentPanel(panel, extensionUri, handler);
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
    this.setPage({ title: 'Candor: Consent', script: 'dist/consent.js', styles: ['consent.css'], state, body: BODY });
  }

  /** As a webview message, once the screen is rendered (the offer it checks against is known then). */
  override async handleForTest(raw: unknown): Promise<ConsentToWebview[]> {
    await this.rendered;
    return super.handleForTest(raw);
  }

  protected async onMessage(message: ConsentFromWebview): Promise<void> {
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
}
