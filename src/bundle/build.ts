/**
 * Building a bundle: raw events from the local log → consent scope → exclusions → the policy in
 * force now (src/privacy/policy) → the reviewer's actions → on-device redaction → manifest →
 * content → compressed file. And the preview's edit
 * operations, which append a reviewer action and rebuild from the same raw input (so a dropped
 * event is dropped before redaction, and redaction placeholders stay consistent).
 */
import type { ConsentReceipt } from '../consent/consentMachine';
import type { LoggedEvent } from '../model/events';
import type { PolicyFolderRef } from '../privacy/policy/gate';
import { applyPolicyToEvents } from '../privacy/policy/events';
import type { TeamPolicy } from '../privacy/policy/model';
import { applyCategories, applyConsent, applyExclusions, applyReviewerActions } from './edits';
import { BundleError } from './errors';
import type { EncodedBundle } from './format';
import { encodeContent, serializeContent } from './format';
import { checkConsentScope, eventFigures } from './manifest';
import type { BundleManifest, ManifestPolicyExclusions, Redactor, ReviewerAction } from './types';
import { BUNDLE_FORMAT_VERSION } from './types';
import { validateEvent, validateReceipt } from './validate';

/** Everything a bundle is built from, as plain data (what the worker receives). */
export interface BundleParams {
  /** Raw events from the local log, in seq order. */
  readonly events: readonly LoggedEvent[];
  /** Required: building without one throws `BundleError('no-consent')`. */
  readonly receipt: ConsentReceipt | undefined;
  readonly extensionVersion: string;
  /** Passed in (never read from the clock here), so a rebuild gives the same bytes. */
  readonly createdAt: string | Date;
  /**
   * The policy version the manifest names: the team policy's when one is applied (then it is
   * `policy.version`), else the consent text's (the receipt's).
   */
  readonly policyVersion: string;
  /** Exclusion globs (src/privacy/policy/exclusion.ts syntax) to apply and to list in the manifest. */
  readonly exclusions?: readonly string[];
  /**
   * The policy in force now (already merged: the developer's settings and the team's), applied
   * again at bundle time: a log may hold events recorded before a glob or category was forbidden,
   * or before a file was .gitignored. Its removals are listed in `manifest.exclusions.policy`.
   */
  readonly policy?: TeamPolicy;
  /** The workspace folders the events were recorded in, for the policy's folder checks (none: the CLI on a copied log). */
  readonly folders?: readonly PolicyFolderRef[];
  /** The reviewer's actions so far, applied in order. */
  readonly reviewerActions?: readonly ReviewerAction[];
}

export interface BundleInput extends BundleParams {
  readonly redactor: Redactor;
}

export type BuildPhase = 'read' | 'filter' | 'redact' | 'serialize' | 'compress';

export interface BuildProgress {
  readonly phase: BuildPhase;
  /** Fraction of the whole build done, in [0, 1]. */
  readonly fraction: number;
}

export interface BuildControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildProgress) => void;
  /** The caller already checked every input event with `validateEvent` (selectFromLog does): skip that pass. */
  readonly eventsValidated?: boolean;
  /** Longest line to write (default: what readers accept, `DEFAULT_LIMITS.maxLineBytes`); longer is `too-large`. */
  readonly maxLineBytes?: number;
}

export interface BuiltBundle extends EncodedBundle {
  readonly manifest: BundleManifest;
  /** The events as written (redacted). */
  readonly events: readonly LoggedEvent[];
  /** The input this bundle was built from: pass it to the next edit operation. */
  readonly input: BundleInput;
}

/** Where each phase starts in the overall fraction: redaction dominates, the rest is measured. */
const PHASE_START: Readonly<Record<BuildPhase, number>> = { read: 0, filter: 0.15, redact: 0.2, serialize: 0.7, compress: 0.8 };
const PHASE_END: Readonly<Record<BuildPhase, number>> = { read: 0.15, filter: 0.2, redact: 0.7, serialize: 0.8, compress: 1 };

export function reportPhase(control: BuildControl | undefined, phase: BuildPhase, within = 0): void {
  checkCancelled(control?.signal);
  control?.onProgress?.({ phase, fraction: PHASE_START[phase] + (PHASE_END[phase] - PHASE_START[phase]) * Math.min(1, Math.max(0, within)) });
}

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new BundleError('cancelled', 'the bundle build was cancelled');
  }
}

function isoTime(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) {
    throw new BundleError('bad-input', `createdAt is not a valid time: ${String(t)}`);
  }
  return d.toISOString();
}

function checkInputEvents(events: readonly LoggedEvent[]): void {
  let last = 0;
  for (const e of events) {
    try {
      validateEvent(e);
    } catch (err) {
      throw new BundleError('bad-input', `input event seq ${e.seq}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    }
    if (e.seq <= last) {
      throw new BundleError('bad-input', `input events must be in increasing seq order (seq ${e.seq} after ${last})`);
    }
    last = e.seq;
  }
}

/**
 * Builds a bundle. Deterministic: the same input (events, receipt, versions, `createdAt`,
 * exclusions, actions) and the same redactor give the same bytes. Throws `BundleError`
 * (`no-consent`, `bad-input`, `cancelled`, …).
 */
export async function buildBundle(input: BundleInput, control?: BuildControl): Promise<BuiltBundle> {
  if (input.receipt === undefined || input.receipt === null) {
    throw new BundleError('no-consent', 'a bundle needs the developer\'s consent receipt');
  }
  try {
    validateReceipt(input.receipt, 'receipt');
  } catch (err) {
    throw new BundleError('no-consent', `the consent receipt is not valid: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const receipt = input.receipt;
  if (input.extensionVersion === '' || input.policyVersion === '') {
    throw new BundleError('bad-input', 'extensionVersion and policyVersion must not be empty');
  }
  const policy = input.policy;
  const createdAt = isoTime(input.createdAt);
  const patterns = [...new Set(input.exclusions ?? [])].filter((p) => p.trim() !== '');

  reportPhase(control, 'filter');
  if (control?.eventsValidated !== true) {
    checkInputEvents(input.events);
  }
  const consented = applyConsent(input.events, receipt);
  const included = applyExclusions(consented.events, patterns);
  let kept = included.kept;
  let policyRecord: ManifestPolicyExclusions | undefined;
  if (policy !== undefined) {
    const byCategory = policy.categories === undefined ? { events: kept, affected: 0 } : applyCategories(kept, policy.categories);
    const applied = await applyPolicyToEvents(byCategory.events, policy, { folders: input.folders ?? [] });
    kept = applied.kept;
    policyRecord = {
      version: policy.version,
      events: applied.removed,
      outsideCategories: byCategory.affected,
      files: { ...applied.files },
    };
  }
  const applied = applyReviewerActions(kept, input.reviewerActions ?? []);

  reportPhase(control, 'redact');
  const redacted = await input.redactor.redact(applied.events, {
    manual: applied.manual,
    signal: control?.signal,
    onProgress: (f) => reportPhase(control, 'redact', f),
  });
  reportPhase(control, 'serialize');
  checkRedactorOutput(applied.events, redacted.events);
  checkConsentScope(receipt, redacted.events);

  const figures = eventFigures(redacted.events);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT_VERSION,
    createdAt,
    extensionVersion: input.extensionVersion,
    policyVersion: input.policyVersion,
    consent: {
      policyVersion: receipt.policyVersion,
      categories: [...receipt.categories],
      grantedAt: receipt.grantedAt,
      extensionVersion: receipt.extensionVersion,
      workspaceId: receipt.workspaceId,
    },
    source: figures.source,
    ...(figures.range === undefined ? {} : { range: figures.range }),
    counts: figures.counts,
    files: figures.files,
    exclusions: {
      patterns,
      events: included.removed,
      outsideConsent: consented.affected,
      ...(policyRecord === undefined ? {} : { policy: policyRecord }),
    },
    redaction: {
      engine: redacted.report.engine,
      findings: [...redacted.report.findings].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)),
      eventsChanged: redacted.report.eventsChanged,
    },
    reviewerActions: applied.records,
  };
  const content = serializeContent(manifest, redacted.events, control?.maxLineBytes);
  reportPhase(control, 'compress');
  const encoded = await encodeContent(content);
  reportPhase(control, 'compress', 1);
  return { ...encoded, manifest, events: redacted.events, input };
}

/** The redactor may rewrite content only: same seqs, same order, same types, valid events. */
function checkRedactorOutput(before: readonly LoggedEvent[], after: readonly LoggedEvent[]): void {
  if (before.length !== after.length) {
    throw new BundleError('bad-input', `the redactor returned ${after.length} events for ${before.length}`);
  }
  for (let k = 0; k < after.length; k++) {
    const a = after[k];
    if (a.seq !== before[k].seq || a.event.t !== before[k].event.t) {
      throw new BundleError('bad-input', `the redactor changed event #${k} (seq ${before[k].seq}) into seq ${a.seq} '${a.event.t}'`);
    }
    if (a === before[k]) {
      continue; // untouched by the redactor (the engine returns the same object): already checked
    }
    try {
      validateEvent(a);
    } catch (err) {
      throw new BundleError('bad-input', `the redactor produced an invalid event at seq ${a.seq}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    }
  }
}

// ── edit operations of the preview ───────────────────────────────────────────────────────────

export interface EditOptions extends BuildControl {
  /** When the reviewer acted (recorded in the manifest). */
  readonly at: Date;
}

function withAction(input: BundleInput, action: ReviewerAction): BundleInput {
  return { ...input, reviewerActions: [...(input.reviewerActions ?? []), action] };
}

/**
 * Drops events by seq. Dropping an edit, snapshot or rename also drops the later edits and
 * checkpoints of that document until its next snapshot (see edits.ts), so the bundle still replays.
 */
export function dropEvents(input: BundleInput, seqs: readonly number[], options: EditOptions): Promise<BuiltBundle> {
  return buildBundle(withAction(input, { action: 'drop-event', seqs: [...seqs], at: options.at.toISOString() }), options);
}

/** Drops every event naming `file` (and, after a rename, what depended on its text). */
export function dropFile(input: BundleInput, file: string, options: EditOptions): Promise<BuiltBundle> {
  return buildBundle(withAction(input, { action: 'drop-file', file, at: options.at.toISOString() }), options);
}

/** Drops the events with `fromTs <= ts <= toTs`, and what depended on them. */
export function dropRange(input: BundleInput, fromTs: number, toTs: number, options: EditOptions): Promise<BuiltBundle> {
  return buildBundle(withAction(input, { action: 'drop-range', fromTs, toTs, at: options.at.toISOString() }), options);
}

/**
 * Redacts `text` everywhere: every occurrence in every version of every document (also when it
 * was typed key by key — the redactor works on replayed text) and in every other string.
 */
export function redactEverywhere(input: BundleInput, text: string, options: EditOptions): Promise<BuiltBundle> {
  return buildBundle(withAction(input, { action: 'redact-everywhere', text, at: options.at.toISOString() }), options);
}
