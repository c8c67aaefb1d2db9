import type { LoggedEvent } from '../../model/events';
import { createDetector, defaultDetector } from '../detect';
import type { Detector } from '../detect';
import { identityRules } from '../identity';
import type { MachineIdentity } from '../identity';
import { pathRules } from '../paths';
import { builtinRules } from '../rules/index';
import { RedactionRun } from './engine';
import { KeyTable } from './marks';
import { maskPlaceholders } from './placeholders';
import type { PlaceholderReport, RedactionReport, RuleFinding } from './report';
import { REDACTION_ENGINE } from './report';
import { createScanSet } from './scanners';

/**
 * Stream-aware redaction: the public API. See engine.ts for how a stream is redacted and
 * marks.ts for what happens to each character.
 */

export interface RedactOptions {
  /** The rules to redact with (default: the built-in rules). */
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

export interface AsyncRedactOptions extends RedactOptions {
  /** Longest stretch of work between two yields to the event loop, in ms (default 8). */
  readonly sliceMs?: number;
  /** Aborting rejects with the signal's reason at the next yield. */
  readonly signal?: AbortSignal;
  /** Fraction done in [0, 1]; called once per slice, never per event. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RedactionResult {
  /** Same seqs in the same order; an event left untouched is the very same object. */
  readonly events: LoggedEvent[];
  readonly report: RedactionReport;
}

export interface TextRedactionResult {
  readonly text: string;
  readonly report: RedactionReport;
}

const DEFAULT_SLICE_MS = 8;

/** The detector a run uses: `detector` (or the built-in rules) plus identity and path rules. */
export function redactionDetector(options: RedactOptions = {}): Detector {
  if (options.identity === undefined && options.workspaceRoots === undefined) {
    return options.detector ?? defaultDetector;
  }
  return createDetector([
    ...(options.detector?.rules ?? builtinRules),
    ...(options.identity !== undefined ? identityRules(options.identity) : []),
    ...(options.workspaceRoots !== undefined ? pathRules(options.workspaceRoots) : []),
  ]);
}

function createRun(events: readonly LoggedEvent[], options: RedactOptions): RedactionRun {
  return new RedactionRun(events, { scan: createScanSet(redactionDetector(options), options.manual ?? []) });
}

/** Redacts `events` (in seq order) to completion. For tests, the CLI and worker threads. */
export function redactEvents(events: readonly LoggedEvent[], options: RedactOptions = {}): RedactionResult {
  return createRun(events, options).result();
}

/**
 * As `redactEvents`, in slices of at most `sliceMs` of work with a yield to the event loop between
 * them, so a 100k-event day can be redacted on the extension host without blocking it.
 */
export async function redactEventsAsync(events: readonly LoggedEvent[], options: AsyncRedactOptions = {}): Promise<RedactionResult> {
  const run = createRun(events, options);
  const sliceMs = Math.max(1, options.sliceMs ?? DEFAULT_SLICE_MS);
  let more = true;
  while (more) {
    options.signal?.throwIfAborted();
    const deadline = performance.now() + sliceMs;
    // The clock is read every few steps: one step is one event, far below a millisecond.
    for (let n = 0; more; n++) {
      more = run.step();
      if ((n & 7) === 7 && performance.now() >= deadline) {
        break;
      }
    }
    options.onProgress?.(run.progress);
    if (more) {
      await yieldToEventLoop();
    }
  }
  options.signal?.throwIfAborted();
  return run.result();
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
  const scan = createScanSet(redactionDetector(options), options.manual ?? []);
  const spans = scan.scanWhole(maskPlaceholders(text));
  const keys = new KeyTable();
  const ks = spans.map((s, i) => keys.note(s.rule, s.kind, text.slice(s.start, s.end), { seq: 0, discovery: i, field: 'text' }));
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
