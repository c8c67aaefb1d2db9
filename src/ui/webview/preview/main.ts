/**
 * The bundle preview's script (runs in the webview; bundled to media/dist/preview.js). It shows
 * what the host sends and asks the host for the rest; it decides nothing. Approve only *asks*:
 * the host raises the native modal. Recorded text is rendered as text (dom.ts), never as HTML.
 *
 * This file is the app: messages, the header's actions, tabs. Each tab's view is its own file:
 * summary.ts, timelineView.ts (the virtualized event list and the detail pane), replay.ts (Files).
 */
import type { PreviewFromWebview, PreviewInfo, PreviewSummary } from '../../../preview/protocol';
import { parsePreviewHostMessage } from '../../../preview/protocol';
import { formatBytes } from '../../../preview/timeline';
import { byId, fromLocalInput } from './dom';
import type { Host, Reply, Request, SavedState, Tab } from './host';
import { ReplayView } from './replay';
import { renderSummary } from './summary';
import { TimelineView } from './timelineView';

interface VsCodeApi {
  postMessage(message: PreviewFromWebview): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

class PreviewApp {
  private readonly api = acquireVsCodeApi();
  private saved: SavedState = this.api.getState() ?? {};
  private summary: PreviewSummary | undefined;
  private info: PreviewInfo | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private busy = false;
  private redactText = '';
  /** The app as its views see it. */
  private readonly host: Host = {
    request: (message, onReply) => this.request(message, onReply),
    saved: () => this.saved,
    save: (patch) => this.saveState(patch),
    changed: () => this.updateButtons(),
    status: (text) => this.setStatus(text),
  };
  private readonly timeline = new TimelineView(this.host);
  private readonly replay = new ReplayView(this.host);

  start(): void {
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    this.wireHeader();
    this.wireTabs();
    this.timeline.wire();
    this.replay.wire();
    document.addEventListener('selectionchange', () => this.onSelectionChange());
    this.selectTab(this.saved.tab ?? 'summary', false);
    this.post({ type: 'ready' });
  }

  // ── messages ──────────────────────────────────────────────────────────────────────────────

  private post(message: PreviewFromWebview): void {
    this.api.postMessage(message);
  }

  private request(message: Request, onReply: (reply: Reply) => void): number {
    const id = this.nextId++;
    this.waiting.set(id, onReply);
    this.post({ ...message, id });
    return id;
  }

  private onMessage(raw: unknown): void {
    const m = parsePreviewHostMessage(raw);
    if (m === undefined) {
      return;
    }
    switch (m.type) {
      case 'bundle':
        this.onBundle(m.summary, m.info);
        return;
      case 'rows':
        this.timeline.onRows(m.sha256, m.offset, m.total, m.rows);
        return;
      case 'status':
        this.busy = m.busy;
        this.setStatus(m.message);
        this.updateButtons();
        return;
      case 'closed':
        this.onClosed(m.message);
        return;
      default: {
        const handler = this.waiting.get(m.id);
        // Search results come in several chunks under one id.
        if (handler !== undefined && !(m.type === 'searchResult' && !m.done)) {
          this.waiting.delete(m.id);
        }
        handler?.(m);
      }
    }
  }

  private setStatus(text: string): void {
    byId('status').textContent = text;
  }

  private saveState(patch: Partial<SavedState>): void {
    this.saved = { ...this.saved, ...patch };
    this.api.setState(this.saved);
  }

  // ── bundle and rows ───────────────────────────────────────────────────────────────────────

  private onBundle(summary: PreviewSummary, info: PreviewInfo): void {
    const sameBundle = this.saved.sha256 === summary.sha256;
    this.timeline.reset(summary, sameBundle);
    this.summary = summary;
    this.info = info;
    if (!sameBundle) {
      this.saveState({ sha256: summary.sha256, activeSeq: undefined, scrollTop: 0 });
    }
    byId('app').setAttribute('aria-busy', 'false');
    byId('closed').hidden = true;
    document.querySelector('.tabs')?.removeAttribute('hidden');
    byId('sha256').textContent = summary.sha256;
    byId('size').textContent = `${formatBytes(summary.sizeBytes)} (${formatBytes(summary.contentBytes)} uncompressed)`;
    byId('event-count').textContent = summary.events.toLocaleString();
    byId('selection').textContent = info.selection;
    const badge = byId('status-badge');
    badge.hidden = info.status !== 'approved';
    badge.textContent = info.status === 'approved' ? 'Approved — in the outbox' : '';
    renderSummary(byId('panel-summary'), summary, info);
    this.timeline.fill(summary);
    this.replay.fill(summary);
    this.updateButtons();
    this.timeline.show();
    this.selectTab(this.saved.tab ?? 'summary', false);
    this.timeline.rerunSearch();
  }

  private onClosed(message: string): void {
    this.summary = undefined;
    this.timeline.close();
    byId('app').setAttribute('aria-busy', 'false');
    for (const id of ['panel-summary', 'panel-timeline', 'panel-files']) {
      byId(id).hidden = true;
    }
    document.querySelector('.tabs')?.setAttribute('hidden', '');
    byId('closed').hidden = false;
    byId('closed-message').textContent = message;
    this.updateButtons();
  }

  private updateButtons(): void {
    const reviewing = this.summary !== undefined && this.info?.status === 'reviewing' && !this.busy;
    byId<HTMLButtonElement>('approve').disabled = !reviewing;
    byId<HTMLButtonElement>('save').disabled = this.summary === undefined || this.busy;
    byId<HTMLButtonElement>('undo').disabled = !reviewing || this.info?.canUndo !== true;
    byId<HTMLButtonElement>('drop-range').disabled = !reviewing;
    byId<HTMLButtonElement>('drop-event').disabled = !reviewing || this.timeline.activeRow() === undefined;
    byId<HTMLButtonElement>('drop-file').disabled = !reviewing || this.replay.file === '';
    for (const id of ['redact-detail', 'redact-replay']) {
      byId<HTMLButtonElement>(id).disabled = !reviewing || this.redactText === '';
    }
  }

  // ── header actions ────────────────────────────────────────────────────────────────────────

  private wireHeader(): void {
    byId('approve').addEventListener('click', () => {
      if (this.summary !== undefined) {
        this.setStatus('Waiting for your answer in the dialog…');
        this.request({ type: 'approve', sha256: this.summary.sha256 }, (r) => this.onDone(r));
      }
    });
    byId('save').addEventListener('click', () => {
      if (this.summary !== undefined) {
        this.request({ type: 'save', sha256: this.summary.sha256 }, (r) => this.onDone(r));
      }
    });
    byId('undo').addEventListener('click', () => this.request({ type: 'undo' }, (r) => this.onDone(r)));
    byId('discard').addEventListener('click', () => this.request({ type: 'discard' }, (r) => this.onDone(r)));
    byId('drop-event').addEventListener('click', () => {
      const row = this.timeline.activeRow();
      if (row !== undefined) {
        this.request({ type: 'dropEvent', seqs: [row[0]] }, (r) => this.onDone(r));
      }
    });
    byId('drop-range').addEventListener('click', () => {
      const from = fromLocalInput(byId<HTMLInputElement>('f-from').value);
      const to = fromLocalInput(byId<HTMLInputElement>('f-to').value);
      if (from === undefined || to === undefined || from > to) {
        this.setStatus('Set From and To (From before To) to drop a time range.');
        return;
      }
      // The inputs have whole seconds: include the whole last second.
      this.request({ type: 'dropRange', fromTs: from, toTs: to + 999 }, (r) => this.onDone(r));
    });
    byId('drop-file').addEventListener('click', () => {
      if (this.replay.file !== '') {
        this.request({ type: 'dropFile', file: this.replay.file }, (r) => this.onDone(r));
      }
    });
    for (const id of ['redact-detail', 'redact-replay']) {
      byId(id).addEventListener('click', () => {
        const text = this.redactText;
        if (text !== '') {
          this.request({ type: 'redact', text }, (r) => this.onDone(r));
        }
      });
    }
  }

  private onDone(reply: Reply): void {
    if (reply.type === 'done' || reply.type === 'error') {
      this.setStatus(reply.message);
    }
  }

  private onSelectionChange(): void {
    const sel = document.getSelection();
    const inside = (id: string): boolean => sel !== null && sel.anchorNode !== null && byId(id).contains(sel.anchorNode);
    // Only text selected in the bundle's own content can be redacted.
    if (sel !== null && (inside('detail-body') || inside('r-text'))) {
      const text = sel.toString();
      if (text.trim() !== '') {
        this.redactText = text;
        const label = `Redact “${text.length > 24 ? `${text.slice(0, 23)}…` : text}” Everywhere`;
        byId('redact-detail').textContent = label;
        byId('redact-replay').textContent = label;
        this.updateButtons();
      }
    }
  }

  // ── tabs ──────────────────────────────────────────────────────────────────────────────────

  private wireTabs(): void {
    const order: Tab[] = ['summary', 'timeline', 'files'];
    for (const tab of order) {
      const button = byId(`tab-${tab}`);
      button.addEventListener('click', () => this.selectTab(tab, true));
      button.addEventListener('keydown', (e) => {
        const k = order.indexOf(tab);
        const next = e.key === 'ArrowRight' ? order[(k + 1) % 3] : e.key === 'ArrowLeft' ? order[(k + 2) % 3] : e.key === 'Home' ? order[0] : e.key === 'End' ? order[2] : undefined;
        if (next !== undefined) {
          e.preventDefault();
          this.selectTab(next, true);
          byId(`tab-${next}`).focus();
        }
      });
    }
  }

  private selectTab(tab: Tab, save: boolean): void {
    for (const t of ['summary', 'timeline', 'files'] as const) {
      const selected = t === tab;
      const button = byId(`tab-${t}`);
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      byId(`panel-${t}`).hidden = !selected || !byId('closed').hidden;
    }
    if (save) {
      this.saveState({ tab });
    }
    if (tab === 'timeline') {
      this.timeline.render();
    }
    if (tab === 'files' && this.replay.file === '' && this.summary !== undefined) {
      this.replay.pickFile();
    }
  }
}

new PreviewApp().start();
