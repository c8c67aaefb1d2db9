/**
 * Messages between the preview webview and the extension host, and the data shapes both sides
 * share (timeline rows, the summary). No Node or VS Code: the webview bundle imports this file.
 */
import { isSha256 } from '../util/sha256';
import { isCount, isRecord, isSeq, isText, isTs, MAX_TIME_MS } from '../util/guards';

// ── Bundle preview ────────────────────────────────────────────────────────────────────────────
//
// The preview panel shows a bundle the host built and read back from its own bytes. The host
// streams compact timeline rows in chunks (never the whole array in one message) and answers
// requests for one event's body, search, document versions and diffs. Requests carry an `id`;
// the reply names it. Both directions have a parser: the host parses what the webview sends
// (untrusted), the webview parses what the host sends (defence in depth, and it narrows types).

/**
 * One timeline row: `[seq, ts, type, file, label]`. `type` indexes `PreviewSummary.types`,
 * `file` indexes `PreviewSummary.files` (-1: the event names no file). A tuple, not an object:
 * 100k rows cross the webview boundary and keys would double their size. `label` is recorded
 * (redacted) content: the webview renders it as text only.
 */
export type PreviewRow = readonly [seq: number, ts: number, type: number, file: number, label: string];

export interface PreviewTypeCount {
  readonly type: string;
  readonly count: number;
}

export interface PreviewFile {
  /** Workspace-relative path as the bundle carries it (recorded content: render as text). */
  readonly path: string;
  readonly events: number;
}

/** One redaction rule's findings (the manifest's report). */
export interface PreviewFinding {
  readonly rule: string;
  readonly kind: string;
  readonly values: number;
  readonly occurrences: number;
}

/** A reviewer action as the manifest lists it. */
export interface PreviewAction {
  readonly action: string;
  readonly detail: string;
  readonly at: string;
  readonly removed: number;
}

/** What the bundle says about itself, read back from its bytes. */
export interface PreviewSummary {
  /** SHA-256 of the bundle file: what the developer approves. */
  readonly sha256: string;
  /** SHA-256 of the uncompressed content (the bundle id). */
  readonly id: string;
  readonly sizeBytes: number;
  readonly contentBytes: number;
  readonly createdAt: string;
  readonly extensionVersion: string;
  readonly policyVersion: string;
  readonly events: number;
  /** Row type codes → event type names. */
  readonly types: readonly string[];
  readonly byType: readonly PreviewTypeCount[];
  /** Row file codes → files. */
  readonly files: readonly PreviewFile[];
  readonly range?: { readonly firstTs: number; readonly lastTs: number };
  readonly consent: {
    readonly categories: readonly string[];
    readonly grantedAt: string;
    readonly policyVersion: string;
    readonly extensionVersion: string;
  };
  readonly redaction: { readonly engine: string; readonly eventsChanged: number; readonly findings: readonly PreviewFinding[] };
  readonly exclusions: {
    readonly patterns: number;
    readonly events: number;
    readonly outsideConsent: number;
    /** What the policy in force at build time left out (absent when none was applied). */
    readonly policy?: { readonly version: string; readonly events: number; readonly outsideCategories: number };
  };
  readonly reviewerActions: readonly PreviewAction[];
}

/** Where the bundle stands: still under review, or approved into the outbox (read-only). */
export type PreviewStatus = 'reviewing' | 'approved';

export interface PreviewInfo {
  /** What was selected from the log, in words ("All unshared events", "Session of …"). */
  readonly selection: string;
  /** Where approving sends the bundle, in words. */
  readonly destination: string;
  readonly status: PreviewStatus;
  /** True when the last reviewer action can be undone (a rebuild without it). */
  readonly canUndo: boolean;
}

/** `[version, seq, ts]` of one document version. */
export type PreviewVersion = readonly [v: number, seq: number, ts: number];

/** A diff part: -1 removed, 0 unchanged, 1 added; with its text (whole lines). */
export type PreviewDiffPart = readonly [op: -1 | 0 | 1, text: string];

export type PreviewToWebview =
  /** A (re)built bundle: the webview resets its rows and waits for `rows` with this sha256. */
  | { readonly type: 'bundle'; readonly summary: PreviewSummary; readonly info: PreviewInfo }
  /** Rows `offset … offset + rows.length - 1` of the bundle `sha256` (of `total`). */
  | { readonly type: 'rows'; readonly sha256: string; readonly offset: number; readonly total: number; readonly rows: readonly PreviewRow[] }
  /** The host is rebuilding or writing (`busy`) or done; `message` for the status line. */
  | { readonly type: 'status'; readonly busy: boolean; readonly message: string }
  /** Nothing to show (the preview was discarded or its bundle is gone). */
  | { readonly type: 'closed'; readonly message: string }
  | { readonly type: 'body'; readonly id: number; readonly seq: number; readonly text: string }
  /** Matching seqs, in chunks; the last chunk has `done`. */
  | { readonly type: 'searchResult'; readonly id: number; readonly seqs: readonly number[]; readonly done: boolean }
  | { readonly type: 'versions'; readonly id: number; readonly file: string; readonly versions: readonly PreviewVersion[] }
  | { readonly type: 'versionText'; readonly id: number; readonly file: string; readonly index: number; readonly text: string }
  | { readonly type: 'diff'; readonly id: number; readonly file: string; readonly from: number; readonly to: number; readonly parts: readonly PreviewDiffPart[] }
  /** The outcome of an action request (drop, redact, undo, approve, save, discard). */
  | { readonly type: 'done'; readonly id: number; readonly ok: boolean; readonly message: string }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

export type PreviewFromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'body'; readonly id: number; readonly seq: number }
  | { readonly type: 'search'; readonly id: number; readonly query: string }
  | { readonly type: 'versions'; readonly id: number; readonly file: string }
  | { readonly type: 'versionText'; readonly id: number; readonly file: string; readonly index: number }
  | { readonly type: 'diff'; readonly id: number; readonly file: string; readonly from: number; readonly to: number }
  | { readonly type: 'dropEvent'; readonly id: number; readonly seqs: readonly number[] }
  | { readonly type: 'dropFile'; readonly id: number; readonly file: string }
  | { readonly type: 'dropRange'; readonly id: number; readonly fromTs: number; readonly toTs: number }
  | { readonly type: 'redact'; readonly id: number; readonly text: string }
  | { readonly type: 'undo'; readonly id: number }
  /** Asks the host to approve the bundle whose hash the panel shows; the host raises the modal. */
  | { readonly type: 'approve'; readonly id: number; readonly sha256: string }
  | { readonly type: 'save'; readonly id: number; readonly sha256: string }
  | { readonly type: 'discard'; readonly id: number };

/** Bounds on what the webview may ask for; anything outside is malformed. */
export const PREVIEW_LIMITS = {
  maxPath: 4096,
  maxQuery: 1000,
  maxRedactText: 10_000,
  maxSeqs: 10_000,
  maxTs: MAX_TIME_MS,
} as const;

/** Narrows a message from the preview webview, or returns undefined for anything malformed. */
export function parsePreviewMessage(raw: unknown): PreviewFromWebview | undefined {
  if (!isRecord(raw)) {
    return undefined;
  }
  const type = raw['type'];
  if (type === 'ready') {
    return { type };
  }
  const id = raw['id'];
  if (!isCount(id)) {
    return undefined;
  }
  switch (type) {
    case 'undo':
    case 'discard':
      return { type, id };
    case 'body': {
      const seq = raw['seq'];
      return isSeq(seq) ? { type, id, seq } : undefined;
    }
    case 'search': {
      const query = raw['query'];
      return isText(query, PREVIEW_LIMITS.maxQuery, 1) ? { type, id, query } : undefined;
    }
    case 'versions':
    case 'dropFile': {
      const file = raw['file'];
      return isText(file, PREVIEW_LIMITS.maxPath, 1) ? { type, id, file } : undefined;
    }
    case 'versionText': {
      const file = raw['file'];
      const index = raw['index'];
      return isText(file, PREVIEW_LIMITS.maxPath, 1) && isCount(index) ? { type, id, file, index } : undefined;
    }
    case 'diff': {
      const file = raw['file'];
      const from = raw['from'];
      const to = raw['to'];
      return isText(file, PREVIEW_LIMITS.maxPath, 1) && isCount(from) && isCount(to) ? { type, id, file, from, to } : undefined;
    }
    case 'dropEvent': {
      const seqs = raw['seqs'];
      if (!Array.isArray(seqs) || seqs.length === 0 || seqs.length > PREVIEW_LIMITS.maxSeqs || !seqs.every(isSeq)) {
        return undefined;
      }
      return { type, id, seqs: [...(seqs)] };
    }
    case 'dropRange': {
      const fromTs = raw['fromTs'];
      const toTs = raw['toTs'];
      return isTs(fromTs) && isTs(toTs) && fromTs <= toTs ? { type, id, fromTs, toTs } : undefined;
    }
    case 'redact': {
      const text = raw['text'];
      // Whitespace-only text would "redact" indentation everywhere: never what anyone meant.
      return isText(text, PREVIEW_LIMITS.maxRedactText, 1) && text.trim() !== '' ? { type, id, text } : undefined;
    }
    case 'approve':
    case 'save': {
      const sha256 = raw['sha256'];
      return isSha256(sha256) ? { type, id, sha256 } : undefined;
    }
    default:
      return undefined;
  }
}

function isRow(x: unknown): x is PreviewRow {
  return (
    Array.isArray(x) &&
    x.length === 5 &&
    isSeq(x[0]) &&
    isTs(x[1]) &&
    isCount(x[2]) &&
    typeof x[3] === 'number' &&
    Number.isSafeInteger(x[3]) &&
    x[3] >= -1 &&
    typeof x[4] === 'string'
  );
}

function isVersion(x: unknown): x is PreviewVersion {
  return Array.isArray(x) && x.length === 3 && isCount(x[0]) && isSeq(x[1]) && isTs(x[2]);
}

function isDiffPart(x: unknown): x is PreviewDiffPart {
  return Array.isArray(x) && x.length === 2 && (x[0] === -1 || x[0] === 0 || x[0] === 1) && typeof x[1] === 'string';
}

function isSummary(x: unknown): x is PreviewSummary {
  if (!isRecord(x)) {
    return false;
  }
  const consent = x['consent'];
  const redaction = x['redaction'];
  const exclusions = x['exclusions'];
  const range = x['range'];
  return (
    isSha256(x['sha256']) &&
    isSha256(x['id']) &&
    isCount(x['sizeBytes']) &&
    isCount(x['contentBytes']) &&
    isCount(x['events']) &&
    typeof x['createdAt'] === 'string' &&
    typeof x['extensionVersion'] === 'string' &&
    typeof x['policyVersion'] === 'string' &&
    Array.isArray(x['types']) &&
    x['types'].every((t) => typeof t === 'string') &&
    Array.isArray(x['byType']) &&
    x['byType'].every((c) => isRecord(c) && typeof c['type'] === 'string' && isCount(c['count'])) &&
    Array.isArray(x['files']) &&
    x['files'].every((f) => isRecord(f) && typeof f['path'] === 'string' && isCount(f['events'])) &&
    (range === undefined || (isRecord(range) && isTs(range['firstTs']) && isTs(range['lastTs']))) &&
    isRecord(consent) &&
    Array.isArray(consent['categories']) &&
    consent['categories'].every((c) => typeof c === 'string') &&
    typeof consent['grantedAt'] === 'string' &&
    typeof consent['policyVersion'] === 'string' &&
    typeof consent['extensionVersion'] === 'string' &&
    isRecord(redaction) &&
    typeof redaction['engine'] === 'string' &&
    isCount(redaction['eventsChanged']) &&
    Array.isArray(redaction['findings']) &&
    redaction['findings'].every(
      (f) => isRecord(f) && typeof f['rule'] === 'string' && typeof f['kind'] === 'string' && isCount(f['values']) && isCount(f['occurrences']),
    ) &&
    isRecord(exclusions) &&
    isCount(exclusions['patterns']) &&
    isCount(exclusions['events']) &&
    isCount(exclusions['outsideConsent']) &&
    (exclusions['policy'] === undefined ||
      (isRecord(exclusions['policy']) &&
        typeof exclusions['policy']['version'] === 'string' &&
        isCount(exclusions['policy']['events']) &&
        isCount(exclusions['policy']['outsideCategories']))) &&
    Array.isArray(x['reviewerActions']) &&
    x['reviewerActions'].every(
      (a) => isRecord(a) && typeof a['action'] === 'string' && typeof a['detail'] === 'string' && typeof a['at'] === 'string' && isCount(a['removed']),
    )
  );
}

function isInfo(x: unknown): x is PreviewInfo {
  return (
    isRecord(x) &&
    typeof x['selection'] === 'string' &&
    typeof x['destination'] === 'string' &&
    (x['status'] === 'reviewing' || x['status'] === 'approved') &&
    typeof x['canUndo'] === 'boolean'
  );
}

/**
 * Narrows a message from the host in the webview, or returns undefined for anything malformed.
 * Checks every field the webview reads (each row of a chunk included: that is O(rows), well
 * within the filter budget), so the rendering code can trust the types.
 */
export function parsePreviewHostMessage(raw: unknown): PreviewToWebview | undefined {
  if (!isRecord(raw)) {
    return undefined;
  }
  const type = raw['type'];
  switch (type) {
    case 'bundle': {
      const summary = raw['summary'];
      const info = raw['info'];
      return isSummary(summary) && isInfo(info) ? { type, summary, info } : undefined;
    }
    case 'rows': {
      const { sha256, offset, total, rows } = raw;
      return isSha256(sha256) && isCount(offset) && isCount(total) && Array.isArray(rows) && rows.every(isRow)
        ? { type, sha256, offset, total, rows: rows }
        : undefined;
    }
    case 'status': {
      const { busy, message } = raw;
      return typeof busy === 'boolean' && typeof message === 'string' ? { type, busy, message } : undefined;
    }
    case 'closed': {
      const message = raw['message'];
      return typeof message === 'string' ? { type, message } : undefined;
    }
    default:
      break;
  }
  const id = raw['id'];
  if (!isCount(id)) {
    return undefined;
  }
  switch (type) {
    case 'body': {
      const { seq, text } = raw;
      return isSeq(seq) && typeof text === 'string' ? { type, id, seq, text } : undefined;
    }
    case 'searchResult': {
      const { seqs, done } = raw;
      return Array.isArray(seqs) && seqs.every(isSeq) && typeof done === 'boolean' ? { type, id, seqs: seqs, done } : undefined;
    }
    case 'versions': {
      const { file, versions } = raw;
      return typeof file === 'string' && Array.isArray(versions) && versions.every(isVersion)
        ? { type, id, file, versions: versions }
        : undefined;
    }
    case 'versionText': {
      const { file, index, text } = raw;
      return typeof file === 'string' && isCount(index) && typeof text === 'string' ? { type, id, file, index, text } : undefined;
    }
    case 'diff': {
      const { file, from, to, parts } = raw;
      return typeof file === 'string' && isCount(from) && isCount(to) && Array.isArray(parts) && parts.every(isDiffPart)
        ? { type, id, file, from, to, parts: parts }
        : undefined;
    }
    case 'done': {
      const { ok, message } = raw;
      return typeof ok === 'boolean' && typeof message === 'string' ? { type, id, ok, message } : undefined;
    }
    case 'error': {
      const message = raw['message'];
      return typeof message === 'string' ? { type, id, message } : undefined;
    }
    default:
      return undefined;
  }
}
