/**
 * The preview's flows on the VS Code side: choosing what to preview (this window's log or another
 * window's), building the bundle in the worker with progress and cancel, opening or reopening the
 * panel, and approving into the outbox after the native modal.
 *
 * One file though over 450 lines: the build → review → approve sequence shares one state (the
 * session under review and its spec), and its checks (stale approvals, the bytes' SHA-256 before the
 * modal) read best in order. Splitting the selection QuickPick out is the next seam.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuildPhase } from '../../bundle/build';
import { BundleError } from '../../bundle/errors';
import type { SeqRange } from '../../bundle/seqRanges';
import { buildBundleInWorker } from '../../bundle/workerHost';
import type { ConsentReceipt } from '../../consent/consentMachine';
import type { Logger } from '../../model/logger';
import { loadMachineIdentity } from '../../privacy/identity';
import type { PreparedPolicy } from '../../privacy/policy/load';
import { describeError } from '../../model/logger';
import { currentFolders } from '../../recorder/documentResolver';
import { Disposable } from '../../util/disposable';
import type { Prompter } from '../prompter';
import type { ApprovalLedger } from '../../preview/approvals';
import type { BuildSpec, PreviewRange } from '../../preview/buildSpec';
import { parsePreviewRange, selectionOf, workerParams } from '../../preview/buildSpec';
import type { LogIndex, LogSession } from '../../preview/logSessions';
import { unapprovedCount } from '../../preview/logSessions';
import type { OtherLog, OtherLogs } from '../../preview/otherLogs';
import { logIdOf } from '../../preview/otherLogs';
import type { Outbox } from '../../upload/outbox';
import { sha256Of } from '../../util/digest';
import { createPreviewPanel } from './previewPanel';
import type { LoadedBundle } from './previewSession';
import { PreviewSession, userMessage } from './previewSession';
import type { PreviewStore } from '../../preview/previewStore';
import { ViewClient } from '../../preview/viewClient';
import { isSha256 } from '../../util/sha256';

/** What the preview needs of the recording side (RecordingController satisfies it). */
export interface PreviewSource {
  readonly logDir: string | undefined;
  readonly state: { readonly receipt?: ConsentReceipt };
  /** Flushes what is buffered, so the bundle includes everything recorded until now. */
  sync(): Promise<void>;
  /** The policy in force now (settings and the team's file), applied again when building. */
  loadPolicy(): Promise<PreparedPolicy>;
}

export interface PreviewServiceDeps {
  readonly extensionUri: vscode.Uri;
  readonly extensionVersion: string;
  readonly source: PreviewSource;
  readonly logger: Logger;
  readonly prompter: Prompter;
  readonly outbox: Outbox;
  readonly store: PreviewStore;
  /** Which log seqs were already approved (left out of a new preview by default). */
  readonly approvals: ApprovalLedger;
  /** The log's sessions and span, shared with the Candor view. */
  readonly index: LogIndex;
  /** The logs of this workspace's other windows, each offered as a choice of its own. */
  readonly others: OtherLogs;
  /** Exclusion globs in force (applied again while building, and listed in the manifest). */
  readonly exclusions: () => readonly string[];
  readonly onDidChangeOutbox: () => void;
}

interface RangePick extends vscode.QuickPickItem {
  readonly pick: () => Promise<PreviewRange | undefined>;
}

const PHASE_TEXT: Readonly<Record<BuildPhase, string>> = {
  read: 'reading the local log…',
  filter: 'applying consent, exclusions and your changes…',
  redact: 'redacting on this device…',
  serialize: 'writing the bundle…',
  compress: 'compressing…',
};

/**
 * "Preview What Would Be Shared": picks what to include, builds the bundle off the extension host
 * thread (the bundle worker), reads it back from its own bytes (the view worker), and shows it in
 * the one preview panel. Also restores that panel after a reload.
 */
export class PreviewService extends Disposable {
  private session: PreviewSession | undefined;

  constructor(private readonly deps: PreviewServiceDeps) {
    super();
    this._register({ dispose: () => this.session?.dispose() });
  }

  /** The open preview, if any (the test hooks reach it through here). */
  get current(): PreviewSession | undefined {
    return this.session?.disposed === false ? this.session : undefined;
  }

  private get scripts(): { build: string; view: string } {
    const dist = path.join(this.deps.extensionUri.fsPath, 'dist');
    return { build: path.join(dist, 'bundleWorker.js'), view: path.join(dist, 'previewWorker.js') };
  }

  /** The command. `arg` (e.g. `{ range: 'all' }`) skips the QuickPick; anything malformed is ignored. */
  async preview(arg?: unknown): Promise<void> {
    const logDir = this.deps.source.logDir;
    if (logDir === undefined) {
      void vscode.window.showWarningMessage('Candor records per workspace: open a folder first.');
      return;
    }
    const receipt = this.deps.source.state.receipt;
    if (receipt === undefined) {
      void vscode.window.showInformationMessage('Nothing to preview: Candor has not recorded anything in this workspace (there is no consent to record here).');
      return;
    }
    const range = parsePreviewRange(arg) ?? (await this.pickRange());
    if (range === undefined) {
      return;
    }
    // Another window's log: its own seqs, its own approvals. Named by id, so only a log this
    // workspace's windows registered can be read.
    let other: OtherLog | undefined;
    if (range.log !== undefined && range.log !== logIdOf(logDir)) {
      other = await this.deps.others.find(range.log);
      if (other === undefined) {
        void vscode.window.showWarningMessage('That window’s log is no longer listed for this workspace (it was deleted). Nothing to preview from it.');
        return;
      }
    }
    // The policy in force now is applied again while building: a glob or category forbidden since
    // the events were recorded leaves them out. A team policy that cannot be read stops the
    // preview, as it stops recording: building without it would be wider than the team agreed.
    const prepared = await this.deps.source.loadPolicy();
    if (!prepared.ok) {
      void vscode.window.showErrorMessage(`Candor cannot build a preview: ${prepared.message}`);
      return;
    }
    // This window's buffer is flushed; another window's log is read as far as it is written (its
    // window flushes within a second; a half-written last line is left for the next preview).
    if (other === undefined) {
      await this.deps.source.sync();
    }
    const approved = range.includeApproved === true ? [] : await this.approved(other?.dir);
    const now = Date.now();
    const spec: BuildSpec = {
      label: await this.describe(range, other),
      selection: selectionOf(range, now, approved),
      receipt,
      createdAt: new Date(now).toISOString(),
      extensionVersion: this.deps.extensionVersion,
      // The manifest names the team policy when one is applied, else the consent text's version.
      policyVersion: prepared.team !== undefined ? prepared.policy.version : receipt.policyVersion,
      exclusions: [...this.deps.exclusions()],
      policy: prepared.policy,
      folders: currentFolders(),
      reviewerActions: [],
      ...(other === undefined ? {} : { log: other.dir }),
    };
    let loaded: LoadedBundle | undefined;
    try {
      loaded = await this.prepare(spec, 'Candor: Building the bundle to preview');
    } catch (err) {
      this.deps.logger.error(`Preview: building the bundle failed: ${describeError(err)}`);
      void vscode.window.showErrorMessage(`Candor could not build the preview. ${userMessage(err)}`);
      return;
    }
    if (loaded === undefined) {
      return; // cancelled
    }
    if (loaded.summary.events === 0) {
      loaded.view.dispose();
      const where = other === undefined ? '' : ` in ${other.label.replace(/^A/, 'a')}`;
      void vscode.window.showInformationMessage(
        spec.selection.exclude === undefined
          ? `Nothing to share: the selection holds no recorded events${where}.`
          : `Nothing to share: the selection holds no recorded events${where} that you have not already approved.`,
      );
      return;
    }
    await this.show(loaded, spec);
  }

  /** Restores a preview panel after a reload, from preview/current.candor or the outbox. */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const wanted = typeof state === 'object' && state !== null ? (state as { sha256?: unknown }).sha256 : undefined;
    const sha256 = isSha256(wanted) ? wanted : undefined;
    const session = new PreviewSession(panel, this.sessionDeps(), { closed: 'Reading the bundle back…' });
    this.replaceSession(session);
    try {
      const stored = await this.deps.store.load(sha256);
      if (stored !== undefined) {
        await session.replace(await this.load(stored.bytes, stored.sha256, stored.covered), stored.spec);
        return;
      }
      const approved = sha256 === undefined ? undefined : await this.deps.outbox.read(sha256);
      if (approved !== undefined && sha256 !== undefined) {
        await session.showApproved(await this.load(approved, sha256));
        return;
      }
      await session.close('This preview is no longer available. Run “Candor: Preview What Would Be Shared” again.');
    } catch (err) {
      this.deps.logger.error(`Preview: restoring the panel failed: ${describeError(err)}`);
      await session.close(`This preview could not be restored: ${userMessage(err)}`);
    }
  }

  /** Opens an approved bundle from the outbox (read-only). */
  async openApproved(sha256: unknown): Promise<void> {
    if (!isSha256(sha256)) {
      return;
    }
    const existing = this.current;
    if (existing !== undefined && existing.previewStatus === 'reviewing' && existing.sha256 !== undefined) {
      // One panel: opening another bundle would throw away the review in progress.
      existing.reveal();
      void vscode.window.showInformationMessage('Approve or discard the preview in progress first, then open the approved bundle.');
      return;
    }
    const bytes = await this.deps.outbox.read(sha256);
    if (bytes === undefined) {
      void vscode.window.showWarningMessage('That bundle is no longer in the outbox.');
      return;
    }
    const loaded = await this.load(bytes, sha256);
    if (existing !== undefined) {
      existing.reveal();
      await existing.showApproved(loaded);
      return;
    }
    const session = new PreviewSession(createPreviewPanel(this.deps.extensionUri), this.sessionDeps(), { closed: 'Reading the bundle back…' });
    this.replaceSession(session);
    await session.showApproved(loaded);
  }

  private async show(loaded: LoadedBundle, spec: BuildSpec): Promise<void> {
    const existing = this.current;
    if (existing !== undefined) {
      existing.reveal();
      await existing.replace(loaded, spec);
      return;
    }
    const session = new PreviewSession(createPreviewPanel(this.deps.extensionUri), this.sessionDeps(), { bundle: loaded, spec, status: 'reviewing' });
    this.replaceSession(session);
    await this.deps.store.save(loaded.bytes, loaded.sha256, spec, loaded.covered);
  }

  /**
   * The local data was deleted: a preview still under review was built from it, so it goes too
   * (approved bundles stay in the outbox, and a panel showing one stays open).
   */
  async onLocalDataDeleted(): Promise<void> {
    this.deps.index.reset();
    this.deps.others.reset();
    const current = this.current;
    if (current !== undefined && current.previewStatus === 'reviewing') {
      await current.close('The local data this preview was built from was deleted.');
    }
    await this.deps.store.clear();
  }

  /**
   * Seqs of this window's log (or of the other window's log in `dir`) already approved, read
   * afresh: another window may have approved some since. A damaged record is logged and read as
   * none (events offered again, never hidden).
   */
  private approved(dir?: string): Promise<SeqRange[]> {
    return this.ledgerOf(dir).approved((message) => this.deps.logger.warn(`Preview: ${message}`));
  }

  /** The approvals of this window's log, or of the other window's log in `dir`. */
  private ledgerOf(dir: string | undefined): ApprovalLedger {
    return dir === undefined ? this.deps.approvals : this.deps.others.ledger(dir);
  }

  private replaceSession(session: PreviewSession): void {
    if (this.session !== session) {
      this.session?.dispose();
    }
    this.session = session;
  }

  private sessionDeps(): ConstructorParameters<typeof PreviewSession>[1] {
    return {
      extensionUri: this.deps.extensionUri,
      logger: this.deps.logger,
      prompter: this.deps.prompter,
      outbox: this.deps.outbox,
      store: this.deps.store,
      prepare: (spec, title) => this.prepare(spec, title),
      ledgerFor: (spec) => this.ledgerOf(spec.log),
      onDidChangeOutbox: this.deps.onDidChangeOutbox,
    };
  }

  /**
   * Builds in the bundle worker and reads the result back in a view worker, under one cancellable
   * progress notification. Undefined when cancelled. Nothing heavy runs on this thread.
   */
  private async prepare(spec: BuildSpec, title: string): Promise<LoadedBundle | undefined> {
    const logDir = spec.log ?? this.deps.source.logDir;
    if (logDir === undefined) {
      throw new Error('No local log in this window.');
    }
    if (spec.log !== undefined && !(await this.deps.others.isListed(spec.log))) {
      throw new Error('The other window’s log this preview was built from is no longer listed for this workspace (it was deleted).');
    }
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let done = 0;
        const advance = (to: number, message: string): void => {
          if (to > done) {
            progress.report({ increment: to - done, message });
            done = to;
          }
        };
        try {
          // This machine's identity and the workspace roots: the engine redacts both wherever they
          // appear (read per build: cheap, and a changed git identity is picked up).
          const redaction = {
            identity: await loadMachineIdentity(),
            workspaceRoots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
          };
          const t0 = Date.now();
          // Started now, so that its start-up overlaps the build instead of following it.
          const view = new ViewClient(this.scripts.view);
          let built;
          try {
            built = await buildBundleInWorker(workerParams(logDir, spec, redaction), {
            workerScript: this.scripts.build,
            signal: abort.signal,
              onProgress: (p) => advance(Math.floor(p.fraction * 85), PHASE_TEXT[p.phase]),
            });
          } catch (err) {
            view.dispose();
            throw err;
          }
          if (built.skipped.length > 0 || built.damaged > 0) {
            this.deps.logger.warn(`Preview: ${built.skipped.length} log records were not valid events and ${built.damaged} damaged spans were skipped.`);
          }
          advance(85, 'reading the bundle back…');
          const t1 = Date.now();
          const loaded = await this.load(built.bytes, built.sha256, built.covered, view);
          this.deps.logger.info(
            `Preview: built ${built.manifest.counts.events} events (${built.bytes.length} bytes) in ${t1 - t0} ms off-thread; read back in ${Date.now() - t1} ms.`,
          );
          if (abort.signal.aborted) {
            loaded.view.dispose();
            return undefined;
          }
          return loaded;
        } catch (err) {
          if (BundleError.is(err, 'cancelled')) {
            return undefined;
          }
          throw err;
        } finally {
          sub.dispose();
        }
      }),
    );
  }

  /** Reads `bytes` back in a fresh view worker (or `view`, started earlier); refuses unless they hash to `sha256`. */
  private async load(bytes: Uint8Array, sha256: string, covered: readonly SeqRange[] = [], fresh?: ViewClient): Promise<LoadedBundle> {
    const view = fresh ?? new ViewClient(this.scripts.view);
    if (sha256Of(bytes) !== sha256) {
      view.dispose();
      throw new BundleError('hash-mismatch', 'the bundle bytes do not hash to the SHA-256 they were built with');
    }
    try {
      // The worker gets its own copy (transferred): the bytes kept here are never detached. Not
      // `slice()`: on a Buffer that is a view, and its `.buffer` may be a shared pool slab.
      const copy = new Uint8Array(bytes);
      const { summary, manifest } = await view.request('load', { bytes: copy.buffer, expectedSha256: sha256 }, [copy.buffer]);
      return { bytes, sha256, summary, manifest, view, covered };
    } catch (err) {
      view.dispose();
      throw err;
    }
  }

  /**
   * The QuickPick opens at once; the counts of events not yet approved fill in when the log index
   * has caught up (it reads only what was appended since it last looked).
   */
  private async pickRange(): Promise<PreviewRange | undefined> {
    const now = Date.now();
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const everything = (n?: number): RangePick => ({
      label: `$(history) Everything not yet approved${n === undefined ? '' : ` (${n.toLocaleString()} event${n === 1 ? '' : 's'})`}`,
      detail: 'Every event in this window’s local log that is in no bundle you approved (other windows’ logs are listed below)',
      pick: () => Promise.resolve({ range: 'all' }),
    });
    const rest: RangePick[] = [
      { label: '$(clock) The last hour', description: 'not yet approved', pick: () => Promise.resolve({ range: 'time', from: now - 3_600_000, to: now }) },
      { label: '$(calendar) Today', description: 'not yet approved', pick: () => Promise.resolve({ range: 'time', from: midnight.getTime(), to: now }) },
      { label: '$(record) One recording session…', pick: () => this.pickSession() },
    ];
    const qp = vscode.window.createQuickPick<RangePick>();
    qp.title = 'Candor: Preview What Would Be Shared';
    qp.placeholder = 'What should the bundle hold?';
    qp.items = [everything(), ...rest];
    qp.busy = true;
    const subscriptions: vscode.Disposable[] = [];
    const chosen = new Promise<RangePick | undefined>((resolve) => {
      qp.onDidAccept(
        () => {
          resolve(qp.selectedItems[0]);
          qp.hide();
        },
        undefined,
        subscriptions,
      );
      qp.onDidHide(() => resolve(undefined), undefined, subscriptions);
    });
    qp.show();
    let closed = false;
    void this.counts()
      .then(({ unapproved, approved, others }) => {
        if (closed) {
          return;
        }
        const items = [everything(unapproved), ...rest];
        // Each other window of this workspace writes its own log: offered here, one choice each.
        for (const o of others.filter((x) => x.unapproved > 0)) {
          items.push({
            label: `$(multiple-windows) ${o.label}: ${o.unapproved.toLocaleString()} event${o.unapproved === 1 ? '' : 's'} not yet approved`,
            detail: 'Recorded in another window of this workspace, which keeps its own log',
            pick: () => Promise.resolve({ range: 'all', log: o.id }),
          });
        }
        if (approved > 0) {
          items.push({
            label: '$(archive) Everything, including what you already approved',
            description: `${approved.toLocaleString()} approved event${approved === 1 ? '' : 's'}`,
            detail: 'Builds a bundle again from events that are already in an approved bundle',
            pick: () => Promise.resolve({ range: 'all', includeApproved: true }),
          });
        }
        // Same order as before: keep the row the developer moved to.
        const active = qp.activeItems[0] === undefined ? 0 : qp.items.indexOf(qp.activeItems[0]);
        qp.items = items;
        qp.activeItems = [items[Math.max(0, active)]];
      })
      .catch((err: unknown) => this.deps.logger.warn(`Preview: could not count the local log: ${describeError(err)}`))
      .finally(() => {
        if (!closed) {
          qp.busy = false;
        }
      });
    try {
      const pick = await chosen;
      closed = true;
      return await pick?.pick();
    } finally {
      closed = true;
      vscode.Disposable.from(...subscriptions, qp).dispose();
    }
  }

  /** Events of this window's log not yet approved, and approved; and the other windows' logs. */
  private async counts(): Promise<{ unapproved: number; approved: number; others: OtherLog[] }> {
    await this.deps.source.sync();
    const [summary, approved, others] = await Promise.all([
      this.deps.index.read(),
      this.approved(),
      this.deps.others.list().catch((err: unknown) => {
        this.deps.logger.warn(`Preview: could not read the other windows’ logs: ${describeError(err)}`);
        return [];
      }),
    ]);
    const unapproved = unapprovedCount(summary, approved);
    return { unapproved, approved: summary.events - unapproved, others };
  }

  private async pickSession(): Promise<PreviewRange | undefined> {
    const [summary, approved] = await Promise.all([this.deps.index.read(), this.approved()]);
    const sessions = [...summary.sessions].reverse();
    if (sessions.length === 0) {
      void vscode.window.showInformationMessage('The local log holds no recording session.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      sessions.map((s) => ({
        label: describeSpan(s.firstTs, s.lastTs),
        description: describeSessionCounts(s, approved),
        sessionId: s.sessionId,
      })),
      { title: 'Candor: Preview one recording session', placeHolder: 'Newest first; events you already approved are left out' },
    );
    return pick === undefined ? undefined : { range: 'session', sessionId: pick.sessionId };
  }

  private async describe(range: PreviewRange, other?: OtherLog): Promise<string> {
    const suffix = range.includeApproved === true ? ', including approved events' : '';
    const prefix = other === undefined ? '' : `${other.label}: `;
    switch (range.range) {
      case 'all':
        return `${prefix}${range.includeApproved === true ? 'Everything in the local log, including approved events' : 'Everything not yet approved'}`;
      case 'time':
        return `${prefix}${describeSpan(range.from, range.to)}${suffix}`;
      case 'session': {
        const sessions = other?.summary.sessions ?? (await this.deps.index.read()).sessions;
        const s = sessions.find((x) => x.sessionId === range.sessionId);
        return `${prefix}${s === undefined ? 'One recording session' : `Session ${describeSpan(s.firstTs, s.lastTs)}`}${suffix}`;
      }
    }
  }
}

/** `1,234 events · 200 approved` (`· recording` while it is). */
export function describeSessionCounts(s: LogSession, approved: readonly SeqRange[]): string {
  const left = unapprovedCount(s, approved);
  const done = s.events - left;
  const parts = [`${s.events.toLocaleString()} events`];
  if (done > 0) {
    parts.push(left === 0 ? 'all approved' : `${done.toLocaleString()} approved`);
  }
  if (!s.ended) {
    parts.push('recording');
  }
  return parts.join(' · ');
}

/** `30 Nov 2025, 14:02 – 14:35` (the second date only when it differs). */
export function describeSpan(from: number, to: number): string {
  const a = new Date(from);
  const b = new Date(to);
  const date = (d: Date): string => d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  const time = (d: Date): string => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date(a) === date(b) ? `${date(a)}, ${time(a)} – ${time(b)}` : `${date(a)}, ${time(a)} – ${date(b)}, ${time(b)}`;
}
