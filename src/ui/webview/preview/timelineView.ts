/**
 * The Timeline tab: every event of the bundle as a row, filtered by type, file, time and a text
 * search (run by the host over the whole bundle), and the selected event's body in the detail
 * pane. Virtualized: rows arrive in chunks, are kept as compact tuples, filtered here (a loop over
 * 100k tuples takes a few ms) and only the visible ~40 are in the DOM.
 */
import type { PreviewRow, PreviewSummary } from '../../../preview/protocol';
import type { TimelineFilter } from '../../../preview/timeline';
import { filterRows, isEmptyFilter, segmentPlaceholders, visibleWindow } from '../../../preview/timeline';
import { appendSegments, byId, el, formatDateTime, formatTime, fromLocalInput, setRedactedText } from './dom';
import type { Host } from './host';
import { option } from './summary';

/** Fixed row height (px), mirrored in preview.css (.row). */
const ROW_HEIGHT = 22;

export class TimelineView {
  private summary: PreviewSummary | undefined;
  private rows: PreviewRow[] = [];
  private loaded = 0;
  /** Indices into `rows` of the rows the filter keeps. */
  private view: number[] = [];
  private filter: TimelineFilter = {};
  /** Index into `view` of the active row. */
  private active = -1;
  private searchId = 0;
  private searchSeqs: number[] = [];
  private renderQueued = false;
  private restoredScroll = false;
  private bundleArrived = 0;
  private firstRowsMs: number | undefined;
  private detailTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: Host) {}

  /** A new bundle arrived (`sameBundle`: the one the saved state is about): its rows follow. */
  reset(summary: PreviewSummary, sameBundle: boolean): void {
    this.bundleArrived = performance.now();
    performance.mark('candor:bundle');
    this.firstRowsMs = undefined;
    this.summary = summary;
    this.rows = new Array<PreviewRow>(summary.events);
    this.loaded = 0;
    this.view = [];
    this.active = -1;
    this.restoredScroll = !sameBundle;
    this.searchSeqs = [];
  }

  /** Fills the filters for the bundle, keeping what was chosen, and reads them. */
  fill(s: PreviewSummary): void {
    this.fillFilters(s);
    this.readFilter();
  }

  /** Shows the bundle's first state: no row active; a search left in the box runs again. */
  show(): void {
    this.render();
    this.renderDetail(undefined);
  }

  /** Runs the search left in the search box (after a reload), if any. */
  rerunSearch(): void {
    const search = byId<HTMLInputElement>('f-search');
    if (search.value.trim() !== '') {
      this.runSearch(search.value.trim());
    }
  }

  /** The bundle was closed: nothing is drawn any more. */
  close(): void {
    this.summary = undefined;
  }

  /** A chunk of rows from the host (in order; a chunk of another bundle is ignored). */
  onRows(sha256: string, offset: number, total: number, chunk: readonly PreviewRow[]): void {
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
      this.render();
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

  private fillFilters(s: PreviewSummary): void {
    const saved = this.host.saved();
    const type = byId<HTMLSelectElement>('f-type');
    const file = byId<HTMLSelectElement>('f-file');
    const keepType = type.value !== '' ? type.value : (saved.type ?? '');
    const keepFile = file.value !== '' ? file.value : (saved.file ?? '');
    type.replaceChildren(option('', `All types (${s.events.toLocaleString()})`));
    for (const t of s.byType) {
      type.append(option(String(s.types.indexOf(t.type)), `${t.type} (${t.count.toLocaleString()})`));
    }
    file.replaceChildren(option('', 'All files'));
    s.files.forEach((f, k) => file.append(option(String(k), f.path)));
    type.value = [...type.options].some((o) => o.value === keepType) ? keepType : '';
    file.value = [...file.options].some((o) => o.value === keepFile) ? keepFile : '';
    if (saved.from !== undefined) {
      byId<HTMLInputElement>('f-from').value = saved.from;
    }
    if (saved.to !== undefined) {
      byId<HTMLInputElement>('f-to').value = saved.to;
    }
  }

  wire(): void {
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
    this.render();
    document.body.dataset['filterMs'] = (performance.now() - started).toFixed(1);
    this.markPainted('candor:filter-painted', 'filterPaintMs', started);
    this.host.save({
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
    this.searchId = this.host.request({ type: 'search', query }, (reply) => {
      if (reply.type === 'error') {
        this.host.status(reply.message);
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
        this.render();
      });
    }
  }

  /** Draws the visible rows (and the count), if the tab is shown. */
  render(): void {
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
      grid.scrollTop = this.host.saved().scrollTop ?? 0;
    } else if (this.restoredScroll) {
      this.saveScroll(grid.scrollTop);
    }
  }

  private saveScroll(top: number): void {
    if (top !== this.host.saved().scrollTop) {
      this.host.save({ scrollTop: top });
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
    this.render();
    const row = this.activeRow();
    this.host.save({ activeSeq: row?.[0] });
    this.host.changed();
    // Follow the keyboard with a short delay, so holding an arrow key does not ask for every body.
    if (this.detailTimer !== undefined) {
      clearTimeout(this.detailTimer);
    }
    this.detailTimer = setTimeout(() => this.showDetail(), open ? 0 : 150);
  }

  /** The row selected in the list, if any. */
  activeRow(): PreviewRow | undefined {
    const k = this.view[this.active];
    return k === undefined ? undefined : this.rows[k];
  }

  private restoreActive(): void {
    const seq = this.host.saved().activeSeq;
    if (seq !== undefined && this.active < 0) {
      const k = this.view.findIndex((i) => this.rows[i][0] === seq);
      if (k >= 0) {
        this.active = k;
        this.render();
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
    this.host.request({ type: 'body', seq }, (reply) => {
      if (reply.type === 'body' && this.activeRow()?.[0] === seq) {
        this.renderDetail(row, reply.text);
      } else if (reply.type === 'error') {
        this.host.status(reply.message);
      }
    });
  }

  private renderDetail(row: PreviewRow | undefined, text?: string): void {
    const title = byId('detail-title');
    const body = byId('detail-body');
    if (row === undefined || this.summary === undefined) {
      title.textContent = 'Select an event (Enter)';
      body.replaceChildren();
      this.host.changed();
      return;
    }
    const [seq, ts, type, file] = row;
    const path = file >= 0 ? (this.summary.files[file]?.path ?? '') : '';
    title.textContent = `#${seq} · ${this.summary.types[type] ?? '?'} · ${formatDateTime(ts)}${path !== '' ? ` · ${path}` : ''}`;
    setRedactedText(body, text ?? '');
    this.host.changed();
  }
}
