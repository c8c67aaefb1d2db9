/**
 * The manifest's derived figures (counts, files, ranges, sessions), computed one way for both the
 * writer and the reader: the reader recomputes them from the events and requires equality.
 */
import type { ConsentReceipt } from '../consent/consentMachine';
import type { CandorEvent, EventType, LoggedEvent } from '../model/events';
import { EVENT_TYPES } from '../model/events';
import { BundleError } from './errors';
import { canonicalJson } from './json';
import type { BundleManifest, ManifestFile } from './types';
import { eventCategory, shown } from './validate';

/** The part of the manifest that is a function of the events alone. */
export interface EventFigures {
  readonly source: BundleManifest['source'];
  readonly range?: BundleManifest['range'];
  readonly counts: BundleManifest['counts'];
  readonly files: readonly ManifestFile[];
}

/** The paths an event names: its `f`, and a rename's `to` when different. */
export function filesOf(e: CandorEvent): readonly string[] {
  const f = (e as { f?: unknown }).f;
  if (typeof f !== 'string') {
    return [];
  }
  return e.t === 'file' && e.op === 'rename' && e.to !== undefined && e.to !== f ? [f, e.to] : [f];
}

export function eventFigures(events: readonly LoggedEvent[]): EventFigures {
  const byType = new Map<EventType, number>();
  const files = new Map<string, number>();
  const sessions: string[] = [];
  const seenSessions = new Set<string>();
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  for (const { event } of events) {
    byType.set(event.t, (byType.get(event.t) ?? 0) + 1);
    // filesOf without its array: this loop runs per event.
    const f = (event as { f?: unknown }).f;
    if (typeof f === 'string') {
      files.set(f, (files.get(f) ?? 0) + 1);
      if (event.t === 'file' && event.op === 'rename' && event.to !== undefined && event.to !== f) {
        files.set(event.to, (files.get(event.to) ?? 0) + 1);
      }
    }
    if (event.t === 'session' && !seenSessions.has(event.sid)) {
      seenSessions.add(event.sid);
      sessions.push(event.sid);
    }
    // Not first/last by seq: a terminal command is logged at its end with the ts of its start.
    if (event.ts < firstTs) {
      firstTs = event.ts;
    }
    if (event.ts > lastTs) {
      lastTs = event.ts;
    }
  }
  const counts: Partial<Record<EventType, number>> = {};
  for (const t of EVENT_TYPES) {
    const n = byType.get(t);
    if (n !== undefined) {
      counts[t] = n;
    }
  }
  const first = events[0];
  const last = events[events.length - 1];
  return {
    source: first === undefined || last === undefined ? { sessions } : { sessions, firstSeq: first.seq, lastSeq: last.seq },
    ...(events.length > 0 ? { range: { firstTs, lastTs } } : {}),
    counts: { events: events.length, byType: counts },
    // Code-unit order, as canonical JSON sorts keys: the same in every language that compares strings by UTF-16.
    files: [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, n]) => ({ f, events: n })),
  };
}

/**
 * Checks that the manifest's derived figures are those of `events`, and that the receipt covers
 * every event's category. Throws `BundleError('counts' | 'no-consent')`.
 */
export function checkFigures(manifest: BundleManifest, events: readonly LoggedEvent[]): void {
  compareFigures(manifest, eventFigures(events));
  checkConsentScope(manifest.consent, events);
}

function compareFigures(manifest: BundleManifest, actual: EventFigures): void {
  const compare = (name: string, declared: unknown, real: unknown): void => {
    const a = canonicalJson(declared ?? null);
    const b = canonicalJson(real ?? null);
    if (a !== b) {
      throw new BundleError('counts', `manifest ${name} ${short(a)} does not match the events (${short(b)})`, { line: 1, path: `$.${name}` });
    }
  };
  compare('counts', manifest.counts, actual.counts);
  compare('files', manifest.files, actual.files);
  compare('range', manifest.range, actual.range);
  compare('source', manifest.source, actual.source);
}

/** Throws `BundleError('no-consent')` for the first event the receipt does not cover. */
export function checkConsentScope(receipt: ConsentReceipt, events: readonly LoggedEvent[], lineOffset = 2): void {
  const granted = new Set<string>(receipt.categories);
  for (let k = 0; k < events.length; k++) {
    const { seq, event } = events[k];
    const category = eventCategory(event);
    const outside =
      category !== undefined && !granted.has(category)
        ? category
        : event.t === 'term' && event.out !== undefined && !granted.has('terminalOutput')
          ? 'terminalOutput'
          : undefined;
    if (outside !== undefined) {
      throw new BundleError(
        'no-consent',
        `seq ${seq}: a '${event.t}' event needs the '${outside}' category, which the consent receipt does not grant`,
        { line: k + lineOffset },
      );
    }
  }
}

function short(json: string): string {
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

/**
 * `checkFigures` for a reader that sees the events one at a time and keeps none of them: the
 * running figures are kept against the manifest's own lists, so they never grow past the manifest
 * (an event naming a file or a session the manifest does not list is refused at once).
 */
export class FigureChecker {
  private readonly manifest: BundleManifest;
  private readonly declaredFiles: ReadonlyMap<string, number>;
  private readonly fileCounts = new Map<string, number>();
  private readonly byType = new Map<EventType, number>();
  private readonly seenSessions = new Set<string>();
  private readonly sessions: string[] = [];
  private readonly granted: ReadonlySet<string>;
  private events = 0;
  private firstSeq: number | undefined;
  private lastSeq: number | undefined;
  private firstTs = Number.POSITIVE_INFINITY;
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(manifest: BundleManifest) {
    this.manifest = manifest;
    this.declaredFiles = new Map(manifest.files.map((f) => [f.f, f.events]));
    this.granted = new Set<string>(manifest.consent.categories);
  }

  add(e: LoggedEvent, line: number): void {
    const { seq, event } = e;
    this.events++;
    this.firstSeq ??= seq;
    this.lastSeq = seq;
    this.byType.set(event.t, (this.byType.get(event.t) ?? 0) + 1);
    const f = (event as { f?: unknown }).f;
    if (typeof f === 'string') {
      this.countFile(f, line);
      if (event.t === 'file' && event.op === 'rename' && event.to !== undefined && event.to !== f) {
        this.countFile(event.to, line);
      }
    }
    if (event.t === 'session' && !this.seenSessions.has(event.sid)) {
      if (!this.manifest.source.sessions.includes(event.sid) || this.seenSessions.size >= this.manifest.source.sessions.length) {
        throw new BundleError('counts', `line ${line}: session "${shown(event.sid)}" is not in the manifest's source.sessions`, { line, path: '$.source.sessions' });
      }
      this.seenSessions.add(event.sid);
      this.sessions.push(event.sid);
    }
    if (event.ts < this.firstTs) {
      this.firstTs = event.ts;
    }
    if (event.ts > this.lastTs) {
      this.lastTs = event.ts;
    }
    const category = eventCategory(event);
    const outside =
      category !== undefined && !this.granted.has(category)
        ? category
        : event.t === 'term' && event.out !== undefined && !this.granted.has('terminalOutput')
          ? 'terminalOutput'
          : undefined;
    if (outside !== undefined) {
      throw new BundleError('no-consent', `seq ${seq}: a '${event.t}' event needs the '${outside}' category, which the consent receipt does not grant`, { line });
    }
  }

  /** After the last event: the figures must equal the manifest's. Throws `BundleError('counts')`. */
  finish(): void {
    const counts: Partial<Record<EventType, number>> = {};
    for (const t of EVENT_TYPES) {
      const n = this.byType.get(t);
      if (n !== undefined) {
        counts[t] = n;
      }
    }
    const files = [...this.fileCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, n]) => ({ f, events: n }));
    const actual: EventFigures = {
      source:
        this.firstSeq === undefined || this.lastSeq === undefined
          ? { sessions: this.sessions }
          : { sessions: this.sessions, firstSeq: this.firstSeq, lastSeq: this.lastSeq },
      ...(this.events > 0 ? { range: { firstTs: this.firstTs, lastTs: this.lastTs } } : {}),
      counts: { events: this.events, byType: counts },
      files,
    };
    compareFigures(this.manifest, actual);
  }

  private countFile(f: string, line: number): void {
    if (!this.declaredFiles.has(f)) {
      throw new BundleError('counts', `line ${line}: the event names a file the manifest's files do not list (${short(JSON.stringify(f))})`, { line, path: '$.files' });
    }
    this.fileCounts.set(f, (this.fileCounts.get(f) ?? 0) + 1);
  }
}
