/**
 * src/preview/ is what a preview shows, as data, without VS Code: which events a preview is built
 * from (buildSpec, the log index in logSessions, what was already approved in approvals, other
 * windows' logs), what the panel displays (this file, rows, timeline, the preview protocol shared
 * with the webview) and the view worker that holds a read-back bundle off the extension host
 * thread. src/ui/preview/ draws it; src/upload/ takes an approved bundle from there.
 *
 * What the preview panel shows, computed from a bundle's own bytes (`readBundle`): the summary,
 * timeline rows, event bodies, search, and per-document versions and diffs replayed from the
 * bundle's events. Never from the live log: the preview must show exactly what would leave.
 *
 * Pure (no VS Code). Reading and indexing 100k events takes about a second, so the extension runs
 * this in the preview's view worker (viewWorker.ts), never on the extension host thread.
 */
import { diffLines } from 'diff';
import { readBundle } from '../bundle/format';
import type { BundleManifest } from '../bundle/types';
import type { CandorEvent, LoggedEvent } from '../model/events';
import { Replayer } from '../replay/replayer';
import type { PreviewDiffPart, PreviewRow, PreviewSummary, PreviewVersion } from './protocol';
import { FileCodes, ROW_TYPES, toRow } from './rows';

/** Texts larger than this are not diffed (a line diff of two 4 MB texts can take seconds). */
const MAX_DIFF_CHARS = 4 * 1024 * 1024;
/** A diff that has not converged by then gives up rather than hold the worker. */
const DIFF_TIMEOUT_MS = 2000;
/** Search results beyond this many are cut (the webview shows that it was cut). */
export const MAX_SEARCH_RESULTS = 100_000;

export class PreviewViewError extends Error {
  override readonly name = 'PreviewViewError';
  readonly isPreviewViewError = true;

  static is(err: unknown): err is PreviewViewError {
    return typeof err === 'object' && err !== null && (err as Partial<PreviewViewError>).isPreviewViewError === true;
  }
}

/** Every string an event carries (paths, texts, commands…), for search. */
function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) {
      strings(v, out);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) {
      strings(v, out);
    }
  }
}

/** A replayer positioned somewhere in the events, reused while scrubbing forward through one file. */
interface Scrubber {
  readonly replayer: Replayer;
  /** Index of the next event to apply. */
  next: number;
}

export class BundleView {
  readonly summary: PreviewSummary;
  /** Row file codes: every file an event names is in the manifest, so codes never change. */
  private readonly fileCodes: FileCodes;
  /** Lower-cased searchable text per event, built on the first search. */
  private haystack: string[] | undefined;
  private readonly versionCache = new Map<string, PreviewVersion[]>();
  private scrubber: Scrubber | undefined;
  /** The two most recent version texts (a diff needs two; scrubbing asks for one at a time). */
  private readonly textCache = new Map<string, string>();

  private constructor(
    readonly manifest: BundleManifest,
    private readonly events: readonly LoggedEvent[],
    meta: { sha256: string; id: string; sizeBytes: number; contentBytes: number },
  ) {
    const files = new FileCodes(manifest.files.map((f) => f.f));
    // Rows are made when asked for, a chunk at a time: the first screen does not wait for 100k labels.
    this.fileCodes = files;
    const counts = new Map(manifest.files.map((f) => [f.f, f.events]));
    this.summary = {
      ...meta,
      createdAt: manifest.createdAt,
      extensionVersion: manifest.extensionVersion,
      policyVersion: manifest.policyVersion,
      events: manifest.counts.events,
      types: ROW_TYPES,
      byType: Object.entries(manifest.counts.byType).map(([type, count]) => ({ type, count: count ?? 0 })),
      files: files.paths.map((path) => ({ path, events: counts.get(path) ?? 0 })),
      ...(manifest.range === undefined ? {} : { range: { firstTs: manifest.range.firstTs, lastTs: manifest.range.lastTs } }),
      consent: {
        categories: [...manifest.consent.categories],
        grantedAt: manifest.consent.grantedAt,
        policyVersion: manifest.consent.policyVersion,
        extensionVersion: manifest.consent.extensionVersion,
      },
      redaction: {
        engine: manifest.redaction.engine,
        eventsChanged: manifest.redaction.eventsChanged,
        findings: manifest.redaction.findings.map((f) => ({ rule: f.rule, kind: f.kind, values: f.values, occurrences: f.occurrences })),
      },
      exclusions: {
        patterns: manifest.exclusions.patterns.length,
        events: manifest.exclusions.events,
        outsideConsent: manifest.exclusions.outsideConsent,
        ...(manifest.exclusions.policy === undefined
          ? {}
          : {
              policy: {
                version: manifest.exclusions.policy.version,
                events: manifest.exclusions.policy.events,
                outsideCategories: manifest.exclusions.policy.outsideCategories,
              },
            }),
      },
      reviewerActions: manifest.reviewerActions.map((a) => ({ action: a.action, detail: a.detail, at: a.at, removed: a.removed })),
    };
  }

  /**
   * Reads and checks `bytes` completely (`readBundle`: header, hashes, schema, figures). Throws
   * `BundleError` when the file is not a valid bundle or its hash is not `expectedSha256`.
   */
  static async load(bytes: Uint8Array, expectedSha256?: string): Promise<BundleView> {
    const read = await readBundle(bytes, expectedSha256 === undefined ? {} : { expectedSha256 });
    return new BundleView(read.manifest, read.events, { sha256: read.sha256, id: read.id, sizeBytes: bytes.length, contentBytes: read.contentBytes });
  }

  get total(): number {
    return this.events.length;
  }

  rows(offset: number, count: number): PreviewRow[] {
    const start = Math.max(0, offset);
    const end = Math.min(this.events.length, start + Math.max(0, count));
    const out: PreviewRow[] = [];
    for (let k = start; k < end; k++) {
      out.push(toRow(this.events[k], this.fileCodes));
    }
    return out;
  }

  /** The event with `seq` as pretty JSON (what the bundle holds for it), or undefined. */
  body(seq: number): string | undefined {
    const k = this.indexOfSeq(seq);
    if (k === undefined) {
      return undefined;
    }
    const e = this.events[k];
    return JSON.stringify({ seq: e.seq, ...e.event }, null, 2);
  }

  /** Seqs of the events holding `query` (case-insensitive) in any of their strings, in order. */
  search(query: string): number[] {
    const needle = query.toLowerCase();
    if (needle === '') {
      return [];
    }
    this.haystack ??= this.events.map((e) => {
      const parts: string[] = [];
      strings(e.event, parts);
      // NUL between fields: a match never spans two fields.
      return parts.join('\u0000').toLowerCase();
    });
    const out: number[] = [];
    for (let k = 0; k < this.haystack.length && out.length < MAX_SEARCH_RESULTS; k++) {
      if (this.haystack[k].includes(needle)) {
        out.push(this.events[k].seq);
      }
    }
    return out;
  }

  /** Every version of `file` replay establishes from the bundle: `[v, seq, ts]`, in order. */
  versions(file: string): PreviewVersion[] {
    const cached = this.versionCache.get(file);
    if (cached !== undefined) {
      return cached;
    }
    const out: PreviewVersion[] = [];
    const replayer = new Replayer({
      onVersion: (f, v, seq) => {
        if (f === file) {
          out.push([v, seq, this.tsOf(seq)]);
        }
      },
    });
    for (const e of this.events) {
      replayer.apply(e);
    }
    this.versionCache.set(file, out);
    return out;
  }

  /** The text of `file` at its `index`-th version (0-based, as `versions` lists them). */
  versionText(file: string, index: number): string {
    const key = `${index}\u0000${file}`;
    const cached = this.textCache.get(key);
    if (cached !== undefined) {
      return cached;
    }
    const version = this.versions(file)[index];
    if (version === undefined) {
      throw new PreviewViewError(`${file} has no version #${index + 1} in this bundle`);
    }
    const target = this.indexOfSeq(version[1]);
    if (target === undefined) {
      throw new PreviewViewError(`no event with seq ${version[1]}`);
    }
    // Scrubbing mostly moves forward: continue the last replay instead of starting over.
    let s = this.scrubber;
    if (s === undefined || s.next > target + 1) {
      s = { replayer: new Replayer(), next: 0 };
      this.scrubber = s;
    }
    for (; s.next <= target; s.next++) {
      s.replayer.apply(this.events[s.next]);
    }
    const doc = s.replayer.document(file);
    if (doc === undefined) {
      throw new PreviewViewError(`${file} has no text at seq ${version[1]}`);
    }
    this.textCache.set(key, doc.text);
    while (this.textCache.size > 2) {
      this.textCache.delete(this.textCache.keys().next().value!);
    }
    return doc.text;
  }

  /** A line diff of `file` between its versions `from` and `to` (0-based indices). */
  diff(file: string, from: number, to: number): PreviewDiffPart[] {
    const a = this.versionText(file, from);
    const b = this.versionText(file, to);
    if (a.length + b.length > MAX_DIFF_CHARS) {
      throw new PreviewViewError(`these versions are too large to diff here (${a.length + b.length} characters)`);
    }
    const changes = diffLines(a, b, { timeout: DIFF_TIMEOUT_MS });
    if (changes === undefined) {
      throw new PreviewViewError('the diff took too long and was abandoned');
    }
    return changes.map((c): PreviewDiffPart => [c.added ? 1 : c.removed ? -1 : 0, c.value]);
  }

  /** The event at `seq`, or undefined. */
  event(seq: number): CandorEvent | undefined {
    const k = this.indexOfSeq(seq);
    return k === undefined ? undefined : this.events[k].event;
  }

  private tsOf(seq: number): number {
    const k = this.indexOfSeq(seq);
    return k === undefined ? 0 : this.events[k].event.ts;
  }

  /** Binary search: bundle events are in increasing seq order (readBundle checks it). */
  private indexOfSeq(seq: number): number | undefined {
    let lo = 0;
    let hi = this.events.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.events[mid].seq;
      if (s === seq) {
        return mid;
      }
      if (s < seq) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return undefined;
  }
}
