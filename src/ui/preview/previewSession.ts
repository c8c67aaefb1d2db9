import * as vscode from 'vscode';
import { BundleError } from '../../bundle/errors';
import type { SeqRange } from '../../bundle/seqRanges';
import { countRanges, intersectRanges, unionRanges } from '../../bundle/seqRanges';
import type { BundleManifest, ReviewerAction } from '../../bundle/types';
import type { Logger } from '../../model/logger';
import { describeError } from '../../model/logger';
import { SerialQueue } from '../../util/serialQueue';
import { WebviewHost } from '../webviewHost';
import type { Prompter } from '../prompter';
import type { ApprovalLedger } from '../../preview/approvals';
import type { PreviewFromWebview, PreviewInfo, PreviewStatus, PreviewSummary, PreviewToWebview } from '../../preview/protocol';
import { parsePreviewMessage } from '../../preview/protocol';
import type { BuildSpec } from '../../preview/buildSpec';
import type { Outbox } from '../../upload/outbox';
import { sha256Of } from '../../util/digest';
import { PREVIEW_DESTINATION, PREVIEW_PAGE } from './previewPanel';
import type { PreviewStore } from '../../preview/previewStore';
import { chunkRanges, formatBytes, shortHash } from '../../preview/timeline';
import type { ViewClient } from '../../preview/viewClient';
import { ViewWorkerError } from '../../preview/viewClient';

/** A bundle read back from its bytes in a view worker. */
export interface LoadedBundle {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly summary: PreviewSummary;
  readonly manifest: BundleManifest;
  readonly view: ViewClient;
  /** The log seqs the bundle's selection took (absent or empty for a bundle from the outbox). */
  readonly covered?: readonly SeqRange[];
}

export interface PreviewSessionDeps {
  readonly extensionUri: vscode.Uri;
  readonly logger: Logger;
  readonly prompter: Prompter;
  readonly outbox: Outbox;
  readonly store: PreviewStore;
  /** Builds `spec` in the bundle worker with a cancellable progress notification; undefined when cancelled. */
  readonly prepare: (spec: BuildSpec, title: string) => Promise<LoadedBundle | undefined>;
  /**
   * Where an approval of a bundle built from `spec` records which log events it covered: the
   * ledger beside the log the spec names (this window's, or another window's). The extension
   * always passes it; benches may not.
   */
  readonly ledgerFor?: (spec: BuildSpec) => ApprovalLedger;
  /** Something the Candor view lists changed (an approval). */
  readonly onDidChangeOutbox: () => void;
}

/** The answer that approves, as the modal offers it. */
export const SHARE = 'Share';

/** Search results per message: a search matching 100k events must not be posted in one piece. */
const SEARCH_CHUNK = 10_000;

/**
 * One preview panel and the bundle it shows. The webview only asks; every decision (rebuild,
 * approve, save, discard) is taken here, after `parsePreviewMessage` validated the request.
 *
 * The bytes shown are the bytes kept: `bundle.bytes` is what the view worker read back to draw the
 * panel, what gets hashed in the modal, and what is written to the outbox.
 */
export class PreviewSession extends WebviewHost<PreviewFromWebview, PreviewToWebview> {
  private bundle: LoadedBundle | undefined;
  /** Undefined for an approved bundle reopened from the outbox: nothing left to rebuild. */
  private spec: BuildSpec | undefined;
  private status: PreviewStatus;
  private closedMessage: string | undefined;
  /** Serialises actions (rebuilds, approval): a drop cannot slip in while the modal is open. */
  private readonly queue = new SerialQueue();

  constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: PreviewSessionDeps,
    initial: { bundle: LoadedBundle; spec: BuildSpec | undefined; status: PreviewStatus } | { closed: string },
  ) {
    super(panel, { extensionUri: deps.extensionUri, parse: parsePreviewMessage, name: 'Preview', logger: deps.logger });
    if ('closed' in initial) {
      this.status = 'reviewing';
      this.closedMessage = initial.closed;
    } else {
      this.bundle = initial.bundle;
      this.spec = initial.spec;
      this.status = initial.status;
    }
    this._register({ dispose: () => this.bundle?.view.dispose() });
    this.setPage(PREVIEW_PAGE);
  }

  get sha256(): string | undefined {
    return this.bundle?.sha256;
  }

  get manifest(): BundleManifest | undefined {
    return this.bundle?.manifest;
  }

  get previewStatus(): PreviewStatus {
    return this.status;
  }

  /** Resolves when every queued action has finished. */
  whenIdle(): Promise<void> {
    return this.queue.idle();
  }

  /** Shows another bundle in this panel (a new preview replaces the old one). */
  replace(bundle: LoadedBundle, spec: BuildSpec): Promise<void> {
    return this.serialize(() => this.swap(bundle, spec, 'reviewing'));
  }

  /** Shows a bundle from the outbox: already approved, read-only. */
  showApproved(bundle: LoadedBundle): Promise<void> {
    return this.serialize(() => this.swap(bundle, undefined, 'approved'));
  }

  /** Shows `message` instead of a bundle (it is gone, or could not be read). */
  close(message: string): Promise<void> {
    return this.serialize(async () => {
      this.bundle?.view.dispose();
      this.bundle = undefined;
      this.spec = undefined;
      this.closedMessage = message;
      await this.sendBundle();
    });
  }

  /** A message `parsePreviewMessage` allowed; a failure is logged and, for a request, answered. */
  protected async onMessage(message: PreviewFromWebview): Promise<void> {
    try {
      await this.handle(message);
    } catch (err) {
      this.deps.logger.error(`Preview: ${message.type} failed: ${describeError(err)}`);
      if ('id' in message) {
        await this.post({ type: 'error', id: message.id, message: userMessage(err) });
      }
    }
  }

  private async handle(m: PreviewFromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.sendBundle();
        return;
      case 'body': {
        const text = await this.view().request('body', { seq: m.seq });
        await this.post(text === null ? { type: 'error', id: m.id, message: `No event #${m.seq} in this bundle.` } : { type: 'body', id: m.id, seq: m.seq, text });
        return;
      }
      case 'search': {
        const seqs = await this.view().request('search', { query: m.query });
        const chunks = chunkRanges(seqs.length, SEARCH_CHUNK, SEARCH_CHUNK);
        if (chunks.length === 0) {
          await this.post({ type: 'searchResult', id: m.id, seqs: [], done: true });
        }
        for (const [offset, count] of chunks) {
          await this.post({ type: 'searchResult', id: m.id, seqs: seqs.slice(offset, offset + count), done: offset + count === seqs.length });
        }
        return;
      }
      case 'versions': {
        const versions = await this.view().request('versions', { file: m.file });
        await this.post({ type: 'versions', id: m.id, file: m.file, versions });
        return;
      }
      case 'versionText': {
        const text = await this.view().request('versionText', { file: m.file, index: m.index });
        await this.post({ type: 'versionText', id: m.id, file: m.file, index: m.index, text });
        return;
      }
      case 'diff': {
        const parts = await this.view().request('diff', { file: m.file, from: m.from, to: m.to });
        await this.post({ type: 'diff', id: m.id, file: m.file, from: m.from, to: m.to, parts });
        return;
      }
      case 'dropEvent':
        return this.serialize(() => this.edit(m.id, { action: 'drop-event', seqs: [...m.seqs], at: now() }, `Dropping ${m.seqs.length === 1 ? `event #${m.seqs[0]}` : `${m.seqs.length} events`}…`));
      case 'dropFile':
        return this.serialize(() => this.edit(m.id, { action: 'drop-file', file: m.file, at: now() }, 'Dropping the file and its later history…'));
      case 'dropRange':
        return this.serialize(() => this.edit(m.id, { action: 'drop-range', fromTs: m.fromTs, toTs: m.toTs, at: now() }, 'Dropping the time range…'));
      case 'redact':
        return this.serialize(() => this.edit(m.id, { action: 'redact-everywhere', text: m.text, at: now() }, 'Redacting the text everywhere…'));
      case 'undo':
        return this.serialize(() => this.undo(m.id));
      case 'approve':
        return this.serialize(() => this.approve(m.id, m.sha256));
      case 'save':
        return this.serialize(() => this.save(m.id, m.sha256));
      case 'discard':
        return this.serialize(() => this.discard(m.id));
    }
  }

  private view(): ViewClient {
    if (this.bundle === undefined) {
      throw new ViewWorkerError(this.closedMessage ?? 'No bundle is open.');
    }
    return this.bundle.view;
  }

  private info(): PreviewInfo {
    return {
      selection: this.spec?.label ?? 'An approved bundle from the outbox',
      destination: PREVIEW_DESTINATION,
      status: this.status,
      canUndo: this.status === 'reviewing' && (this.spec?.reviewerActions.length ?? 0) > 0,
    };
  }

  /** The summary, then the rows in chunks: a small first chunk so the first screen paints at once. */
  private async sendBundle(): Promise<void> {
    if (!this.webviewReady) {
      return; // the webview asks with `ready`; posting before it would be lost
    }
    const bundle = this.bundle;
    if (bundle === undefined) {
      await this.post({ type: 'closed', message: this.closedMessage ?? 'No bundle is open.' });
      return;
    }
    await this.post({ type: 'bundle', summary: bundle.summary, info: this.info() });
    const total = bundle.summary.events;
    for (const [offset, count] of chunkRanges(total)) {
      const rows = await bundle.view.request('rows', { offset, count });
      if (this.bundle !== bundle || this.isDisposed) {
        return; // replaced by a rebuild: its own rows are on their way
      }
      await this.post({ type: 'rows', sha256: bundle.sha256, offset, total, rows });
    }
  }

  private async swap(bundle: LoadedBundle, spec: BuildSpec | undefined, status: PreviewStatus): Promise<void> {
    const old = this.bundle;
    this.bundle = bundle;
    this.spec = spec;
    this.status = status;
    this.closedMessage = undefined;
    old?.view.dispose();
    if (spec !== undefined) {
      await this.deps.store.save(bundle.bytes, bundle.sha256, spec, bundle.covered);
    }
    await this.sendBundle();
  }

  private async rebuild(id: number, spec: BuildSpec, busy: string): Promise<boolean> {
    if (this.status !== 'reviewing' || this.bundle === undefined) {
      await this.post({ type: 'done', id, ok: false, message: 'This bundle was already approved; it can no longer change.' });
      return false;
    }
    await this.post({ type: 'status', busy: true, message: busy });
    let loaded: LoadedBundle | undefined;
    try {
      loaded = await this.deps.prepare(spec, 'Candor: Rebuilding the bundle');
    } catch (err) {
      await this.post({ type: 'status', busy: false, message: '' });
      await this.post({ type: 'done', id, ok: false, message: userMessage(err) });
      return false;
    }
    if (loaded === undefined) {
      await this.post({ type: 'status', busy: false, message: '' });
      await this.post({ type: 'done', id, ok: false, message: 'Cancelled: the bundle is unchanged.' });
      return false;
    }
    if (this.isDisposed) {
      loaded.view.dispose();
      return false;
    }
    await this.swap(loaded, spec, 'reviewing');
    await this.post({ type: 'status', busy: false, message: '' });
    return true;
  }

  private async edit(id: number, action: ReviewerAction, busy: string): Promise<void> {
    const spec = this.spec;
    if (spec === undefined) {
      await this.post({ type: 'done', id, ok: false, message: 'This bundle was already approved; it can no longer change.' });
      return;
    }
    const before = this.bundle?.summary.events ?? 0;
    if (await this.rebuild(id, { ...spec, reviewerActions: [...spec.reviewerActions, action] }, busy)) {
      const after = this.bundle?.summary.events ?? 0;
      const what = action.action === 'redact-everywhere' ? 'Redacted the text everywhere' : `Removed ${before - after} event${before - after === 1 ? '' : 's'}`;
      await this.post({ type: 'done', id, ok: true, message: `${what}. New SHA-256 ${shortHash(this.bundle!.sha256)}` });
    }
  }

  private async undo(id: number): Promise<void> {
    const spec = this.spec;
    if (spec === undefined || spec.reviewerActions.length === 0) {
      await this.post({ type: 'done', id, ok: false, message: 'Nothing to undo.' });
      return;
    }
    if (await this.rebuild(id, { ...spec, reviewerActions: spec.reviewerActions.slice(0, -1) }, 'Undoing the last change…')) {
      await this.post({ type: 'done', id, ok: true, message: `Undone. SHA-256 ${shortHash(this.bundle!.sha256)}` });
    }
  }

  /**
   * The only way bytes get approved: the webview asked with the hash it shows; the host checks it
   * is the hash of the bytes it holds, asks in a native modal, and writes exactly those bytes.
   */
  private async approve(id: number, shownSha256: string): Promise<void> {
    const bundle = this.bundle;
    if (bundle === undefined || this.status !== 'reviewing') {
      await this.post({ type: 'done', id, ok: false, message: this.status === 'approved' ? 'Already approved.' : 'No bundle is open.' });
      return;
    }
    if (shownSha256 !== bundle.sha256) {
      await this.post({ type: 'done', id, ok: false, message: 'The bundle changed since this view was drawn: review it again, then approve.' });
      return;
    }
    if (sha256Of(bundle.bytes) !== bundle.sha256) {
      // Never expected: the bytes in memory no longer hash to what was shown. Refuse loudly.
      this.deps.logger.error(`Preview: the bytes held no longer hash to ${bundle.sha256}; approval refused.`);
      await this.post({ type: 'done', id, ok: false, message: 'Refused: the bundle in memory does not match the hash shown. Build the preview again.' });
      return;
    }
    const spec = this.spec;
    const ledger = spec === undefined ? undefined : this.deps.ledgerFor?.(spec);
    const covered = bundle.covered ?? [];
    if (spec !== undefined && ledger !== undefined && (await this.approvedMeanwhile(ledger, spec, covered)) > 0) {
      await this.post({
        type: 'done',
        id,
        ok: false,
        message: 'Some of these events were approved since this preview was built (in another window, or another preview). Build the preview again: it leaves them out.',
      });
      return;
    }
    const n = bundle.summary.events;
    const kb = (bundle.bytes.length / 1024).toFixed(1);
    const answer = await this.deps.prompter.confirm(
      `Share ${n.toLocaleString('en-US')} event${n === 1 ? '' : 's'} (${kb} KB, SHA-256 ${shortHash(bundle.sha256)}) with ${PREVIEW_DESTINATION}?`,
      `Exactly the bundle you previewed is written, byte for byte (SHA-256 ${bundle.sha256}). ` +
        'It stays in this workspace’s Candor storage: uploading is not set up yet, so nothing leaves this machine now.',
      SHARE,
    );
    if (answer !== SHARE) {
      await this.post({ type: 'done', id, ok: false, message: 'Not shared.' });
      return;
    }
    const approvedAt = new Date().toISOString();
    const entry = await this.deps.outbox.add(bundle.bytes, {
      sha256: bundle.sha256,
      sizeBytes: bundle.bytes.length,
      approvedAt,
      events: n,
      id: bundle.summary.id,
      destination: PREVIEW_DESTINATION,
      covered: bundle.covered ?? [],
    });
    this.status = 'approved';
    this.spec = undefined;
    // The bundle is in the outbox: from now on a preview leaves these log events out by default.
    // (If this fails, they are offered again: annoying, never a leak.)
    try {
      await ledger?.record({ sha256: bundle.sha256, approvedAt, events: n, covered });
    } catch (err) {
      this.deps.logger.error(`Preview: could not record which events the approval covered: ${describeError(err)}`);
    }
    await this.deps.store.clear();
    this.deps.logger.info(`Approved bundle ${bundle.sha256} (${n} events, ${bundle.bytes.length} bytes) into the outbox: ${entry.file}`);
    this.deps.onDidChangeOutbox();
    await this.post({ type: 'bundle', summary: bundle.summary, info: this.info() });
    await this.post({ type: 'done', id, ok: true, message: `Approved. The bundle (SHA-256 ${shortHash(bundle.sha256)}) is in the outbox.` });
  }

  /**
   * Events of this bundle that an approval recorded after the preview was opened also covers.
   * The ledger is read afresh: another window approves into the same file (a window's log can be
   * previewed from any window of the workspace), and its bundle must not hold them a second time.
   */
  private async approvedMeanwhile(ledger: ApprovalLedger, spec: BuildSpec, covered: readonly SeqRange[]): Promise<number> {
    if (covered.length === 0) {
      return 0;
    }
    const since = Date.parse(spec.createdAt);
    const later = (await ledger.list((m) => this.deps.logger.warn(`Preview: ${m}`))).filter((a) => !(Date.parse(a.approvedAt) < since));
    return countRanges(intersectRanges(later.reduce<SeqRange[]>((acc, a) => unionRanges(acc, a.covered), []), covered));
  }

  private async save(id: number, shownSha256: string): Promise<void> {
    const bundle = this.bundle;
    if (bundle === undefined || shownSha256 !== bundle.sha256) {
      await this.post({ type: 'done', id, ok: false, message: 'The bundle changed since this view was drawn: try again.' });
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `candor-${bundle.sha256.slice(0, 12)}.candor`;
    const target = await vscode.window.showSaveDialog({
      title: 'Save Bundle to File',
      saveLabel: 'Save Bundle',
      filters: { 'Candor bundle': ['candor'] },
      ...(folder === undefined ? {} : { defaultUri: vscode.Uri.joinPath(folder, name) }),
    });
    if (target === undefined) {
      await this.post({ type: 'done', id, ok: false, message: 'Not saved.' });
      return;
    }
    await vscode.workspace.fs.writeFile(target, bundle.bytes);
    await this.post({ type: 'done', id, ok: true, message: `Saved ${formatBytes(bundle.bytes.length)} (SHA-256 ${shortHash(bundle.sha256)}).` });
  }

  private async discard(id: number): Promise<void> {
    if (this.status === 'reviewing' && this.spec !== undefined) {
      await this.deps.store.clear();
    }
    await this.post({ type: 'done', id, ok: true, message: 'Discarded.' });
    this.dispose();
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    return this.queue.run(fn);
  }
}

function now(): string {
  return new Date().toISOString();
}

/** Errors as the developer sees them: the message, not the stack. */
export function userMessage(err: unknown): string {
  if (BundleError.is(err)) {
    return err.code === 'no-redactor'
      ? 'The on-device redaction engine is not available in this build, and a bundle is never built unredacted.'
      : `The bundle could not be built: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
