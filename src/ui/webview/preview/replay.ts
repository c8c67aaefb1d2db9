/**
 * The Files tab: pick a file, scrub through its versions (replayed by the host from the bundle's
 * events) and diff any two. One request in flight at a time: while the slider moves, only the
 * latest position is asked for.
 */
import type { PreviewDiffPart, PreviewSummary, PreviewVersion } from '../../../preview/protocol';
import { segmentPlaceholders } from '../../../preview/timeline';
import { appendSegments, byId, el, formatDateTime, setRedactedText } from './dom';
import type { Host, Mode } from './host';
import { option } from './summary';

/** Unchanged diff runs longer than this are folded to their first and last lines. */
const DIFF_CONTEXT = 3;

export class ReplayView {
  private versions: readonly PreviewVersion[] = [];
  private replayFile = '';
  private replayShown = -1;
  private replayWanted = -1;
  private replayInFlight = false;

  constructor(private readonly host: Host) {}

  /** The file shown ('' for none). */
  get file(): string {
    return this.replayFile;
  }

  /** A new bundle: list its files, keeping the one shown if it is still there. */
  fill(s: PreviewSummary): void {
    const select = byId<HTMLSelectElement>('r-file');
    const keep = this.replayFile !== '' ? this.replayFile : (this.host.saved().replayFile ?? '');
    select.replaceChildren();
    for (const f of s.files) {
      select.append(option(f.path, `${f.path} (${f.events.toLocaleString()} events)`));
    }
    if (s.files.length === 0) {
      select.append(option('', 'No files in this bundle'));
    }
    this.replayFile = '';
    this.versions = [];
    this.replayShown = -1;
    select.value = s.files.some((f) => f.path === keep) ? keep : (s.files[0]?.path ?? '');
    if (!byId('panel-files').hidden) {
      this.pickFile();
    }
  }

  wire(): void {
    byId('r-file').addEventListener('change', () => {
      this.host.save({ replayIndex: undefined });
      this.pickFile();
    });
    const slider = byId<HTMLInputElement>('r-slider');
    slider.addEventListener('input', () => this.showVersion(Number(slider.value)));
    byId('r-prev').addEventListener('click', () => this.showVersion(Math.max(0, this.replayWanted - 1)));
    byId('r-next').addEventListener('click', () => this.showVersion(Math.min(this.versions.length - 1, this.replayWanted + 1)));
    for (const id of ['r-mode-text', 'r-mode-diff']) {
      byId(id).addEventListener('change', () => this.refreshReplay());
    }
    byId('r-base').addEventListener('change', () => this.refreshReplay());
    const { mode, base } = this.host.saved();
    byId<HTMLInputElement>(mode === 'diff' ? 'r-mode-diff' : 'r-mode-text').checked = true;
    if (base !== undefined) {
      byId<HTMLInputElement>('r-base').value = String(base + 1);
    }
  }

  /** Shows the file chosen in the list (when the tab opens, or the choice changes). */
  pickFile(): void {
    const file = byId<HTMLSelectElement>('r-file').value;
    this.replayFile = file;
    this.versions = [];
    this.replayShown = -1;
    this.host.changed();
    byId('r-text').replaceChildren();
    if (file === '') {
      byId('r-pos').textContent = '';
      return;
    }
    this.host.save({ replayFile: file });
    byId('r-pos').textContent = 'Replaying…';
    this.host.request({ type: 'versions', file }, (reply) => {
      if (reply.type === 'error') {
        byId('r-pos').textContent = reply.message;
        return;
      }
      if (reply.type !== 'versions' || reply.file !== this.replayFile) {
        return;
      }
      this.versions = reply.versions;
      const slider = byId<HTMLInputElement>('r-slider');
      slider.max = String(Math.max(0, reply.versions.length - 1));
      byId<HTMLInputElement>('r-base').max = String(Math.max(1, reply.versions.length));
      if (reply.versions.length === 0) {
        byId('r-pos').textContent = 'No text of this file is in the bundle (only events that name it).';
        return;
      }
      const saved = this.host.saved().replayIndex;
      const index = saved !== undefined && saved < reply.versions.length ? saved : reply.versions.length - 1;
      this.showVersion(index);
    });
  }

  private mode(): Mode {
    return byId<HTMLInputElement>('r-mode-diff').checked ? 'diff' : 'text';
  }

  private refreshReplay(): void {
    this.replayShown = -1;
    this.host.save({ mode: this.mode(), base: this.baseIndex() });
    if (this.replayWanted >= 0) {
      this.showVersion(this.replayWanted);
    }
  }

  /** The version the diff compares against (0-based), from the 1-based input. */
  private baseIndex(): number {
    const n = Number(byId<HTMLInputElement>('r-base').value);
    return Math.min(Math.max(0, Number.isFinite(n) ? Math.round(n) - 1 : 0), Math.max(0, this.versions.length - 1));
  }

  /** Asks for one version at a time: while a reply is pending, only the latest wish is kept. */
  private showVersion(index: number): void {
    if (this.versions.length === 0) {
      return;
    }
    this.replayWanted = index;
    byId<HTMLInputElement>('r-slider').value = String(index);
    const v = this.versions[index];
    byId('r-pos').textContent = `Version ${index + 1} of ${this.versions.length} · v${v[0]} · event #${v[1]} · ${formatDateTime(v[2])}`;
    this.host.save({ replayIndex: index });
    if (this.replayInFlight || index === this.replayShown) {
      return;
    }
    this.replayInFlight = true;
    const file = this.replayFile;
    const done = (): void => {
      this.replayInFlight = false;
      if (this.replayWanted !== this.replayShown && this.replayFile === file) {
        this.showVersion(this.replayWanted);
      }
    };
    if (this.mode() === 'diff') {
      const base = this.baseIndex();
      this.host.request({ type: 'diff', file, from: base, to: index }, (reply) => {
        if (reply.type === 'diff' && reply.file === this.replayFile) {
          this.replayShown = index;
          this.renderDiff(reply.parts, base, index);
        } else if (reply.type === 'error') {
          this.replayShown = index;
          byId('r-text').textContent = reply.message;
        }
        done();
      });
    } else {
      this.host.request({ type: 'versionText', file, index }, (reply) => {
        if (reply.type === 'versionText' && reply.file === this.replayFile) {
          this.replayShown = index;
          const pre = byId('r-text');
          pre.classList.remove('diff');
          pre.setAttribute('aria-label', `${file} at version ${index + 1}`);
          setRedactedText(pre, reply.text);
        } else if (reply.type === 'error') {
          this.replayShown = index;
          byId('r-text').textContent = reply.message;
        }
        done();
      });
    }
  }

  private renderDiff(parts: readonly PreviewDiffPart[], from: number, to: number): void {
    const pre = byId('r-text');
    pre.classList.add('diff');
    pre.setAttribute('aria-label', `Changes from version ${from + 1} to version ${to + 1}`);
    pre.replaceChildren();
    let added = 0;
    let removed = 0;
    for (const [op, text] of parts) {
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      if (op === 1) {
        added += lines.length;
      } else if (op === -1) {
        removed += lines.length;
      }
      const shown: (string | number)[] = op === 0 && lines.length > 2 * DIFF_CONTEXT + 1 ? [...lines.slice(0, DIFF_CONTEXT), lines.length - 2 * DIFF_CONTEXT, ...lines.slice(-DIFF_CONTEXT)] : lines;
      for (const line of shown) {
        if (typeof line === 'number') {
          pre.append(el('div', { className: 'line fold' }, `⋯ ${line} unchanged lines ⋯`));
          continue;
        }
        const node = el('div', { className: `line ${op === 1 ? 'add' : op === -1 ? 'del' : 'same'}` });
        node.append(el('span', { className: 'sign' }, op === 1 ? '+' : op === -1 ? '−' : ' '));
        appendSegments(node, segmentPlaceholders(line));
        pre.append(node);
      }
    }
    if (added === 0 && removed === 0) {
      pre.append(el('div', { className: 'line fold' }, 'No changes between these versions.'));
    }
    byId('r-pos').textContent += ` · diff from version ${from + 1}: +${added} −${removed} lines`;
  }
}
