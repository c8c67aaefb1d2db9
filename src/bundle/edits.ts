/**
 * Removing events from a bundle's input without breaking replay.
 *
 * An edit is only meaningful on top of every earlier edit of its document, and a checkpoint only
 * on top of all of them. So removing an edit (or a snapshot, or a rename) that replay would have
 * applied makes the document "tainted": its later edits and checkpoints are removed too, up to
 * its next snapshot, which restates the whole text. Re-deriving a synthetic snapshot instead
 * would be worse: the text after the removed edit still contains what the edit inserted, which is
 * usually the very thing the reviewer wanted gone. To hide a text while keeping the history,
 * the reviewer uses redact-everywhere.
 */
import type { ConsentReceipt } from '../consent/consentMachine';
import type { LoggedEvent } from '../model/events';
import { manualPlaceholder } from '../privacy/redact/placeholders';
import { ExclusionMatcher } from '../privacy/policy/exclusion';
import { BundleError } from './errors';
import { filesOf } from './manifest';
import type { ManifestReviewerAction, ReviewerAction } from './types';
import { isSafeRelativePath } from '../model/paths';
import { eventCategory, isIsoTime } from './validate';

export interface RemovalResult {
  readonly kept: LoggedEvent[];
  /** Events removed: the chosen ones plus those removed to keep replay consistent. */
  readonly removed: number;
}

/**
 * Removes the events `chosen` selects and, after each removed edit, snapshot or rename that
 * replay would have applied, the later edits and checkpoints of the affected document until its
 * next snapshot (see the file comment). Mirrors src/replay/replayer.ts's rules: a snapshot is
 * authoritative, an edit with `v <=` the document's version is already covered, rename moves the
 * document, delete forgets it.
 */
export function removeEvents(events: readonly LoggedEvent[], chosen: (e: LoggedEvent) => boolean): RemovalResult {
  /** Version of each document that has text in the kept stream. */
  const version = new Map<string, number>();
  /** Documents whose kept state no longer matches what their later events expect. */
  const tainted = new Set<string>();
  /** Kept edits of documents without text yet: a later snapshot normally covers them. */
  const pending = new Map<string, number[]>();
  const keep: boolean[] = new Array<boolean>(events.length).fill(true);

  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    const ev = e.event;
    if (chosen(e)) {
      keep[k] = false;
      if (ev.t === 'edit' && version.has(ev.f) && ev.v > version.get(ev.f)!) {
        tainted.add(ev.f);
      } else if (ev.t === 'snap') {
        // The edits waiting for this snapshot would now wait forever: remove them with it.
        for (const j of pending.get(ev.f) ?? []) {
          keep[j] = false;
        }
        pending.delete(ev.f);
        tainted.add(ev.f);
      } else if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
        tainted.add(ev.to);
      } else if (ev.t === 'file' && ev.op === 'delete') {
        tainted.add(ev.f);
      }
      continue;
    }
    switch (ev.t) {
      case 'snap':
        tainted.delete(ev.f);
        pending.delete(ev.f);
        version.set(ev.f, ev.v);
        break;
      case 'edit':
        if (tainted.has(ev.f)) {
          keep[k] = false;
        } else if (!version.has(ev.f)) {
          const run = pending.get(ev.f);
          if (run === undefined) {
            pending.set(ev.f, [k]);
          } else {
            run.push(k);
          }
        } else if (ev.v > version.get(ev.f)!) {
          version.set(ev.f, ev.v);
        }
        break;
      case 'ckpt':
        if (tainted.has(ev.f)) {
          keep[k] = false;
        }
        break;
      case 'file':
        if (ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
          moveState(version, ev.f, ev.to);
          if (tainted.delete(ev.f)) {
            tainted.add(ev.to);
          } else {
            tainted.delete(ev.to);
          }
          pending.delete(ev.f);
        } else if (ev.op === 'delete') {
          version.delete(ev.f);
          tainted.delete(ev.f);
          pending.delete(ev.f);
        }
        break;
      default:
        break;
    }
  }
  const kept = events.filter((_, k) => keep[k]);
  return { kept, removed: events.length - kept.length };
}

function moveState<V>(map: Map<string, V>, from: string, to: string): void {
  const value = map.get(from);
  map.delete(from);
  if (value === undefined) {
    map.delete(to);
  } else {
    map.set(to, value);
  }
}

/**
 * Leaves out what the receipt does not cover: events of categories not granted, and terminal
 * output without `terminalOutput`. The recorder already obeys the consent in force; this matters
 * when consent was narrowed after recording (the receipt shipped must cover every byte).
 */
export function applyConsent(events: readonly LoggedEvent[], receipt: ConsentReceipt): { events: LoggedEvent[]; affected: number } {
  return applyCategories(events, receipt.categories);
}

/**
 * Leaves out events of categories not in `allowed`, and strips terminal output unless
 * `terminalOutput` is allowed. `affected` counts events removed or stripped. (The consent
 * receipt's categories, and at bundle time those of the policy in force.)
 */
export function applyCategories(events: readonly LoggedEvent[], allowed: readonly string[]): { events: LoggedEvent[]; affected: number } {
  const granted = new Set<string>(allowed);
  const keepOutput = granted.has('terminalOutput');
  const outside = (e: LoggedEvent): boolean => {
    const category = eventCategory(e.event);
    return category !== undefined && !granted.has(category);
  };
  // Through removeEvents: without `files`, a rename goes, and the edits that relied on it with it.
  // Usually the receipt covers everything recorded under it: then there is nothing to walk.
  const { kept, removed } = events.some(outside) ? removeEvents(events, outside) : { kept: events, removed: 0 };
  if (keepOutput || !kept.some((e) => e.event.t === 'term' && (e.event.out !== undefined || e.event.cut !== undefined))) {
    return { events: [...kept], affected: removed };
  }
  let affected = removed;
  const out = kept.map((e): LoggedEvent => {
    if (e.event.t === 'term' && !keepOutput && (e.event.out !== undefined || e.event.cut !== undefined)) {
      const { t, ts, cmd, cwd, exit, dur } = e.event;
      affected++;
      return { seq: e.seq, event: { t, ts, cmd, dur, ...(cwd === undefined ? {} : { cwd }), ...(exit === undefined ? {} : { exit }) } };
    }
    return e;
  });
  return { events: out, affected };
}

/** Leaves out every event naming a file the exclusion patterns match, and what depended on it. */
export function applyExclusions(events: readonly LoggedEvent[], patterns: readonly string[]): RemovalResult {
  if (patterns.length === 0) {
    return { kept: [...events], removed: 0 };
  }
  const matcher = new ExclusionMatcher(patterns);
  const cache = new Map<string, boolean>();
  const excluded = (f: string): boolean => {
    let hit = cache.get(f);
    if (hit === undefined) {
      hit = matcher.isExcluded(f);
      cache.set(f, hit);
    }
    return hit;
  };
  return removeEvents(events, (e) => filesOf(e.event).some(excluded));
}

/** The outcome of the reviewer's actions on the input events. */
export interface AppliedActions {
  readonly events: LoggedEvent[];
  /** Texts to redact everywhere, in order (placeholder `«manual:reviewer#n»` for the n-th). */
  readonly manual: string[];
  readonly records: ManifestReviewerAction[];
}

/** Applies the reviewer's actions in order. Throws `BundleError('bad-input')` on a malformed action. */
export function applyReviewerActions(events: readonly LoggedEvent[], actions: readonly ReviewerAction[]): AppliedActions {
  let current: LoggedEvent[] = [...events];
  const manual: string[] = [];
  const records: ManifestReviewerAction[] = [];
  actions.forEach((a, k) => {
    checkAction(a, k);
    switch (a.action) {
      case 'drop-event': {
        const wanted = new Set(a.seqs);
        const present = new Set(current.map((e) => e.seq));
        const missing = a.seqs.filter((s) => !present.has(s));
        if (missing.length > 0) {
          throw new BundleError('bad-input', `reviewer action #${k + 1}: no event with seq ${missing.slice(0, 5).join(', ')} in the bundle`);
        }
        const r = removeEvents(current, (e) => wanted.has(e.seq));
        current = r.kept;
        records.push({ action: a.action, detail: `seqs ${describeSeqs(a.seqs)}`, at: a.at, removed: r.removed });
        break;
      }
      case 'drop-file': {
        const r = removeEvents(current, (e) => filesOf(e.event).includes(a.file));
        current = r.kept;
        // The path is left out on purpose: hiding a file's name is a common reason to drop it.
        records.push({ action: a.action, detail: 'one file and its later history (path withheld)', at: a.at, removed: r.removed });
        break;
      }
      case 'drop-range': {
        const r = removeEvents(current, (e) => e.event.ts >= a.fromTs && e.event.ts <= a.toTs);
        current = r.kept;
        const detail = `${new Date(a.fromTs).toISOString()} to ${new Date(a.toTs).toISOString()}`;
        records.push({ action: a.action, detail, at: a.at, removed: r.removed });
        break;
      }
      case 'redact-everywhere':
        manual.push(a.text);
        records.push({ action: a.action, detail: manualPlaceholder(manual.length), at: a.at, removed: 0 });
        break;
    }
  });
  return { events: current, manual, records };
}

function checkAction(a: ReviewerAction, k: number): void {
  const fail = (what: string): never => {
    throw new BundleError('bad-input', `reviewer action #${k + 1} (${String(a.action)}): ${what}`);
  };
  if (!isIsoTime(a.at)) {
    fail(`'at' must be an ISO 8601 UTC time, got ${JSON.stringify(a.at)}`);
  }
  switch (a.action) {
    case 'drop-event':
      if (a.seqs.length === 0 || !a.seqs.every((s) => Number.isSafeInteger(s) && s >= 1)) {
        fail('seqs must be a non-empty list of positive integers');
      }
      return;
    case 'drop-file':
      if (!isSafeRelativePath(a.file)) {
        fail('file must be a workspace-relative path');
      }
      return;
    case 'drop-range':
      // 8.64e15 ms is the largest time a Date can hold (the detail prints both as ISO times).
      if (!Number.isSafeInteger(a.fromTs) || !Number.isSafeInteger(a.toTs) || a.fromTs < 0 || a.fromTs > a.toTs || a.toTs > 8.64e15) {
        fail('fromTs and toTs must be integer milliseconds with fromTs <= toTs');
      }
      return;
    case 'redact-everywhere':
      if (typeof a.text !== 'string' || a.text.length === 0) {
        fail('text must be a non-empty string');
      }
      return;
    default:
      fail('unknown action');
  }
}

/** `3, 7–9, 12`: sorted, runs collapsed, at most 20 items then a count. */
export function describeSeqs(seqs: readonly number[]): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) {
      j++;
    }
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.length > 20 ? `${runs.slice(0, 20).join(', ')} and ${runs.length - 20} more runs` : runs.join(', ');
}
