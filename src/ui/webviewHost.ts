/**
 * The one base under Candor's webview panels (consent, preview): it owns the panel (only media/
 * readable, a strict CSP with a fresh nonce per render, see webviewHtml.ts), narrows every incoming
 * message with the protocol's parser (a malformed one is logged and dropped), tracks the `ready`
 * handshake (a host posts nothing the webview asked for before it said `ready`), posts typed
 * messages, and disposes itself with its panel. Subclasses only handle `In` and post `Out`.
 */
import * as vscode from 'vscode';
import type { Logger } from '../model/logger';
import { Disposable } from '../util/disposable';
import type { WebviewMessage } from './webviewChannel';
import { WebviewChannel } from './webviewChannel';
import { renderPage, webviewOptions } from './webviewHtml';

/** What a panel's page is made of; the host adds the CSP, the nonce and the media/ URIs. */
export interface WebviewPage {
  readonly title: string;
  /** The webview script, relative to media/. */
  readonly script: string;
  /** Style sheets, relative to media/. */
  readonly styles: readonly string[];
  /** Initial state, passed as data-state JSON (never inside a script). */
  readonly state: unknown;
  /** Static markup: anything recorded is filled in by the script, as text. */
  readonly body: string;
}

export interface WebviewHostOptions<In> {
  readonly extensionUri: vscode.Uri;
  /** The protocol's guard for what the webview sends. */
  readonly parse: (raw: unknown) => In | undefined;
  /** Names the panel in log lines. */
  readonly name: string;
  /** Where a malformed message is reported; without one it is dropped silently. */
  readonly logger?: Logger;
}

export abstract class WebviewHost<In extends WebviewMessage, Out> extends Disposable {
  protected readonly extensionUri: vscode.Uri;
  private readonly channel: WebviewChannel<In, Out>;

  /** A new panel in the active column, with Candor's webview options (scripts on, only media/ readable). */
  static createPanel(viewType: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
  }

  protected constructor(
    protected readonly panel: vscode.WebviewPanel,
    options: WebviewHostOptions<In>,
  ) {
    super();
    this.extensionUri = options.extensionUri;
    this.channel = new WebviewChannel<In, Out>({
      parse: options.parse,
      send: (m) => (this.isDisposed ? Promise.resolve(false) : this.panel.webview.postMessage(m)),
      onMalformed: () => options.logger?.warn(`${options.name}: ignored a malformed message from the webview.`),
    });
    // A panel restored after a reload comes with the options it was saved with: ours again.
    panel.webview.options = webviewOptions(options.extensionUri);
    this._register(panel);
    panel.onDidDispose(() => this.dispose(), this, this._subscriptions);
    panel.webview.onDidReceiveMessage(this.receive, this, this._subscriptions);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** The page as last rendered (tests check its CSP). */
  get html(): string {
    return this.panel.webview.html;
  }

  /** Whether the webview said `ready`. */
  get webviewReady(): boolean {
    return this.channel.isReady;
  }

  /** Resolves once the webview said `ready` (or at once if it already did). */
  whenReady(): Promise<void> {
    return this.channel.whenReady();
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Every message from the webview enters here: narrowed, then handled. */
  async receive(raw: unknown): Promise<void> {
    const message = this.channel.accept(raw);
    if (message !== undefined) {
      await this.onMessage(message);
    }
  }

  /**
   * Feeds `raw` through the same validation as a webview message and returns what was posted
   * while it was handled. For the test hooks; the webview's messages take `receive`.
   */
  handleForTest(raw: unknown): Promise<Out[]> {
    return this.channel.collect(() => this.receive(raw));
  }

  /** Handles a message the protocol allows (a `ready` included, after it was recorded). */
  protected abstract onMessage(message: In): Promise<void>;

  /** Posts to the webview; once the panel is disposed, only the test taps see it. */
  protected post(message: Out): Promise<void> {
    return this.channel.post(message);
  }

  /** Sets the page: a fresh nonce every render, scripts and styles only from media/. */
  protected setPage(page: WebviewPage): void {
    this.panel.webview.html = renderPage({ webview: this.panel.webview, extensionUri: this.extensionUri, ...page });
  }
}
