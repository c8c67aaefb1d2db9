/**
 * What a preview bundle is built from: a frozen selection of the local log, the consent receipt
 * and the reviewer's actions so far. Every rebuild (drop, redact, undo) uses the same spec with
 * one action more or less, so it rebuilds from the same raw events. Pure (no VS Code).
 */
import type { ReviewerAction } from '../../bundle/types';
import type { WorkerBuildParams } from '../../bundle/workerProtocol';
import type { ConsentReceipt } from '../../consent/consentMachine';

/** How the developer chose the events (the QuickPick, or the command's argument). */
export type PreviewRange =
  | { readonly range: 'all' }
  | { readonly range: 'time'; readonly from: number; readonly to: number }
  | { readonly range: 'session'; readonly sessionId: string };

export interface BuildSpec {
  /** The selection in words, shown at the top of the panel. */
  readonly label: string;
  /**
   * `to` is always set: "all" means all up to when the preview was first built, so a rebuild after
   * an edit does not pick up events recorded since (the developer reviewed the earlier ones).
   */
  readonly selection: { readonly from?: number; readonly to: number; readonly sessionId?: string };
  readonly receipt: ConsentReceipt;
  /** Kept across rebuilds: the reviewer's actions carry their own times. */
  readonly createdAt: string;
  readonly extensionVersion: string;
  readonly policyVersion: string;
  readonly exclusions: readonly string[];
  /** Kept on this device only: a redact-everywhere text must never leave it. */
  readonly reviewerActions: readonly ReviewerAction[];
}

/** Validates the preview command's argument (any extension can run a command: treat it as input). */
export function parsePreviewRange(raw: unknown): PreviewRange | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  switch (r['range']) {
    case 'all':
      return { range: 'all' };
    case 'time': {
      const { from, to } = r;
      return typeof from === 'number' && typeof to === 'number' && Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to
        ? { range: 'time', from, to }
        : undefined;
    }
    case 'session': {
      const sid = r['sessionId'];
      return typeof sid === 'string' && sid.length > 0 && sid.length <= 128 ? { range: 'session', sessionId: sid } : undefined;
    }
    default:
      return undefined;
  }
}

export function selectionOf(range: PreviewRange, now: number): BuildSpec['selection'] {
  switch (range.range) {
    case 'all':
      return { to: now };
    case 'time':
      return { from: range.from, to: Math.min(range.to, now) };
    case 'session':
      return { sessionId: range.sessionId, to: now };
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
    },
  };
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
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
