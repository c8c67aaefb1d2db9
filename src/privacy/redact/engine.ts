import type { LoggedEvent } from '../../model/events';
import { KeyTable } from './marks';
import type { PlaceholderReport, RedactionReport, RuleFinding } from './report';
import { REDACTION_ENGINE } from './report';
import { RewritePass } from './rewritePass';
import { RunContext } from './runContext';
import { ScanPass } from './scanPass';
import type { ScanSet } from './scanners';
import { SpreadPass } from './spreadPass';

/**
 * The redaction run: passes over the events, driven one unit of work at a time (`step`), so that
 * the same code runs to completion for the CLI and tests, and in slices between which the
 * extension host's event loop breathes. This file only orders the passes; each lives in its own.
 *
 * Pass 1, the scan pass (scanPass.ts), replays every document into provenance buffers and
 * detects: each snapshot whole, each edit only in windows around what it changed (per tier, see
 * scanners.ts), and each document's final state whole. Every span found is recorded by the
 * origins of its characters (marks.ts). Other strings (terminal, paths, git, task and debug names)
 * are detected whole (runContext.ts).
 *
 * Spreading (spreadPass.ts, spread.ts): the values pass 1 found — in document text and in other
 * strings — are then looked for as literals (and in their common encodings) everywhere: a third
 * replay scans each snapshot whole and a small window around each edit, so an occurrence with no
 * context, one typed key by key in another document, and one *earlier* in the stream than the
 * occurrence a rule recognised are all marked like the detections (same placeholder: keyed by the
 * value). Other strings are searched whole. The replay runs only when pass 1 found a value that
 * spreads.
 *
 * Between the passes, groups get their values and placeholders, and every marked character its
 * fate. Pass 2, the rewrite pass (rewritePass.ts), replays again, only the documents that have
 * marks with provenance (the others with a length-only buffer, which keeps origin numbering
 * identical), and rewrites: snapshot texts and inserted texts through the fates, change offsets
 * and lengths and selections into redacted coordinates (sums of rendered lengths), checkpoints
 * re-hashed over the redacted text.
 */

export interface RunOptions {
  readonly scan: ScanSet;
}

export interface RunResult {
  readonly events: LoggedEvent[];
  readonly report: RedactionReport;
}

type Phase = 'scan' | 'final' | 'spread' | 'resolve' | 'rewrite' | 'done';

/** One redaction run over `events`; call `step()` until it returns false, then `result()`. */
export class RedactionRun {
  private phase: Phase = 'scan';
  private index = 0;
  private readonly run: RunContext;
  /** Each pass is dropped once done, so its buffers can be collected. */
  private scanPass: ScanPass | undefined;
  private spreadPass: SpreadPass | undefined;
  private rewritePass: RewritePass | undefined;

  constructor(
    private readonly events: readonly LoggedEvent[],
    options: RunOptions,
  ) {
    this.run = new RunContext(options.scan);
    this.scanPass = new ScanPass(this.run);
  }

  /** Fraction of the work done, in [0, 1]. */
  get progress(): number {
    const n = Math.max(1, this.events.length);
    switch (this.phase) {
      case 'scan':
        return (0.4 * this.index) / n;
      case 'final':
        return 0.4;
      case 'spread':
        return 0.4 + (0.1 * this.index) / n;
      case 'resolve':
        return 0.5;
      case 'rewrite':
        return 0.5 + (0.5 * this.index) / n;
      case 'done':
        return 1;
    }
  }

  /** Does one unit of work (one event, one final scan, or the resolution); false when done. */
  step(): boolean {
    switch (this.phase) {
      case 'scan':
        if (this.index < this.events.length) {
          this.scanPass!.event(this.events[this.index++]);
        } else {
          this.scanPass!.startFinal();
          this.phase = 'final';
        }
        return true;
      case 'final':
        if (!this.scanPass!.finishNext()) {
          this.spreadPass = SpreadPass.start(this.run);
          this.phase = this.spreadPass !== undefined ? 'spread' : 'resolve';
          this.index = 0;
        }
        return true;
      case 'spread':
        if (this.index < this.events.length) {
          this.spreadPass!.event(this.events[this.index++]);
        } else {
          this.spreadPass = undefined;
          this.phase = 'resolve';
        }
        return true;
      case 'resolve':
        this.scanPass = undefined;
        this.rewritePass = new RewritePass(this.run);
        this.phase = 'rewrite';
        this.index = 0;
        return true;
      case 'rewrite':
        if (this.index < this.events.length) {
          this.rewritePass!.event(this.events[this.index++]);
          return true;
        }
        this.phase = 'done';
        return false;
      case 'done':
        return false;
    }
  }

  result(): RunResult {
    while (this.step()) {
      // Runs whatever is left; a sliced caller has already finished.
    }
    const rewrite = this.rewritePass!;
    return { events: rewrite.out, report: this.report(rewrite) };
  }

  private report(rewrite: RewritePass): RedactionReport {
    const { keys, strings, marked } = this.run;
    const infos = keys.infos();
    const byRule = new Map<string, { kind: string; values: number; occurrences: number }>();
    const placeholders: PlaceholderReport[] = [];
    infos.forEach((info) => {
      const occurrences = rewrite.counts[info.index] ?? 0;
      const rule = KeyTable.reportRule(info.rule);
      const entry = byRule.get(rule) ?? { kind: info.kind, values: 0, occurrences: 0 };
      entry.values++;
      entry.occurrences += occurrences;
      byRule.set(rule, entry);
      placeholders.push({
        placeholder: info.placeholder,
        rule,
        kind: info.kind,
        files: [...new Set([...info.files].map((f) => strings.rewrite(f)))].sort(),
        fields: [...info.fields].sort(),
        firstSeq: info.firstSeq,
        occurrences,
      });
    });
    const findings: RuleFinding[] = [...byRule.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([rule, v]) => ({ rule, kind: v.kind, values: v.values, occurrences: v.occurrences }));
    return {
      engine: REDACTION_ENGINE,
      findings,
      eventsChanged: rewrite.changed,
      placeholders,
      documentsRedacted: marked.size,
    };
  }
}
