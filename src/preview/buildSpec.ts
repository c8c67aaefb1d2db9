/**
 * What a preview bundle is built from: a frozen selection of the local log, the consent receipt
 * and the reviewer's actions so far. Every rebuild (drop, redact, undo) uses the same spec with
 * one action more or less, so it rebuilds from the same raw events. Pure (no VS Code).
 */
import * as path from 'node:path';
import type { SeqRange } from '../bundle/seqRanges';
import { isSeqRange } from '../bundle/seqRanges';
import type { ReviewerAction } from '../bundle/types';
import type { WorkerBuildParams } from '../bundle/workerProtocol';
import type { ConsentReceipt } from '../consent/consentMachine';
import type { PolicyFolderRef } from '../privacy/policy/gate';
import type { TeamPolicy } from '../privacy/policy/model';
import { validatePolicy } from '../privacy/policy/model';

/**
 * How the developer chose the events (the QuickPick, or the command's argument). Events already
 * approved are left out unless `includeApproved` is set. `log` names another window's log of this
 * workspace by its id (`logIdOf`), never by a path: any extension can run the command, and only a
 * log this workspace's windows registered can be picked. Absent: this window's own log.
 */
export type PreviewRange = (
  | { readonly range: 'all' }
  | { readonly range: 'time'; readonly from: number; readonly to: number }
  | { readonly range: 'session'; readonly sessionId: string }
) & { readonly includeApproved?: boolean; readonly log?: string };

/** A log id as `logIdOf` makes it. */
const LOG_ID = /^[0-9a-f]{16}$/;

export interface BuildSpec {
  /** The selection in words, shown at the top of the panel. */
  readonly label: string;
  /**
   * `to` is always set: "all" means all up to when the preview was first built, so a rebuild after
   * an edit does not pick up events recorded since (the developer reviewed the earlier ones).
   */
  readonly selection: {
    readonly from?: number;
    readonly to: number;
    readonly sessionId?: string;
    /** Log seqs left out: those approved when the preview was opened (frozen, like `to`). */
    readonly exclude?: readonly SeqRange[];
  };
  readonly receipt: ConsentReceipt;
  /** Kept across rebuilds: the reviewer's actions carry their own times. */
  readonly createdAt: string;
  readonly extensionVersion: string;
  readonly policyVersion: string;
  readonly exclusions: readonly string[];
  /**
   * The policy in force when the preview was opened (merged: settings and team), applied again
   * at every build, and the workspace folders it is checked against. Absent in specs saved by an
   * older Candor.
   */
  readonly policy?: TeamPolicy;
  readonly folders?: readonly PolicyFolderRef[];
  /** Kept on this device only: a redact-everywhere text must never leave it. */
  readonly reviewerActions: readonly ReviewerAction[];
  /**
   * The log folder of another window of this workspace the events come from (each window writes
   * its own log, with its own seqs and its own approvals beside it). Absent: this window's log.
   */
  readonly log?: string;
}

/** Validates the preview command's argument (any extension can run a command: treat it as input). */
export function parsePreviewRange(raw: unknown): PreviewRange | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const include = r['includeApproved'];
  if (include !== undefined && typeof include !== 'boolean') {
    return undefined;
  }
  const log = r['log'];
  if (log !== undefined && !(typeof log === 'string' && LOG_ID.test(log))) {
    return undefined;
  }
  const extra = { ...(include === true ? { includeApproved: true } : {}), ...(log === undefined ? {} : { log }) };
  switch (r['range']) {
    case 'all':
      return { range: 'all', ...extra };
    case 'time': {
      const { from, to } = r;
      return typeof from === 'number' && typeof to === 'number' && Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to
        ? { range: 'time', from, to, ...extra }
        : undefined;
    }
    case 'session': {
      const sid = r['sessionId'];
      return typeof sid === 'string' && sid.length > 0 && sid.length <= 128 ? { range: 'session', sessionId: sid, ...extra } : undefined;
    }
    default:
      return undefined;
  }
}

/** The selection to build: the range, up to `now`, without the `approved` seqs unless asked. */
export function selectionOf(range: PreviewRange, now: number, approved: readonly SeqRange[] = []): BuildSpec['selection'] {
  const exclude = range.includeApproved === true || approved.length === 0 ? {} : { exclude: approved.map(([a, b]): SeqRange => [a, b]) };
  switch (range.range) {
    case 'all':
      return { to: now, ...exclude };
    case 'time':
      return { from: range.from, to: Math.min(range.to, now), ...exclude };
    case 'session':
      return { sessionId: range.sessionId, to: now, ...exclude };
  }
}

export function workerParams(logDir: string, spec: BuildSpec, redaction: WorkerBuildParams['redaction'] = {}): WorkerBuildParams {
  return {
    redaction,
    source: { kind: 'log', dir: logDir, selection: { ...spec.selection } },
    params: {
      receipt: spec.receipt,
      extensionVersion: spec.extensionVersion,
      createdAt: spec.createdAt,
      policyVersion: spec.policyVersion,
      exclusions: [...spec.exclusions],
      reviewerActions: [...spec.reviewerActions],
      ...(spec.policy === undefined ? {} : { policy: spec.policy }),
      ...(spec.folders === undefined ? {} : { folders: [...spec.folders] }),
    },
  };
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function isPolicy(x: unknown): boolean {
  try {
    validatePolicy(x);
    return true;
  } catch {
    return false;
  }
}

function isFolderRef(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' && typeof (x as { fsPath?: unknown }).fsPath === 'string';
}

/**
 * Checks a spec read back from workspace storage (written by us, but a file on disk all the
 * same). Shape only: the bundle build validates the receipt and the actions again.
 */
export function parseBuildSpec(raw: unknown): BuildSpec | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const sel = r['selection'] as Record<string, unknown> | null | undefined;
  const receipt = r['receipt'] as Record<string, unknown> | null | undefined;
  if (
    typeof r['label'] !== 'string' ||
    typeof sel !== 'object' ||
    sel === null ||
    typeof sel['to'] !== 'number' ||
    (sel['from'] !== undefined && typeof sel['from'] !== 'number') ||
    (sel['sessionId'] !== undefined && typeof sel['sessionId'] !== 'string') ||
    (sel['exclude'] !== undefined && !(Array.isArray(sel['exclude']) && sel['exclude'].every(isSeqRange))) ||
    (r['policy'] !== undefined && !isPolicy(r['policy'])) ||
    (r['folders'] !== undefined && !(Array.isArray(r['folders']) && r['folders'].every(isFolderRef))) ||
    (r['log'] !== undefined && !(typeof r['log'] === 'string' && path.isAbsolute(r['log']))) ||
    typeof receipt !== 'object' ||
    receipt === null ||
    !isStringArray(receipt['categories']) ||
    typeof r['createdAt'] !== 'string' ||
    typeof r['extensionVersion'] !== 'string' ||
    typeof r['policyVersion'] !== 'string' ||
    !isStringArray(r['exclusions']) ||
    !Array.isArray(r['reviewerActions']) ||
    !r['reviewerActions'].every((a) => typeof a === 'object' && a !== null && typeof (a as { action?: unknown }).action === 'string')
  ) {
    return undefined;
  }
  return raw as BuildSpec;
}
