import type { LoggedEvent } from '../../model/events';
import { defaultDetector } from '../detect';
import type { Detector } from '../detect';
import { identityRules } from '../identity';
import type { MachineIdentity } from '../identity';
import { pathRules } from '../paths';
import { builtinRules } from '../rules/index';
import type { Rule } from '../types';
import { RedactionRun } from './engine';
import { KeyTable } from './marks';
import { maskPlaceholders } from './placeholders';
import type { PlaceholderReport, RedactionReport, RuleFinding } from './report';
import { REDACTION_ENGINE } from './report';
import type { ScanSet } from './scanners';
import { SpreadSet, valuesOf, withSpread } from './spread';
import { createScanSet, ScanSetBuilder } from './scanners';

/**
 * Stream-aware redaction: the public API. See engine.ts for how a stream is redacted and
 * marks.ts for what happens to each character.
 *
 * Setting up costs tens of milliseconds (a keyword automaton per rule tier), so a `Redactor` is
 * built once per rule set and reused; the one-shot functions build one per call.
 */

export interface RedactOptions {
  /** The rules to redact with (default: the built-in rules): it scans whole texts, its `rules` make the rescan tiers. */
  readonly detector?: Detector;
  /** Adds this machine's identity rules (user, home, hostname, git identity). */
  readonly identity?: MachineIdentity;
  /** Adds the path rule: absolute paths outside these roots. */
  readonly workspaceRoots?: readonly string[];
  /**
   * Texts to redact everywhere, case-sensitively, in the order the reviewer asked: the n-th
   * (1-based) becomes `«manual:reviewer#n»`, in every version of every document (also when typed
   * key by key) and in every other string.
   */
  readonly manual?: readonly string[];
}

export interface SliceOptions {
  /** Longest stretch of work between two yields to the event loop, in ms (default 8). */
  readonly sliceMs?: number;
  /** Aborting rejects with the signal's reason at the next yield. */
  readonly signal?: AbortSignal;
  /** Fraction done in [0, 1]; called once per slice, never per event. */
  readonly onProgress?: (fraction: number) => void;
}

export interface AsyncRedactOptions extends RedactOptions, SliceOptions {}

export interface RedactionResult {
  /** Same seqs in the same order; an event left untouched is the very same object. */
  readonly events: LoggedEvent[];
  readonly report: RedactionReport;
}

export interface TextRedactionResult {
  readonly text: string;
  readonly report: RedactionReport;
}

/** A rule set ready to redact any number of streams and texts. */
export interface Redactor {
  /** Redacts `events` (in seq order) to completion. For tests, the CLI and worker threads. */
  redactEvents(events: readonly LoggedEvent[]): RedactionResult;
  /**
   * As `redactEvents`, in slices of at most `sliceMs` of work with a yield to the event loop
   * between them, so a 100k-event day can be redacted on the extension host without blocking it.
   */
  redactEventsAsync(events: readonly LoggedEvent[], options?: SliceOptions): Promise<RedactionResult>;
  /** Redacts one plain text (see `redactText`). */
  redactText(text: string): TextRedactionResult;
}

const DEFAULT_SLICE_MS = 8;

/** The rules a redactor uses: `detector`'s (or the built-in ones) plus identity and path rules. */
export function redactionRules(options: RedactOptions = {}): Rule[] {
  return [
    ...(options.detector?.rules ?? builtinRules),
    ...(options.identity !== undefined ? identityRules(options.identity) : []),
    ...(options.workspaceRoots !== undefined ? pathRules(options.workspaceRoots) : []),
  ];
}

/** A detector over exactly the redaction rules, when one exists already. */
function existingDetector(options: RedactOptions): Detector | undefined {
  if (options.identity !== undefined || options.workspaceRoots !== undefined) {
    return undefined;
  }
  return options.detector ?? defaultDetector;
}

/** Builds a redactor synchronously (tens of ms for the built-in rules). */
export function createRedactor(options: RedactOptions = {}): Redactor {
  return redactorOver(createScanSet(redactionRules(options), options.manual ?? [], existingDetector(options)));
}

/** Builds a redactor in slices (see `SliceOptions`). */
export async function createRedactorAsync(options: AsyncRedactOptions = {}): Promise<Redactor> {
  const builder = new ScanSetBuilder(redactionRules(options), options.manual ?? [], existingDetector(options));
  await runSliced(() => builder.step(), () => 0, { ...options, onProgress: undefined });
  return redactorOver(builder.result());
}

function redactorOver(scan: ScanSet): Redactor {
  return {
    redactEvents: (events) => new RedactionRun(events, { scan }).result(),
    async redactEventsAsync(events, options = {}) {
      const run = new RedactionRun(events, { scan });
      await runSliced(() => run.step(), () => run.progress, options);
      return run.result();
    },
    redactText: (text) => redactTextWith(scan, text),
  };
}

/** Redacts `events` (in seq order) to completion, with a redactor built for this call. */
export function redactEvents(events: readonly LoggedEvent[], options: RedactOptions = {}): RedactionResult {
  return createRedactor(options).redactEvents(events);
}

/** Sliced redaction with a redactor built (also in slices) for this call. */
export async function redactEventsAsync(events: readonly LoggedEvent[], options: AsyncRedactOptions = {}): Promise<RedactionResult> {
  const redactor = await createRedactorAsync(options);
  return redactor.redactEventsAsync(events, options);
}

/** Runs `step` until it returns false, yielding to the event loop every `sliceMs`. */
async function runSliced(step: () => boolean, progress: () => number, options: SliceOptions): Promise<void> {
  const sliceMs = Math.max(1, options.sliceMs ?? DEFAULT_SLICE_MS);
  let more = true;
  while (more) {
    options.signal?.throwIfAborted();
    const deadline = performance.now() + sliceMs;
    // The clock is read after every step (tens of ns): one step is usually one event, but a
    // snapshot's whole scan can take milliseconds, and a slice must not run past its end.
    while (more) {
      more = step();
      if (performance.now() >= deadline) {
        break;
      }
    }
    options.onProgress?.(progress());
    if (more) {
      await yieldToEventLoop();
    }
  }
  options.signal?.throwIfAborted();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
    } else {
      setTimeout(resolve, 0);
    }
  });
}

/**
 * Redacts one plain text (a file given to `candor redact` that is not a log): every span becomes
 * its placeholder, same value → same placeholder, numbered per rule in order of appearance.
 */
export function redactText(text: string, options: RedactOptions = {}): TextRedactionResult {
  return createRedactor(options).redactText(text);
}

function redactTextWith(scan: ScanSet, text: string): TextRedactionResult {
  const masked = maskPlaceholders(text);
  const found = scan.scanWhole(masked);
  // Every occurrence of a value found, not only the one a rule matched (spread.ts).
  const spread = new SpreadSet(valuesOf(text, found));
  const spans = spread.empty ? found : withSpread(found, spread.scan(masked), (rule) => scan.isGeneric(rule));
  const keys = new KeyTable((rule) => scan.isGeneric(rule));
  const ks = spans.map((s, i) => keys.note(s.rule, s.kind, s.value ?? text.slice(s.start, s.end), { seq: 0, discovery: i, field: 'text' }));
  keys.number();
  const counts = new Array<number>(keys.size).fill(0);
  let out = '';
  let pos = 0;
  spans.forEach((s, i) => {
    out += text.slice(pos, s.start) + keys.placeholder(ks[i]);
    counts[ks[i]]++;
    pos = s.end;
  });
  out += text.slice(pos);
  const byRule = new Map<string, { kind: string; values: number; occurrences: number }>();
  const placeholders: PlaceholderReport[] = keys.infos().map((info) => {
    const rule = KeyTable.reportRule(info.rule);
    const entry = byRule.get(rule) ?? { kind: info.kind, values: 0, occurrences: 0 };
    entry.values++;
    entry.occurrences += counts[info.index];
    byRule.set(rule, entry);
    return { placeholder: info.placeholder, rule, kind: info.kind, files: [], fields: ['text'], firstSeq: 0, occurrences: counts[info.index] };
  });
  const findings: RuleFinding[] = [...byRule.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([rule, v]) => ({ rule, ...v }));
  return {
    text: out,
    report: { engine: REDACTION_ENGINE, findings, eventsChanged: out === text ? 0 : 1, placeholders, documentsRedacted: 0 },
  };
}
