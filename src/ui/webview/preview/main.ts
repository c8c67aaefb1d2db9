/**
 * The bundle preview's script (runs in the webview; bundled to media/dist/preview.js). It shows
 * what the host sends and asks the host for the rest; it decides nothing. Approve only *asks*:
 * the host raises the native modal. Recorded text is rendered as text (dom.ts), never as HTML.
 *
 * The timeline is virtualized: rows arrive in chunks, are kept as compact tuples, filtered here
 * (a loop over 100k tuples takes a few ms) and only the visible ~40 are in the DOM.
 */
import type { PreviewFromWebview, PreviewInfo, PreviewRow, PreviewSummary } from '../../../preview/protocol';
import { parsePreviewHostMessage } from '../../../preview/protocol';
import type { TimelineFilter } from '../../../preview/timeline';
import { filterRows, formatBytes, isEmptyFilter, segmentPlaceholders, visibleWindow } from '../../../preview/timeline';
import { appendSegments, byId, el, formatDateTime, formatTime, fromLocalInput, setRedactedText } from './dom';
import type { Reply, Request, SavedState, Tab } from './host';
import { ReplayView } from './replay';
import { option, renderSummary } from './summary';

interface VsCodeApi {
  postMessage(message: PreviewFromWebview): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Fixed row height (px), mirrored in preview.css (.row). */
const ROW_HEIGHT = 22;

class PreviewApp {
  private readonly api = acquireVsCodeApi();
  private saved: SavedState = this.api.getState() ?? {};
  private summary: PreviewSummary | undefined;
  private info: PreviewInfo | undefined;
  private rows: PreviewRow[] = [];
  private loaded = 0;
  /** Indices into `rows` of the rows the filter keeps. */
  private view: number[] = [];
  private filter: TimelineFilter = {};
  /** Index into `view` of the active row. */
  private active = -1;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private searchId = 0;
  private searchSeqs: number[] = [];
  private busy = false;
  private redactText = '';
  private renderQueued = false;
  private restoredScroll = false;
  private bundleArrived = 0;
  private firstRowsMs: number | undefined;
  private detailTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly replay = new ReplayView({
    request: (message, onReply) => this.request(message, onReply),
    saved: () => this.saved,
    save: (patch) => this.saveState(patch),
    changed: () => this.updateButtons(),
  });

  start(): void {
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    this.wireHeader();
    this.wireTabs();
    this.wireTimeline();
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
        this.onRows(m.sha256, m.offset, m.total, m.rows);
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
    this.bundleArrived = performance.now();
    performance.mark('candor:bundle');
    this.firstRowsMs = undefined;
    this.summary = summary;
    this.info = info;
    this.rows = new Array<PreviewRow>(summary.events);
    this.loaded = 0;
    this.view = [];
    this.active = -1;
    this.restoredScroll = !sameBundle;
    this.searchSeqs = [];
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
    this.fillFilters(summary);
    this.replay.fill(summary);
    this.readFilter();
    this.updateButtons();
    this.renderTimeline();
    this.renderDetail(undefined);
    this.selectTab(this.saved.tab ?? 'summary', false);
    const search = byId<HTMLInputElement>('f-search');
    if (search.value.trim() !== '') {
      this.runSearch(search.value.trim());
    }
  }

  private onRows(sha256: string, offset: number, total: number, chunk: readonly PreviewRow[]): void {
    if (this.summary === undefined || sha256 !== this.summary.sha256 || offset !== this.loaded || offset + chunk.length > total) {
      return; // a chunk of an older bundle, or out of order: ignore it
    }
    for (let k = 0; k < chunk.length; k++) {
      this.rows[offset + k] = chunk[k]!;
    }
    this.loaded += chunk.length;
    // Filter only the new rows: the rows already filtered do not change.
    filterRows(this.rows, this.filter, offset, this.view, this.loaded);
    if (this.firstRowsMs === undefined) {
      this.renderTimeline();
      this.firstRowsMs = performance.now() - this.bundleArrived;
      document.body.dataset['firstRowsMs'] = this.firstRowsMs.toFixed(1);
      this.markPainted('candor:first-rows-painted', 'firstPaintMs', this.bundleArrived);
    } else {
      this.queueRender();
    }
    if (this.loaded === total) {
      document.body.dataset['rowsLoaded'] = String(total);
      document.body.dataset['allRowsMs'] = (performance.now() - this.bundleArrived).toFixed(1);
      performance.mark('candor:all-rows');
      this.restoreActive();
    }
  }

  /**
   * Performance marks for the bench (bench/preview.ts) and tests: `name` on the performance
   * timeline and `data-<key>` (ms since `since`) once the frame showing the change is painted.
   * A task queued from requestAnimationFrame runs after that frame's style, layout and paint.
   */
  private markPainted(name: string, key: string, since: number): void {
    requestAnimationFrame(() => {
      setTimeout(() => {
        performance.mark(name);
        document.body.dataset[key] = (performance.now() - since).toFixed(1);
      }, 0);
    });
  }

  private onClosed(message: string): void {
    this.summary = undefined;
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
    byId<HTMLButtonElement>('drop-event').disabled = !reviewing || this.activeRow() === undefined;
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
      const row = this.activeRow();
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
      this.renderTimeline();
    }
    if (tab === 'files' && this.replay.file === '' && this.summary !== undefined) {
      this.replay.pickFile();
    }
  }

  // ── timeline ──────────────────────────────────────────────────────────────────────────────

  private fillFilters(s: PreviewSummary): void {
    const type = byId<HTMLSelectElement>('f-type');
    const file = byId<HTMLSelectElement>('f-file');
    const keepType = type.value !== '' ? type.value : (this.saved.type ?? '');
    const keepFile = file.value !== '' ? file.value : (this.saved.file ?? '');
    type.replaceChildren(option('', `All types (${s.events.toLocaleString()})`));
    for (const t of s.byType) {
      type.append(option(String(s.types.indexOf(t.type)), `${t.type} (${t.count.toLocaleString()})`));
    }
    file.replaceChildren(option('', 'All files'));
    s.files.forEach((f, k) => file.append(option(String(k), f.path)));
    type.value = [...type.options].some((o) => o.value === keepType) ? keepType : '';
    file.value = [...file.options].some((o) => o.value === keepFile) ? keepFile : '';
    if (this.saved.from !== undefined) {
      byId<HTMLInputElement>('f-from').value = this.saved.from;
    }
    if (this.saved.to !== undefined) {
      byId<HTMLInputElement>('f-to').value = this.saved.to;
    }
  }

  private wireTimeline(): void {
    for (const id of ['f-type', 'f-file', 'f-from', 'f-to']) {
      byId(id).addEventListener('change', () => this.applyFilter());
    }
    const search = byId<HTMLInputElement>('f-search');
    search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.runSearch(search.value.trim());
      }
    });
    search.addEventListener('search', () => {
      if (search.value === '') {
        this.runSearch('');
      }
    });
    byId('f-clear').addEventListener('click', () => {
      byId<HTMLSelectElement>('f-type').value = '';
      byId<HTMLSelectElement>('f-file').value = '';
      byId<HTMLInputElement>('f-from').value = '';
      byId<HTMLInputElement>('f-to').value = '';
      search.value = '';
      this.runSearch('');
    });
    const grid = byId('timeline');
    grid.addEventListener('scroll', () => this.queueRender(), { passive: true });
    grid.addEventListener('keydown', (e) => this.onGridKey(e));
    grid.addEventListener('focus', () => {
      if (this.active < 0 && this.view.length > 0) {
        this.setActive(0, false);
      }
    });
    byId('timeline-canvas').addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
      const k = row?.dataset['k'];
      if (k !== undefined) {
        this.setActive(Number(k), true);
        grid.focus({ preventScroll: true });
      }
    });
    window.addEventListener('resize', () => this.queueRender());
  }

  private readFilter(): void {
    const type = byId<HTMLSelectElement>('f-type').value;
    const file = byId<HTMLSelectElement>('f-file').value;
    const from = fromLocalInput(byId<HTMLInputElement>('f-from').value);
    const to = fromLocalInput(byId<HTMLInputElement>('f-to').value);
    const query = byId<HTMLInputElement>('f-search').value.trim();
    this.filter = {
      ...(type === '' ? {} : { type: Number(type) }),
      ...(file === '' ? {} : { file: Number(file) }),
      ...(from === undefined ? {} : { fromTs: from }),
      // The input has whole seconds: include the whole last second.
      ...(to === undefined ? {} : { toTs: to + 999 }),
      ...(query === '' || this.searchId === 0 ? {} : { seqs: new Set(this.searchSeqs) }),
    };
  }

  private applyFilter(): void {
    const started = performance.now();
    const activeSeq = this.activeRow()?.[0];
    this.readFilter();
    this.view = filterRows(this.rows, this.filter, 0, [], this.loaded);
    document.body.dataset['filterOnlyMs'] = (performance.now() - started).toFixed(1);
    this.active = activeSeq === undefined ? -1 : this.view.findIndex((k) => this.rows[k][0] === activeSeq);
    if (this.active < 0) {
      this.renderDetail(undefined); // the event shown is no longer in the list
    }
    byId('timeline').scrollTop = this.active >= 0 ? Math.max(0, this.active * ROW_HEIGHT - 3 * ROW_HEIGHT) : 0;
    this.renderTimeline();
    document.body.dataset['filterMs'] = (performance.now() - started).toFixed(1);
    this.markPainted('candor:filter-painted', 'filterPaintMs', started);
    this.saveState({
      type: byId<HTMLSelectElement>('f-type').value,
      file: byId<HTMLSelectElement>('f-file').value,
      from: byId<HTMLInputElement>('f-from').value,
      to: byId<HTMLInputElement>('f-to').value,
    });
  }

  /** Text search runs on the host over the whole bundle; the matching seqs become a filter. */
  private runSearch(query: string): void {
    if (query === '') {
      this.searchId = 0;
      this.searchSeqs = [];
      this.applyFilter();
      return;
    }
    const found: number[] = [];
    byId('timeline-count').textContent = 'Searching…';
    this.searchId = this.request({ type: 'search', query }, (reply) => {
      if (reply.type === 'error') {
        this.setStatus(reply.message);
        return;
      }
      if (reply.type !== 'searchResult' || reply.id !== this.searchId) {
        return;
      }
      found.push(...reply.seqs);
      if (reply.done) {
        this.searchSeqs = found;
        this.applyFilter();
      }
    });
  }

  private queueRender(): void {
    if (!this.renderQueued) {
      this.renderQueued = true;
      requestAnimationFrame(() => {
        this.renderQueued = false;
        this.renderTimeline();
      });
    }
  }

  private renderTimeline(): void {
    const s = this.summary;
    const grid = byId('timeline');
    const canvas = byId('timeline-canvas');
    const count = byId('timeline-count');
    if (s === undefined) {
      canvas.replaceChildren();
      return;
    }
    const total = this.view.length;
    grid.setAttribute('aria-rowcount', String(total + 1));
    canvas.style.height = `${total * ROW_HEIGHT}px`;
    const loading = this.loaded < s.events ? ` (loading ${this.loaded.toLocaleString()} of ${s.events.toLocaleString()})` : '';
    const searching = this.filter.seqs !== undefined ? `, ${this.searchSeqs.length.toLocaleString()} match the search` : '';
    count.textContent = isEmptyFilter(this.filter)
      ? `${total.toLocaleString()} events${loading}`
      : `Showing ${total.toLocaleString()} of ${this.loaded.toLocaleString()} events${searching}${loading}`;
    if (byId('panel-timeline').hidden) {
      return;
    }
    const header = ROW_HEIGHT;
    const { first, last } = visibleWindow(total, Math.max(0, grid.scrollTop - header), grid.clientHeight, ROW_HEIGHT);
    const existing = new Map<number, HTMLElement>();
    for (const child of [...canvas.children] as HTMLElement[]) {
      const k = Number(child.dataset['k']);
      if (k >= first && k <= last && child.dataset['seq'] === String(this.rows[this.view[k] ?? -1]?.[0])) {
        existing.set(k, child);
      } else {
        child.remove();
      }
    }
    const activeId = this.active >= 0 ? `row-${this.rows[this.view[this.active]][0]}` : '';
    for (let k = first; k <= last; k++) {
      const row = this.rows[this.view[k]];
      let node = existing.get(k);
      if (node === undefined) {
        node = this.renderRow(row, k, s);
        canvas.append(node);
      }
      const isActive = k === this.active;
      node.classList.toggle('active', isActive);
      node.setAttribute('aria-selected', String(isActive));
    }
    if (activeId !== '' && document.getElementById(activeId) !== null) {
      grid.setAttribute('aria-activedescendant', activeId);
    } else {
      grid.removeAttribute('aria-activedescendant');
    }
    if (!this.restoredScroll && this.loaded === s.events) {
      this.restoredScroll = true;
      grid.scrollTop = this.saved.scrollTop ?? 0;
    } else if (this.restoredScroll) {
      this.saveScroll(grid.scrollTop);
    }
  }

  private saveScroll(top: number): void {
    if (top !== this.saved.scrollTop) {
      this.saveState({ scrollTop: top });
    }
  }

  private renderRow(row: PreviewRow, k: number, s: PreviewSummary): HTMLElement {
    const [seq, ts, type, file, label] = row;
    const node = el('div', { className: 'row', role: 'row', id: `row-${seq}` });
    node.dataset['k'] = String(k);
    node.dataset['seq'] = String(seq);
    node.setAttribute('aria-rowindex', String(k + 2));
    node.style.transform = `translateY(${k * ROW_HEIGHT}px)`;
    const typeName = s.types[type] ?? '?';
    const filePath = file >= 0 ? (s.files[file]?.path ?? '') : '';
    const what = el('span', { role: 'gridcell', className: 'what' });
    appendSegments(what, segmentPlaceholders(label));
    node.append(
      el('span', { role: 'gridcell', className: 'seq' }, String(seq)),
      el('span', { role: 'gridcell', className: 'time', title: formatDateTime(ts) }, formatTime(ts)),
      el('span', { role: 'gridcell', className: `type t-${typeName}` }, typeName),
      el('span', { role: 'gridcell', className: 'file', title: filePath }, filePath),
      what,
    );
    return node;
  }

  private onGridKey(e: KeyboardEvent): void {
    const total = this.view.length;
    if (total === 0) {
      return;
    }
    const page = Math.max(1, Math.floor(byId('timeline').clientHeight / ROW_HEIGHT) - 2);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(total - 1, this.active + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, this.active - 1);
        break;
      case 'PageDown':
        next = Math.min(total - 1, this.active + page);
        break;
      case 'PageUp':
        next = Math.max(0, this.active - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = total - 1;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.showDetail();
        return;
      default:
        return;
    }
    e.preventDefault();
    this.setActive(next, false);
  }

  private setActive(k: number, open: boolean): void {
    this.active = k;
    const grid = byId('timeline');
    const top = k * ROW_HEIGHT;
    const viewTop = grid.scrollTop;
    const viewBottom = viewTop + grid.clientHeight - 2 * ROW_HEIGHT;
    if (top < viewTop) {
      grid.scrollTop = top;
    } else if (top > viewBottom) {
      grid.scrollTop = top - grid.clientHeight + 2 * ROW_HEIGHT;
    }
    this.renderTimeline();
    const row = this.activeRow();
    this.saveState({ activeSeq: row?.[0] });
    this.updateButtons();
    // Follow the keyboard with a short delay, so holding an arrow key does not ask for every body.
    if (this.detailTimer !== undefined) {
      clearTimeout(this.detailTimer);
    }
    this.detailTimer = setTimeout(() => this.showDetail(), open ? 0 : 150);
  }

  private activeRow(): PreviewRow | undefined {
    const k = this.view[this.active];
    return k === undefined ? undefined : this.rows[k];
  }

  private restoreActive(): void {
    const seq = this.saved.activeSeq;
    if (seq !== undefined && this.active < 0) {
      const k = this.view.findIndex((i) => this.rows[i][0] === seq);
      if (k >= 0) {
        this.active = k;
        this.renderTimeline();
        this.showDetail();
      }
    }
  }

  private showDetail(): void {
    const row = this.activeRow();
    if (row === undefined) {
      this.renderDetail(undefined);
      return;
    }
    const seq = row[0];
    this.request({ type: 'body', seq }, (reply) => {
      if (reply.type === 'body' && this.activeRow()?.[0] === seq) {
        this.renderDetail(row, reply.text);
      } else if (reply.type === 'error') {
        this.setStatus(reply.message);
      }
    });
  }

  private renderDetail(row: PreviewRow | undefined, text?: string): void {
    const title = byId('detail-title');
    const body = byId('detail-body');
    if (row === undefined || this.summary === undefined) {
      title.textContent = 'Select an event (Enter)';
      body.replaceChildren();
      this.updateButtons();
      return;
    }
    const [seq, ts, type, file] = row;
    const path = file >= 0 ? (this.summary.files[file]?.path ?? '') : '';
    title.textContent = `#${seq} · ${this.summary.types[type] ?? '?'} · ${formatDateTime(ts)}${path !== '' ? ` · ${path}` : ''}`;
    setRedactedText(body, text ?? '');
    this.updateButtons();
  }
}

new PreviewApp().start();
