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
import { eventCategory } from './validate';

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
  const actual = eventFigures(events);
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
  checkConsentScope(manifest.consent, events);
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
