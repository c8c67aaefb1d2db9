import type { LoggedEvent } from '../model/events';
import { replayEventStream } from '../replay/replay';
import type { ReplayIssue } from '../replay/issues';
import type { ReplayStats } from '../replay/replayer';
import type { Command, CommandContext, CommandInput } from './command';
import { EXIT_FAILURE, EXIT_OK } from './command';
import { escapeText, formatBytes, formatDuration } from './format';
import { requireLogDir } from './logDir';
import type { DamagedRecord, SegmentInfo } from './logSource';

/** Sequence numbers missing between two intact records. */
export interface SeqGap {
  /** First and last missing seq. */
  readonly from: number;
  readonly to: number;
}

/** Watches a record stream for gaps in seq: the store numbers records 1, 2, 3, … with no holes. */
class GapTracker {
  readonly gaps: SeqGap[] = [];
  private last: number | undefined;

  see(seq: number): void {
    if (this.last !== undefined && seq > this.last + 1) {
      this.gaps.push({ from: this.last + 1, to: seq - 1 });
    }
    this.last = seq;
  }
}

async function* tracked(events: AsyncIterable<LoggedEvent>, gaps: GapTracker): AsyncGenerator<LoggedEvent> {
  for await (const e of events) {
    gaps.see(e.seq);
    yield e;
  }
}

export interface LogStatsReport {
  readonly dir: string;
  readonly segments: readonly SegmentInfo[];
  readonly bytes: number;
  readonly records: number;
  readonly damaged: number;
  readonly seq: { readonly first: number; readonly last: number } | null;
  readonly gaps: readonly SeqGap[];
  /** Earliest and latest `ts`, as ISO strings. */
  readonly time: { readonly first: string; readonly last: string; readonly ms: number } | null;
  /** Records per type (`t`), in descending count. */
  readonly byType: Readonly<Record<string, number>>;
}

export const logStatsCommand: Command = {
  name: 'log stats',
  args: ['dir'],
  summary: 'Show records per type, segments, bytes, time range and damaged records of a log.',
  options: {
    json: { type: 'boolean', description: 'Print machine-readable JSON' },
  },
  async run(ctx: CommandContext, input: CommandInput): Promise<number> {
    const dir = await requireLogDir(ctx.cwd, input.args['dir']);
    const summary = await ctx.source.stats(dir);
    const counts = new Map<string, number>();
    const gaps = new GapTracker();
    let firstSeq: number | undefined;
    let lastSeq = 0;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for await (const e of ctx.source.read(dir)) {
      firstSeq ??= e.seq;
      lastSeq = e.seq;
      gaps.see(e.seq);
      const t = typeof e.event.t === 'string' ? e.event.t : '(none)';
      counts.set(t, (counts.get(t) ?? 0) + 1);
      const ts = e.event.ts;
      if (ts < minTs) {
        minTs = ts;
      }
      if (ts > maxTs) {
        maxTs = ts;
      }
    }
    const byType = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    const report: LogStatsReport = {
      dir,
      segments: summary.segments,
      bytes: summary.bytes,
      records: summary.records,
      damaged: summary.damaged,
      seq: firstSeq === undefined ? null : { first: firstSeq, last: lastSeq },
      gaps: gaps.gaps,
      time: minTs > maxTs ? null : { first: isoTime(minTs), last: isoTime(maxTs), ms: maxTs - minTs },
      byType,
    };
    ctx.io.stdout.write(input.options['json'] === true ? JSON.stringify(report, null, 2) + '\n' : formatStats(report));
    return EXIT_OK;
  },
};

/**
 * `ts` as ISO 8601. The reader only yields times a Date can hold (src/store/framing.ts); a source
 * that did not would print `?`, never throw a RangeError.
 */
function isoTime(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? '?' : date.toISOString();
}

function formatStats(r: LogStatsReport): string {
  const lines = [
    `log       ${escapeText(r.dir)}`,
    `segments  ${r.segments.length} (${formatBytes(r.bytes)})`,
    `records   ${r.records}`,
    `damaged   ${r.damaged}`,
    `seq       ${r.seq === null ? '-' : `${r.seq.first} – ${r.seq.last}`}${r.gaps.length === 0 ? '' : ` (${r.gaps.length} gap(s))`}`,
    `time      ${r.time === null ? '-' : `${r.time.first} – ${r.time.last} (${formatDuration(r.time.ms)})`}`,
  ];
  const types = Object.entries(r.byType);
  if (types.length > 0) {
    lines.push('by type');
    const shown = types.map(([t, n]) => [escapeText(t), String(n)] as const);
    // reduce, not Math.max(...spread): the argument count of a spread is bounded by the stack.
    const width = shown.reduce((w, [t]) => Math.max(w, t.length), 0);
    const numWidth = shown.reduce((w, [, n]) => Math.max(w, n.length), 0);
    for (const [t, n] of shown) {
      lines.push(`  ${t.padEnd(width)}  ${n.padStart(numWidth)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface LogVerifyReport {
  readonly dir: string;
  readonly ok: boolean;
  readonly segments: number;
  readonly records: number;
  readonly damaged: readonly DamagedRecord[];
  readonly gaps: readonly SeqGap[];
  readonly replay: { readonly stats: ReplayStats; readonly documents: number; readonly issues: readonly ReplayIssue[] };
}

export const logVerifyCommand: Command = {
  name: 'log verify',
  args: ['dir'],
  summary: "Check every record's checksum, then replay the log and check every checkpoint.",
  details:
    'Read-only: nothing in the log is changed. Exits 0 when the log is clean, 1 when any record is\n' +
    'damaged, sequence numbers are missing, or replay finds an issue (each is printed with its seq and file).',
  options: {
    json: { type: 'boolean', description: 'Print machine-readable JSON' },
  },
  async run(ctx: CommandContext, input: CommandInput): Promise<number> {
    const dir = await requireLogDir(ctx.cwd, input.args['dir']);
    const check = await ctx.source.verify(dir);
    const gaps = new GapTracker();
    const result = await replayEventStream(tracked(ctx.source.read(dir), gaps));
    const report: LogVerifyReport = {
      dir,
      ok: check.damaged.length === 0 && gaps.gaps.length === 0 && result.issues.length === 0,
      segments: check.segments.length,
      records: check.records,
      damaged: check.damaged,
      gaps: gaps.gaps,
      replay: { stats: result.stats, documents: result.documents.length, issues: result.issues },
    };
    ctx.io.stdout.write(input.options['json'] === true ? JSON.stringify(report, null, 2) + '\n' : formatVerify(report));
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};

/** Damaged records, gaps and replay issues printed in text output before `… and N more`. */
const MAX_LISTED = 100;

function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const out = items.slice(0, MAX_LISTED).map(line);
  if (items.length > MAX_LISTED) {
    out.push(`  … and ${items.length - MAX_LISTED} more (--json lists all)`);
  }
  return out;
}

function describeDamaged(d: DamagedRecord): string {
  if (d.reason === 'not-a-file') {
    return `  ${escapeText(d.segment)}: not a file (a directory?); none of it can be read`;
  }
  const seq = d.seq === undefined ? '' : ` (claims seq ${d.seq})`;
  const detail = d.detail === undefined ? '' : `: ${escapeText(d.detail, 200)}`;
  return `  ${escapeText(d.segment)} at byte ${d.offset}, ${d.bytes} byte(s): ${d.reason}${seq}${detail}`;
}

function formatVerify(r: LogVerifyReport): string {
  const lines = [`Checked ${escapeText(r.dir)}: ${r.segments} segment(s), ${r.records} intact record(s).`];
  if (r.damaged.length > 0) {
    lines.push(`Damaged records: ${r.damaged.length}`);
    lines.push(...listed(r.damaged, describeDamaged));
  }
  if (r.gaps.length > 0) {
    lines.push(`Missing sequence numbers: ${r.gaps.length} gap(s)`);
    lines.push(...listed(r.gaps, (g) => (g.from === g.to ? `  seq ${g.from}` : `  seq ${g.from}–${g.to}`)));
  }
  const s = r.replay.stats;
  lines.push(
    `Replay: ${r.replay.documents} document(s), ${s.snapshots} snapshot(s), ${s.editsApplied} edit(s) applied` +
      ` (${s.editsCovered} already in a snapshot), ${s.checkpointsMatched}/${s.checkpoints} checkpoint(s) matched.`,
  );
  if (r.replay.issues.length > 0) {
    lines.push(`Replay issues: ${r.replay.issues.length}`);
    lines.push(...listed(r.replay.issues, (issue) => `  [${issue.kind}] ${escapeText(issue.message)}`));
  }
  if (r.ok) {
    lines.push('OK: no damage, no missing records, every checkpoint matches.');
  } else {
    const parts = [
      r.damaged.length > 0 ? `${r.damaged.length} damaged record(s)` : '',
      r.gaps.length > 0 ? `${r.gaps.length} gap(s)` : '',
      r.replay.issues.length > 0 ? `${r.replay.issues.length} replay issue(s)` : '',
    ].filter((p) => p !== '');
    lines.push(`FAILED: ${parts.join(', ')}.`);
  }
  return lines.join('\n') + '\n';
}
